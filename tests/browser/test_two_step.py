"""Two-step verification in real Chromium at a phone's width: a person turns it on with the
secret the page shows (the code computed by pyotp, as their app would), keeps the recovery
codes, logs out, and logs in again with their password and a code. No WCAG A/AA violation that
axe-core finds on either page; nothing wider than the screen."""

from __future__ import annotations

import time
import uuid

import pyotp
import pytest

from demo.accounts import DEMO_PASSWORD
from portfolio.db import session_scope
from portfolio.services import people
from portfolio.services.people import SYSTEM
from tests.browser.conftest import PHONE_WIDTH, axe_violations, login

pytestmark = pytest.mark.browser


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH)


def test_turn_on_two_step_then_log_in_with_a_code(page, live, live_server) -> None:
    email = f"two-step-{uuid.uuid4().hex[:6]}@example.org"
    with session_scope(live.engine) as session:  # a person of its own: other tests log in alone
        people.create_person(
            session, actor=SYSTEM, name="Sam Two-Step", email=email, roles="assessor",
            password=DEMO_PASSWORD,
        )  # fmt: skip
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    login(page, live_server, email)
    page.goto(f"{live_server}/account")
    with page.expect_navigation():
        page.get_by_role("link", name="Turn on or off a code from your phone at log-in").click()
    assert page.get_by_role("heading", name="Turn it on").is_visible()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert _fits(page)
    assert axe_violations(page) == []

    secret = page.locator("#secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    code = page.get_by_label("6-digit code from your authenticator app")
    assert code.get_attribute("autocomplete") == "one-time-code"
    assert code.get_attribute("inputmode") == "numeric"
    code.fill(totp.now())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step verification").click()
    heading = "Two-step verification is on: keep your recovery codes"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(".recovery-codes li").count() == 10
    assert _fits(page)
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").first.click()
    login(page, live_server, email)
    page.wait_for_url(f"{live_server}/login/code*")
    assert page.get_by_role("heading", name="Two-step verification").is_visible()
    assert _fits(page)
    assert axe_violations(page) == []
    # the code of the next time step: the one used to turn it on is not accepted again
    page.get_by_label("6-digit code from your authenticator app").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("button", name="Log out").first.is_visible()
