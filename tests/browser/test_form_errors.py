"""A refused form comes back as the same page, accessible: a summary that links to the field, the
message tied to the field, what was typed kept (demo data, real Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def _item_with_decisions(page, base: str) -> None:
    """Open a submitted item of one of the assessor's learners that has claims to decide."""
    page.goto(f"{base}/caseload")
    learner = page.locator("a[href^='/learners/'][href$='/progress']").first.get_attribute("href")
    page.goto(f"{base}/learners/{learner.split('/')[2]}/evidence?status=submitted")
    items = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in [h for h in items if re.fullmatch(r"/evidence/\d+", h or "")]:
        page.goto(base + href)
        if page.get_by_role("button", name="Record decision").count():
            return
    raise AssertionError("no item with claims to decide")


def test_referral_without_feedback_comes_back_with_the_message_beside_the_field(
    page, live_server
) -> None:
    login(page, live_server, "assessor1@example.org")
    _item_with_decisions(page, live_server)
    title = page.get_by_role("heading", level=1).inner_text()
    form = page.locator("#decisions-form tbody tr").first  # one claim's row of the one form
    form.get_by_label("Refer").check()
    form.get_by_label("Method").select_option(index=1)
    chosen = form.get_by_label("Method").input_value()
    with page.expect_navigation():
        page.get_by_role("button", name="Record decisions", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == title  # the same page
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Say what is missing when you refer a claim.")
    feedback = page.locator("textarea[aria-invalid='true']")
    expect(feedback).to_have_accessible_description(
        re.compile("Say what is missing when you refer a claim.")
    )
    form = page.locator("#decisions-form tbody tr", has=feedback)
    expect(form.get_by_label("Refer")).to_be_checked()
    expect(form.get_by_label("Method")).to_have_value(chosen)
    assert axe_violations(page) == []
    target = "#" + (feedback.get_attribute("id") or "")
    summary.get_by_role("link").first.click()  # a link within the page: no load to wait for
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))


def test_admin_form_errors_are_accessible_and_keep_the_input(page, live_server) -> None:
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people")
    page.get_by_label("Full name").fill("Nora Nobody")
    with page.expect_navigation():  # the name typed is on both pages: wait for the answer
        page.get_by_role("button", name="Add person").click()  # no e-mail, no role
    expect(page.get_by_role("alert")).to_contain_text("Tick at least one role.")
    expect(page.get_by_label("Full name")).to_have_value("Nora Nobody")
    expect(page.get_by_label("E-mail (the log-in)")).to_have_accessible_description(
        "Error: Give the e-mail address they will log in with."
    )
    assert axe_violations(page) == []


def test_change_details_refuses_a_taken_e_mail_beside_the_field(page, live_server) -> None:
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people?q=learner2%40")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Learner")).first.click()
    details = page.locator("form", has=page.get_by_role("button", name="Save details"))
    details.get_by_label("E-mail (the log-in)").fill("assessor1@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("alert")).to_contain_text("Another account already has the e-mail")
    expect(details.get_by_label("E-mail (the log-in)")).to_have_accessible_description(
        re.compile("Another account already has")
    )
    assert axe_violations(page) == []
