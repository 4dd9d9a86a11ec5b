"""A learner's daily work, as the learner does it in Chromium (demo data): the home page puts what
to do next first; a referral leaves it once re-evidenced; the editor takes files and criteria
before the first save, saves the draft as they write and previews without a reload, under the
app's CSP and at 375 px wide."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_WIDTH as WIDTH
from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def _headings(page: Any) -> list[str]:
    return [h.strip() for h in page.locator("main h2").all_inner_texts()]


def test_learner_home_shows_what_to_do_next_first(page, live_server) -> None:
    login(page, live_server, "learner1@example.org")
    headings = _headings(page)
    assert headings[0] == "What to do next", headings
    assert headings.index("My standards") < headings.index("My evidence")
    add = page.get_by_role("link", name="Add evidence")
    expect(add).to_be_visible()
    # the action comes before the list of things to do
    assert add.bounding_box()["y"] < page.locator("#next").bounding_box()["y"]
    todo = page.locator("#next").locator("..")
    expect(todo.get_by_role("heading", name="Referred: show these again")).to_be_visible()
    expect(todo.locator("a[href^='/evidence/']").first).to_be_visible()
    standards = page.locator("#my-standards").locator("..")
    expect(standards).to_contain_text("your assessor is Asha Assessor")
    expect(standards).to_contain_text("planned to finish by")
    bar = standards.get_by_role("img", name=re.compile(r"^SE01: \d+ of \d+ met, \d+ awaiting"))
    expect(bar).to_have_count(1)
    assert axe_violations(page) == []


def test_attach_and_map_before_the_first_save_then_the_referral_goes(
    page, live_server, tmp_path: Path
) -> None:
    login(page, live_server, "learner1@example.org")
    referral = page.locator("#next-referred + p + ul li").first
    standard, code = re.search(r"(SE\d\d) ([PK]\d+)", referral.inner_text()).groups()
    said = f"{standard} {code} in"
    with page.expect_navigation():
        page.get_by_role("link", name="Add evidence").click()
    with page.expect_navigation():  # axe checks the editor, not the list still showing
        page.get_by_role("link", name="New reflective account").click()
    assert axe_violations(page) == []
    page.get_by_label("Title").fill(f"More on {standard} {code}")
    page.get_by_label("Date of the activity").fill("2026-10-02")
    page.get_by_label("Text (Markdown)").fill("I went back over this part of my work.")
    notes = tmp_path / "notes.txt"
    notes.write_text("Notes of the review of my work.", encoding="utf-8")
    page.get_by_label("Attach files (optional)").set_input_files(str(notes))
    group = page.locator("details", has=page.locator("summary", has_text=standard))
    group.locator("summary").click()
    summary = group.locator("summary")
    expect(summary).to_contain_text("(0 ticked)")
    box = group.get_by_label(re.compile(rf"^{code} "))
    box.check()  # the count in the summary follows at once, and the box keeps the focus
    expect(summary).to_contain_text("(1 ticked)")
    expect(box).to_be_focused()
    box.uncheck()
    expect(summary).to_contain_text("(0 ticked)")
    box.check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/evidence/\d+$"))
    expect(page.get_by_text("1 file attached and 1 criterion mapped")).to_be_visible()
    expect(page.get_by_role("link", name="notes.txt")).to_be_visible()
    # nothing to tick again: the criterion was mapped with the first save
    expect(page.locator("#mapping-form input[name=criterion]:checked")).to_have_count(1)
    # the evidence page's own checklist keeps its count as boxes are ticked, as the editor's does
    box = page.locator("#" + str(page.locator("#mapping-form input:checked").get_attribute("id")))
    count = page.locator("#mapping-form details", has=box).locator("summary")
    expect(count).to_contain_text("(1 ticked)")
    box.uncheck()
    expect(count).to_contain_text("(0 ticked)")
    expect(box).to_be_focused()
    box.check()
    expect(count).to_contain_text("(1 ticked)")
    page.get_by_label("I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Submit for assessment").click()
    expect(page.locator(".flash-success")).to_have_text("Submitted for assessment.")
    page.goto(f"{live_server}/")
    expect(page.locator("#next").locator("..")).not_to_contain_text(said)
    assert axe_violations(page) == []


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= WIDTH)


def test_the_editor_saves_as_you_write_and_previews_in_place(phone, live_server) -> None:
    page = phone
    login(page, live_server, "learner2@example.org")
    assert _fits(page)  # the home page
    page.goto(f"{live_server}/evidence")
    page.get_by_role("link", name="New reflective account").click()
    # the click starts the navigation; measured before the editor has loaded, the page has no
    # document element yet (seen once in a full run)
    page.wait_for_url(re.compile(r"/learners/\d+/evidence/new\b"))
    page.wait_for_load_state()
    address = page.url
    assert _fits(page)
    page.get_by_label("Title").fill("Saved while I write")
    body = page.get_by_label("Text (Markdown)")
    body.fill("First **bold** thoughts.")
    page.keyboard.press("Tab")  # the text field loses focus: saved in the background
    status = page.locator("#autosave-status")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-body strong")).to_have_text("bold")
    assert page.url == address  # no reload
    assert _fits(page)
    body.fill("Second thoughts, saved too.")
    page.keyboard.press("Tab")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    edit = page.locator("#evidence-form").get_attribute("action")
    assert re.fullmatch(r"/evidence/\d+/edit", edit or ""), edit
    page.goto(live_server + edit)  # never pressed "Save draft": the draft holds what was typed
    expect(page.get_by_label("Title")).to_have_value("Saved while I write")
    expect(page.get_by_label("Text (Markdown)")).to_have_value("Second thoughts, saved too.")
    assert _fits(page)
    assert page.csp_errors == []


def test_the_editor_shows_the_referral_beside_the_criterion_at_375_px(page, live_server) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 800})
    login(page, live_server, "learner1@example.org")
    referral = page.locator("#next-referred + p + ul li").first
    code = re.search(r"SE\d\d ([PK]\d+)", referral.inner_text()).group(1)
    feedback = re.search(r": “(.+)”$", referral.inner_text()).group(1)
    referral.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/evidence/\d+$"))
    page.goto(page.url + "/edit")
    box = page.get_by_role("checkbox", name=re.compile(rf"^{code} "))
    expect(box).to_be_checked()
    # said beside the criterion, and read out with its checkbox
    expect(box).to_have_accessible_description(
        re.compile(
            rf"^Referred by .+ on \d{{1,2}} [A-Z][a-z]{{2}} \d{{4}}: “{re.escape(feedback)}”$"
        )
    )
    said = page.locator("#" + str(box.get_attribute("aria-describedby")))
    expect(said).to_be_visible()
    expect(page.get_by_role("heading", name="What the assessor said")).to_be_visible()
    assert _fits(page)
    assert axe_violations(page) == []
