"""Notifications, comments and private drafts as the learner and the assessor would use them, in
Chromium with the demo data: the bell and its count in words, the conversation on an item, a
learner's draft that the assessor sees exists but cannot read, the e-mail choices; axe-core clean
and nothing scrolling sideways at 375 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def _item(page: Any, state: str) -> str:
    """The address of the learner's first item in this decision state, from their list."""
    row = page.locator("tbody tr", has=page.locator("td[data-label='Decision']", has_text=state))
    href = row.first.locator("td[data-label='Title'] a").get_attribute("href")
    assert href
    return str(href)


def _fits(page: Any, selector: str = "") -> bool:
    """Nothing scrolls sideways at 375 px (or, with ``selector``, nothing in that part)."""
    if selector:
        right = page.locator(selector).evaluate(
            "e => e.scrollWidth + e.getBoundingClientRect().left"
        )
        return bool(right <= 375)
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 375)


def _contrast_on_white(page: Any, locator: Any) -> float:
    """The contrast ratio of an element's text colour on the page's white: "Open" and "Mark all
    as read" took the header's white and could not be seen (axe-core leaves such a case to a
    person: it reports it as incomplete, not as a violation)."""
    rgb = locator.evaluate("e => getComputedStyle(e).color")
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return 1.05 / (lum + 0.05)


def test_comment_bell_private_draft_and_mail_choices(browser, live_server) -> None:
    learner = browser.new_context(bypass_csp=True).new_page()
    login(learner, live_server, "learner1@example.org")
    learner.goto(f"{live_server}/evidence")
    submitted = _item(learner, "Awaiting decision")
    hrefs = learner.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    new = next(h for h in hrefs if re.fullmatch(r"/learners/\d+/evidence/new.*", h or ""))
    learner.goto(f"{live_server}{new.split('?')[0]}?kind=reflective_account")
    learner.get_by_label("Title").fill("My first thoughts on the job fair")
    learner.get_by_label("Text (Markdown)").fill("Not ready for anyone to read yet.")
    learner.get_by_role("button", name="Save draft").click()
    # the editor may first finish saving in the background, then the page goes to the draft
    learner.wait_for_url(re.compile(r".*/evidence/\d+$"))
    draft = learner.url.removeprefix(live_server).split("#")[0]
    assert re.fullmatch(r"/evidence/\d+", draft), draft
    learner.goto(live_server + submitted)
    learner.get_by_label("Your comment").fill("Does this show K2 as well?")
    with learner.expect_navigation():
        learner.get_by_role("button", name="Add comment").click()
    comments = learner.locator("#comments")
    expect(comments).to_contain_text("Does this show K2 as well?")
    expect(comments).to_contain_text("Lena Learner")
    assert axe_violations(learner) == []
    with learner.expect_navigation():
        learner.get_by_role("link", name="Your account").click()
    learner.get_by_role("group", name="Comments on evidence").get_by_label(
        "In a daily digest"
    ).check()
    with learner.expect_navigation():
        learner.get_by_role("button", name="Save e-mail choices").click()
    expect(learner.locator(".flashes")).to_contain_text("Your e-mail choices are saved.")
    assert axe_violations(learner) == []

    assessor = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    phone = assessor.new_page()
    login(phone, live_server, "assessor1@example.org")
    bell = phone.get_by_role("link", name=re.compile(r"^Notifications \(\d+ unread\)$"))
    expect(bell).to_be_visible()
    with phone.expect_navigation():
        bell.click()
    expect(phone.locator("main")).to_contain_text("Lena Learner commented on")
    assert axe_violations(phone) == [] and _fits(phone)
    for name in ("Open", "Mark all as read"):
        assert _contrast_on_white(phone, phone.get_by_role("button", name=name).first) >= 4.5
    with phone.expect_navigation():
        phone.get_by_role("button", name="Open").first.click()
    expect(phone.locator("#comments")).to_contain_text("Does this show K2 as well?")
    # (the decisions table above is wider than a phone before this change: only the comments)
    assert axe_violations(phone) == [] and _fits(phone, "#comments")
    phone.goto(live_server + draft)
    expect(phone.locator("main")).to_contain_text("This is a draft")
    expect(phone.locator("main")).not_to_contain_text("Not ready for anyone")
    assert axe_violations(phone) == [] and _fits(phone)
    phone.goto(f"{live_server}/account")
    assert axe_violations(phone) == [] and _fits(phone)
    assessor.close()
    learner.context.close()
