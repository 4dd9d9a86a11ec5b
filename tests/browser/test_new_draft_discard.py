"""A brand-new item's editor, in Chromium at 375 px: once the first background save has made the
draft, the editor offers "Discard this draft" for it, without reopening the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_WIDTH as WIDTH
from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def test_the_first_background_save_offers_to_discard_the_new_draft(page, live_server) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 800})
    login(page, live_server, "learner2@example.org")
    page.goto(f"{live_server}/evidence")
    page.get_by_role("link", name="New reflective account").click()
    page.wait_for_url(re.compile(r"/learners/\d+/evidence/new\b"))
    page.wait_for_load_state()
    discard = page.get_by_role("link", name="Discard this draft")
    expect(discard).to_have_count(0)  # nothing to discard yet
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("A draft I will not keep")
    page.keyboard.press("Tab")  # the title loses focus: the draft is made in the background
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    expect(discard).to_be_visible()
    edit = page.locator("#evidence-form").get_attribute("action") or ""
    number = re.fullmatch(r"/evidence/(\d+)/edit", edit)
    assert number, edit
    assert discard.get_attribute("href") == f"/evidence/{number.group(1)}/discard"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert axe_violations(page) == []
    discard.click()
    page.wait_for_url(f"{live_server}/evidence/{number.group(1)}/discard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("A draft I will not keep")
    expect(page.get_by_role("button", name="Discard this draft")).to_be_visible()
