"""Personal data in a draft, in real Chromium: marked in place with its kind in words, replaced
with a placeholder in one action, and the page accessible throughout (demo data)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser

BODY = (
    "I met Chloe Adams at the Jobcentre to plan her job trial. "
    "Her phone number is 07700 900123; we agreed to speak weekly."
)


def test_learner_sees_personal_data_marked_and_replaces_it(page, live_server) -> None:
    login(page, live_server, "learner3@example.org")
    page.goto(f"{live_server}/evidence")
    with page.expect_navigation():  # "Title" would also find the list's "Search titles"
        page.get_by_role("link", name="New reflective account").click()
    page.get_by_label("Title").fill("Planning a job trial")
    page.get_by_label("Text (Markdown)").fill(BODY)
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("It may hold personal data")).to_be_visible()
    phone = page.locator("mark", has_text="07700 900123")
    expect(phone).to_contain_text("(phone number)")
    expect(page.locator("mark", has_text="Chloe Adams")).to_contain_text("(name of a person)")
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("button", name="Replace with “[phone number]”").click()
    expect(page.get_by_text("Replaced with “[phone number]”; the draft is saved.")).to_be_visible()
    text = page.locator(".privacy-marked")
    expect(text).to_contain_text("Her phone number is [phone number]; we agreed")
    expect(page.locator("mark", has_text="07700 900123")).to_have_count(0)

    with page.expect_navigation():
        page.get_by_role("button", name="Replace with “CA”").click()
    # nothing left to mark: the text is shown formatted again, and the check says what was done
    expect(page.locator(".privacy-marked")).to_have_count(0)
    expect(page.locator(".rendered").first).to_contain_text("I met CA at the Jobcentre")
    expect(page.get_by_text("2 replaced with placeholders")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == []


def test_erasure_page_is_accessible_and_fits_a_phone(page, live_server) -> None:
    """The administrator's erasure page says what goes and what stays (nothing is erased here:
    the demo data is shared by the browser tests)."""
    login(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people")
    href = (
        page.locator("tr", has_text="learner4@example.org").locator("a").first.get_attribute("href")
    )
    page.goto(f"{live_server}{href}")
    expect(page.get_by_role("button", name="Download everything held about")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Erase this person's personal data on their request").click()
    expect(page.get_by_role("heading", name="What is kept")).to_be_visible()
    expect(page.get_by_label("Yes, erase this person's personal data.")).not_to_be_checked()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{live_server}/admin/retention")
    expect(page.get_by_text("Nothing is due.")).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
