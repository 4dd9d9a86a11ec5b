"""The API's pages in Chromium: a learner makes a token on the account page, sees it once, and
the page and the API reference pass axe-core and fit a 375 px phone (demo data)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.browser.conftest import DEMO_PASSWORD, axe_violations, login

pytestmark = pytest.mark.browser


def test_make_a_token_then_read_the_reference(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "learner2@example.org")
        page.goto(f"{live_server}/account")
        page.get_by_role("link", name="Make and revoke tokens for the API").click()
        page.get_by_label("Name (what the token is for)").fill("Phone script")
        page.get_by_label("Read what you may see", exact=False).check()
        with page.expect_navigation():  # axe and the width read the answer, not the form
            page.get_by_role("button", name="Make token").click()
        secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
        assert secret.startswith("pat_")
        problems = [f"tokens: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        answer = page.request.get(
            f"{live_server}/api/v1/frameworks", headers={"Authorization": f"Bearer {secret}"}
        )
        assert answer.status == 200 and answer.json()["items"]
        page.goto(f"{live_server}/account/tokens")
        assert secret not in page.content()
        page.goto(f"{live_server}/api/v1/docs")
        problems += [f"docs: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        assert problems == []
        assert max(widths) <= 375, widths
    finally:
        context.close()


def test_an_old_sign_in_gives_the_password_again_then_makes_a_token(browser, live) -> None:
    """After 15 minutes the tokens page asks for the password (by keyboard, axe-core clean, at
    375 px) before it offers the form; then a token is made."""
    from datetime import timedelta

    from sqlmodel import update

    from portfolio.db import session_scope
    from portfolio.models import Person
    from portfolio.models.base import utcnow
    from portfolio.models.logins import LoginSession

    context = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live.url, "learner3@example.org")
        with session_scope(live.engine) as session:
            person = session.exec(
                select(Person).where(Person.email == "learner3@example.org")
            ).one()
            session.exec(
                update(LoginSession)
                .where(LoginSession.person_id == person.id)
                .values(created_at=utcnow() - timedelta(minutes=20))
            )
        page.goto(f"{live.url}/account/tokens")
        assert page.get_by_role("button", name="Make token").count() == 0
        problems = [f"confirm: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        page.get_by_label("Your password").fill("not-the-password")
        page.keyboard.press("Enter")
        page.get_by_text("That is not your password.").first.wait_for()
        problems += [f"wrong: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        page.get_by_label("Your password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.get_by_label("Name (what the token is for)").fill("Laptop script")
        page.get_by_label("Read what you may see", exact=False).check()
        page.get_by_role("button", name="Make token").click()
        secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
        assert secret.startswith("pat_")
        assert problems == []
        assert max(widths) <= 375, widths
    finally:
        context.close()


def test_with_two_step_on_the_password_again_needs_a_code_too(browser, live) -> None:
    """A person with two-step verification on gives a code with the password (as at log-in):
    the password alone is refused beside the code field; the page passes axe-core and fits 375 px
    with the code fields and with the error."""
    import time
    import uuid
    from datetime import timedelta

    import pyotp
    from sqlmodel import update

    from portfolio.db import session_scope
    from portfolio.models import Person
    from portfolio.models.base import utcnow
    from portfolio.models.logins import LoginSession
    from portfolio.services import people, two_step
    from portfolio.services.actors import Actor
    from portfolio.services.people import SYSTEM

    email = f"token-two-step-{uuid.uuid4().hex[:6]}@example.org"
    with session_scope(live.engine) as session:  # a person of its own: others log in alone
        person = people.create_person(
            session, actor=SYSTEM, name="Tam Token", email=email, roles="learner",
            password=DEMO_PASSWORD,
        )  # fmt: skip
        person_id = person.id
    context = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live.url, email)
        secret = two_step.new_secret()
        totp = pyotp.TOTP(secret)
        with session_scope(live.engine) as session:  # turned on in this session, then aged
            actor = Actor.of(session.get(Person, person_id))
            two_step.turn_on(session, actor=actor, secret=secret, code=totp.now())
            session.exec(
                update(LoginSession)
                .where(LoginSession.person_id == person_id)
                .values(created_at=utcnow() - timedelta(minutes=20))
            )
        page.goto(f"{live.url}/account/tokens")
        assert page.get_by_role("button", name="Make token").count() == 0
        code = page.get_by_label("6-digit code from your authenticator app")
        assert code.get_attribute("autocomplete") == "one-time-code"
        problems = [f"confirm: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        page.get_by_label("Your password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.get_by_text("Type the 6-digit code your app shows").first.wait_for()
        assert page.get_by_role("button", name="Make token").count() == 0
        problems += [f"no code: {v['id']} {v['nodes']}" for v in axe_violations(page)]
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        page.get_by_label("Your password").fill(DEMO_PASSWORD)
        page.get_by_label("6-digit code from your authenticator app").fill(
            totp.at(time.time() + 30)  # the next step: the one that turned it on is spent
        )
        page.get_by_role("button", name="Confirm").click()
        page.get_by_label("Name (what the token is for)").fill("Laptop script")
        page.get_by_label("Read what you may see", exact=False).check()
        page.get_by_role("button", name="Make token").click()
        secret_made = page.get_by_role("textbox", name="Token", exact=True).input_value()
        assert secret_made.startswith("pat_")
        assert problems == []
        assert max(widths) <= 375, widths
    finally:
        context.close()
