"""Long pages keep what needs action in view and fold what is done (issue 17), as the assessor, the
learner and the IQA would see them in Chromium with the demo data; axe-core clean, and at 375 px
wide the evidence page's decisions and the progress per standard do not scroll sideways."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login
from tests.browser.test_form_errors import _item_with_decisions
from tests.browser.test_phone import _too_wide

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/long-pages-shots")


def _is_open(locator: Any) -> bool:
    return bool(locator.evaluate("e => e.open"))


def test_assessor_decides_with_the_open_claims_in_view_and_the_accepted_folded(
    page, live_server
) -> None:
    login(page, live_server, "assessor1@example.org")
    _item_with_decisions(page, live_server)
    to_decide = page.locator("#decisions-form > table.claims-table tbody tr")
    before = to_decide.count()
    assert before >= 1
    expect(to_decide.first.get_by_label("Accept")).to_be_visible()  # what needs action: open
    criterion = to_decide.first.locator("th").inner_text().split("\n")[0]
    to_decide.first.get_by_label("Accept").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record decisions", exact=True).click()
    anyway = page.get_by_role("button", name="Record decisions anyway")
    if anyway.count():  # the method the kind suggests does not count for this criterion
        with page.expect_navigation():
            anyway.click()
    expect(page.locator("body")).to_contain_text("1 decision recorded.")
    # the claim just accepted is folded with the others accepted; the rest stay open
    folded = page.locator("details.claims-accepted")
    assert not _is_open(folded)
    row = folded.locator("tbody tr", has=page.locator("th", has_text=criterion))
    expect(row).to_be_hidden()
    assert page.locator("#decisions-form > table.claims-table tbody tr").count() == before - 1
    for done in ("details.versions", "details.item-history"):
        assert not _is_open(page.locator(done))
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "decision-page.png"), full_page=True)
    # opening the fold shows the decision in words, and its form still works
    folded.locator("summary").click()
    expect(row).to_be_visible()
    expect(row).to_contain_text(
        re.compile(
            r"\((Observation|Witness testimony|Product|"
            r"Professional discussion|Reflective account)\)"
        )
    )
    assert axe_violations(page) == []


def test_learner_sees_referrals_and_feedback_open_and_the_accepted_folded(
    page, live_server
) -> None:
    login(page, live_server, "learner1@example.org")
    page.goto(f"{live_server}/evidence?status=submitted")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    seen = {"referred": False, "accepted": False}
    for href in [h for h in hrefs if re.fullmatch(r"/evidence/\d+", h or "")]:
        page.goto(live_server + href)
        referred = page.locator("table.claims-table tr", has=page.locator(".state-referred"))
        if referred.count() and not seen["referred"]:
            seen["referred"] = True
            expect(referred.first).to_be_visible()  # a referral needs the learner: in view
            expect(referred.first.locator(".last-decision")).to_be_visible()
        folded = page.locator("details.claims-accepted")
        if folded.count():
            seen["accepted"] = True
            assert not _is_open(folded)
            expect(folded.locator("tbody tr").first).to_be_hidden()
        # submitted: the checklist's standards are folded to a line each
        for group in page.locator("#mapping-form details").all():
            assert not _is_open(group)
        assert axe_violations(page) == []
    assert seen == {"referred": True, "accepted": True}


def test_iqa_reviews_with_the_checks_in_each_row_and_the_evidence_folded(page, live_server) -> None:
    login(page, live_server, "iqa@example.org")
    page.goto(f"{live_server}/iqa")
    # the demo's cycle, which has a reviewed sample (other tests may add cycles of their own)
    page.get_by_role("link", name="Demo IQA cycle", exact=True).click()
    page.wait_for_url(re.compile(r".*/iqa/cycles/\d+$"))
    links = page.locator("a[href^='/iqa/samples/']")
    expect(links.first).to_have_text(re.compile(r"^Sample \d+$"))  # not the planner's "S12"
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    reviewed = unreviewed = False
    for href in hrefs:
        page.goto(live_server + href)
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Sample \d+ — "))
        for item in page.locator("details.sample-evidence").all():
            assert not _is_open(item)
        if page.locator("details.sample-decisions").count():  # reviewed: done, folded
            reviewed = True
            assert not _is_open(page.locator("details.sample-decisions"))
            expect(page.locator("dl.facts").last).to_contain_text("Outcome")
        elif not unreviewed:
            unreviewed = True
            rows = page.locator("table.sample-decisions-table tbody tr")
            expect(rows.first.get_by_label("Agree", exact=True)).to_be_visible()
            assert (
                page.locator("table.sample-decisions-table input[type=radio]:checked").count() == 0
            )
            assert axe_violations(page) == []
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / "sample-page.png"), full_page=True)
        if reviewed and unreviewed:
            break
    assert reviewed and unreviewed
    assert axe_violations(page) == []


def test_decisions_and_progress_fit_a_phone(phone, live_server) -> None:
    login(phone, live_server, "assessor1@example.org")
    _item_with_decisions(phone, live_server)
    item = phone.url.removeprefix(live_server)
    phone.goto(f"{live_server}/caseload")
    progress = phone.locator("a[href^='/learners/'][href$='/progress']").first.get_attribute("href")
    assert _too_wide(phone, live_server, [item, progress]) == []
    # the decisions table and the progress per standard are stacked: each cell says what it is
    phone.goto(live_server + item)
    cell = phone.locator("table.claims-table tbody td[data-label='State']").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"
    phone.goto(live_server + progress)
    cell = phone.locator("table.stack tbody td[data-label='Met']").first
    label = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert label.strip('"') == "Met"
    assert phone.csp_errors == []
    phone.context.clear_cookies()  # log out, then in as the learner: their own progress page
    login(phone, live_server, "learner1@example.org")
    phone.goto(f"{live_server}/")
    own = phone.locator("a[href^='/learners/'][href$='/progress']").first.get_attribute("href")
    assert _too_wide(phone, live_server, [own]) == []
    assert phone.csp_errors == []
