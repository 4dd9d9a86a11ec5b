"""Making an API token asks for a recent sign-in ("sudo mode"): a token lasts up to a year and
outlives "log out everywhere" and a password change, so a session taken over (a cookie copied,
a computer left logged in) must not be enough to make one. The session's sign-in (log-in, VLE
launch) or the password given again must be less than 15 minutes old; the service that makes
tokens checks it, not only the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select, update

from portfolio.errors import Invalid
from portfolio.models import ApiToken, TwoStep
from portfolio.models.base import utcnow
from portfolio.models.logins import LoginSession
from portfolio.services import logins, tokens, two_step
from portfolio.services.actors import Actor
from tests.conftest import PASSWORD

MAKE = {"name": "My laptop", "scopes": ["read"], "days": "30"}


def _cookie(client: FlaskClient, app: Flask) -> str:
    """The session's value in the browser's signed cookie (``<token>.<tag>``)."""
    found = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert found is not None
    data = app.session_interface.get_signing_serializer(app).loads(found.value)  # type: ignore[attr-defined]
    return str(data["_user_id"])


def _age(session, person_id: int, minutes: int) -> None:
    """The person's sessions began ``minutes`` ago (their sign-in is that old)."""
    then = utcnow() - timedelta(minutes=minutes)
    session.exec(
        update(LoginSession)
        .where(LoginSession.person_id == person_id)
        .values(created_at=then, last_seen_at=utcnow())
    )
    session.commit()


def _tokens(session, person_id: int) -> list[ApiToken]:
    session.expire_all()
    return list(session.exec(select(ApiToken).where(ApiToken.person_id == person_id)))


def test_a_fresh_log_in_makes_a_token_at_once(client, auth, session) -> None:
    person = auth.login("learner")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Make token" in page and "Give your password again" not in page
    assert client.post("/account/tokens", data=MAKE).status_code == 200
    assert len(_tokens(session, person.id)) == 1


def test_an_old_sign_in_must_give_the_password_again(client, auth, session) -> None:
    person = auth.login("assessor")
    _age(session, person.id, 16)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Give your password again" in page and "Make token" not in page
    assert "open the portfolio from your VLE again" in page  # for those who sign in there
    assert 'autocomplete="current-password"' in page
    # the token form sent anyway (a page left open): no token, the password asked for
    sent = client.post("/account/tokens", data=MAKE)
    assert sent.status_code == 422 and "Give your password again" in sent.get_data(as_text=True)
    assert _tokens(session, person.id) == []
    wrong = client.post("/account/tokens", data={"confirm-password": "not-it-at-all",
                                                 "confirm-submit": "Confirm"})  # fmt: skip
    assert wrong.status_code == 422
    assert "That is not your password." in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).count('<li><a href="#') == 1  # only the form sent
    empty = client.post(
        "/account/tokens", data={"confirm-password": "", "confirm-submit": "Confirm"}
    )
    assert empty.status_code == 422 and 'id="confirm-password-error"' in empty.get_data(
        as_text=True
    )
    assert "Make token" not in wrong.get_data(as_text=True)
    right = client.post("/account/tokens", data={"confirm-password": PASSWORD,
                                                 "confirm-submit": "Confirm"})  # fmt: skip
    assert right.status_code == 302 and right.headers["Location"] == "/account/tokens"
    assert "Make token" in client.get("/account/tokens").get_data(as_text=True)
    assert client.post("/account/tokens", data=MAKE).status_code == 200
    assert len(_tokens(session, person.id)) == 1


def test_a_confirmation_lasts_15_minutes_too(client, auth, session) -> None:
    person = auth.login("learner")
    _age(session, person.id, 60)
    client.post("/account/tokens", data={"confirm-password": PASSWORD, "confirm-submit": "Confirm"})
    session.exec(
        update(LoginSession)
        .where(LoginSession.person_id == person.id)
        .values(confirmed_at=utcnow() - timedelta(minutes=16))
    )
    session.commit()
    assert "Give your password again" in client.get("/account/tokens").get_data(as_text=True)


def test_the_service_checks_the_sign_in_itself(app, client, auth, session, make_person) -> None:
    person = auth.login("learner")
    me = Actor.of(person)
    mine = _cookie(client, app)
    with pytest.raises(Invalid, match="Give your password again"):  # no session named
        tokens.create(session, actor=me, person_id=person.id, name="x", scopes=["read"])
    other = make_person("learner")
    theirs = app.test_client()
    theirs.post("/login", data={"email": other.email, "password": PASSWORD})
    with pytest.raises(Invalid, match="Give your password again"):  # someone else's session
        tokens.create(session, actor=me, person_id=person.id, name="x", scopes=["read"],
                      login=_cookie(theirs, app))  # fmt: skip
    made = tokens.create(session, actor=me, person_id=person.id, name="x", scopes=["read"],
                         login=mine)  # fmt: skip
    assert made.secret.startswith("pat_")
    session.rollback()
    _age(session, person.id, 16)
    with pytest.raises(Invalid, match="Give your password again"):
        tokens.create(session, actor=me, person_id=person.id, name="x", scopes=["read"],
                      login=mine)  # fmt: skip
    client.post("/logout")
    with pytest.raises(Invalid, match="Give your password again"):  # an ended session
        two_step.confirm_sign_in(session, actor=me, login=mine, password=PASSWORD)
    assert _tokens(session, person.id) == []


