"""A real browser logs in on the real server and sees the home page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.browser


def test_demo_learner_logs_in_and_sees_home(page, live_server) -> None:
    login(page, live_server, "learner1@example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Lena Learner"
    assert page.get_by_role("button", name="Log out").is_visible()


def test_login_page_is_accessible_and_keyboard_usable(page, live_server) -> None:
    page.goto(f"{live_server}/login")
    assert axe_violations(page) == []
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"


def test_wrong_password_shows_error(page, live_server) -> None:
    login(page, live_server, "learner2@example.org", password="not-the-password")
    assert "do not match" in page.content()
