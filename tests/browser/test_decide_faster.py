"""Decide faster and find evidence (issue 17), as the assessor and the learner would, in Chromium
with the demo data: a warning before a decision that will not count, then saved anyway; the
learner's evidence list searched and ordered, with each item's decision state; axe-core clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login
from tests.browser.test_form_errors import _item_with_decisions

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/decide-shots")


def test_assessor_is_warned_before_a_method_that_will_not_count_then_saves_anyway(
    page, live_server
) -> None:
    login(page, live_server, "assessor1@example.org")
    _item_with_decisions(page, live_server)
    rows = page.locator("#decisions-form tbody tr")
    performance = rows.filter(has=page.locator("th", has_text=re.compile(r"SE\d\d P\d+"))).first
    criterion = performance.locator("th").inner_text().split("\n")[0]
    performance.get_by_label("Accept").check()
    performance.get_by_label("Method").select_option("RA")
    with page.expect_navigation():
        page.get_by_role("button", name="Check", exact=True).click()
    row = page.locator("#decisions-form tbody tr", has=page.locator("p.warning"))
    expect(row.locator("th")).to_contain_text(criterion)
    expect(row.get_by_label("Method")).to_have_accessible_description(re.compile("will not count"))
    expect(row.get_by_label("Accept")).to_be_checked()  # what was chosen is kept
    expect(page.get_by_role("alert")).to_contain_text("Before these decisions are saved")
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "decision-warning.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Record decisions anyway").click()
    expect(page.locator("body")).to_contain_text("1 decision recorded.")
    assert axe_violations(page) == []


def test_learner_searches_and_orders_their_evidence_and_sees_each_decision_state(
    page, live_server
) -> None:
    login(page, live_server, "learner1@example.org")
    page.goto(f"{live_server}/evidence")
    states = page.locator("td[data-label='Decision']").all_inner_texts()
    assert states and set(states) <= {"Draft", "Awaiting decision", "Accepted", "Some referred"}
    word = page.locator("td[data-label='Title'] a").first.inner_text().split()[0]
    page.get_by_role("searchbox", name="Search titles and text").fill(word)
    page.get_by_label("Order").select_option("title")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "sort=title" in page.url and "q=" in page.url
    titles = page.locator("td[data-label='Title'] a").all_inner_texts()
    assert titles and titles == sorted(titles, key=str.lower)
    expect(page.get_by_role("searchbox", name="Search titles and text")).to_have_value(word)
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "evidence-list.png"), full_page=True)
