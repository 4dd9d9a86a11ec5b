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


def test_the_site_icon_loads_under_the_pages_policy(page, live_server) -> None:
    """The icon every page names, and /favicon.ico that browsers ask for unbidden, load (a 404
    was a console error on every page); loading it as an image breaks no Content-Security-Policy."""
    failed: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    assert href is not None
    for url in (href, "/favicon.ico"):
        loaded = page.evaluate(
            """url => new Promise(done => { const i = new Image(); i.onload = () => done(true);
            i.onerror = () => done(false); i.src = url; })""",
            url,
        )
        assert loaded, url
    assert failed == [] and errors == []
