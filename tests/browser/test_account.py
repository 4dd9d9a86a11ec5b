"""The account page and the forgotten-password page: labelled fields, errors beside them, no
WCAG A/AA violation that axe-core finds (real Chromium)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def test_account_and_forgotten_password_pages(page, live_server) -> None:
    login(page, live_server, "learner2@example.org")
    with page.expect_navigation():
        page.get_by_role("link", name="Your account").click()
    assert page.get_by_role("heading", name="Your account").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password (at least 8 characters)").fill("a-new-password")
    page.get_by_label("New password again").fill("a-new-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Change password").click()
    current = page.get_by_label("Current password")
    assert current.get_attribute("aria-invalid") == "true"
    assert "That is not your current password." in page.locator("#current-error").inner_text()
    assert page.get_by_role("button", name="Log out everywhere").is_visible()
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Forgotten your password?").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Send me a link").click()
    assert (
        page.get_by_label("E-mail address of your account").get_attribute("aria-invalid") == "true"
    )
    assert axe_violations(page) == []