def test_a_vle_launch_counts_as_a_sign_in(client, auth, session) -> None:
    """A launch from the VLE begins a new session (its sign-in time is the launch's): here the
    session is begun as a launch begins it."""
    person = auth.login("learner")
    _age(session, person.id, 30)
    assert not logins.signed_in_recently(session, login=None, person_id=person.id)
    from portfolio.models import Person

    cookie = logins.start(session, person=session.get(Person, person.id))
    session.commit()
    assert logins.signed_in_recently(session, login=cookie, person_id=person.id)


def _two_step_on(client: FlaskClient, session, person_id: int) -> tuple[str, list[str]]:
    """Turn two-step verification on for the client's person, through its page: the secret and
    the recovery codes shown."""
    import re

    import pyotp

    secret = two_step.new_secret()
    with client.session_transaction() as cookie:
        cookie["two_step_setup"] = secret
    made = client.post(
        "/account/two-step", data={"on-code": pyotp.TOTP(secret).now(), "on-turn_on": "Turn on"}
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", made.get_data(as_text=True))
    assert len(codes) == 10
    # the code just used is spent: the next ones come from a later time step
    session.exec(update(TwoStep).where(TwoStep.person_id == person_id).values(last_step=0))
    session.commit()
    return secret, codes


def test_with_two_step_on_the_password_alone_does_not_confirm(client, auth, session) -> None:
    """As at log-in, a person with two-step verification on gives a code from their app (or a
    recovery code) with the password: the password alone, copied or guessed, is not enough to
    make a token in a session taken over."""
    import pyotp

    person = auth.login("assessor")
    secret, codes = _two_step_on(client, session, person.id)
    _age(session, person.id, 16)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Give your password again" in page and "Make token" not in page
    assert 'id="confirm-code"' in page and 'autocomplete="one-time-code"' in page
    assert 'id="confirm-recovery"' in page
    alone = client.post("/account/tokens", data={"confirm-password": PASSWORD,
                                                 "confirm-submit": "Confirm"})  # fmt: skip
    assert alone.status_code == 422
    assert 'id="confirm-code-error"' in alone.get_data(as_text=True)
    assert not logins.signed_in_recently(session, login=_cookie(client, client.application),
                                         person_id=person.id)  # fmt: skip
    wrong = client.post("/account/tokens", data={"confirm-password": PASSWORD, "confirm-code":
                                                 "000000", "confirm-submit": "Confirm"})  # fmt: skip
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    assert client.post("/account/tokens", data=MAKE).status_code == 422
    # the code, but a wrong password: refused, and the code is not spent
    code = pyotp.TOTP(secret).now()
    bad = client.post("/account/tokens", data={"confirm-password": "not-it-at-all", "confirm-code":
                                               code, "confirm-submit": "Confirm"})  # fmt: skip
    assert bad.status_code == 422 and "That is not your password." in bad.get_data(as_text=True)
    right = client.post("/account/tokens", data={"confirm-password": PASSWORD, "confirm-code":
                                                  code, "confirm-submit": "Confirm"})  # fmt: skip
    assert right.status_code == 302, right.get_data(as_text=True)
    assert client.post("/account/tokens", data=MAKE).status_code == 200
    assert len(_tokens(session, person.id)) == 1


def test_with_two_step_on_a_recovery_code_confirms_once(client, auth, session) -> None:
    person = auth.login("learner")
    _secret, codes = _two_step_on(client, session, person.id)
    _age(session, person.id, 16)
    given = {"confirm-password": PASSWORD, "confirm-recovery": codes[0],
             "confirm-submit": "Confirm"}  # fmt: skip
    first = client.post("/account/tokens", data=given, follow_redirects=True)
    assert first.status_code == 200 and "9 are left" in first.get_data(as_text=True)
    assert "Make token" in first.get_data(as_text=True)
    _age(session, person.id, 16)
    session.exec(update(LoginSession).where(LoginSession.person_id == person.id)
                 .values(confirmed_at=None))  # fmt: skip
    session.commit()
    again = client.post("/account/tokens", data=given)
    assert again.status_code == 422 and "does not match" in again.get_data(as_text=True)


def test_the_service_asks_for_the_code_itself(app, client, auth, session) -> None:
    person = auth.login("learner")
    _two_step_on(client, session, person.id)
    _age(session, person.id, 16)
    me = Actor.of(person)
    with pytest.raises(Invalid, match="code") as told:
        two_step.confirm_sign_in(session, actor=me, login=_cookie(client, app), password=PASSWORD)
    assert told.value.field == "code"
    with pytest.raises(Invalid, match="does not match"):
        two_step.confirm_sign_in(session, actor=me, login=_cookie(client, app),
                                 password=PASSWORD, code="123456")  # fmt: skip
    assert not logins.signed_in_recently(session, login=_cookie(client, app), person_id=person.id)
