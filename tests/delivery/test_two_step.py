# ruff: noqa: F811 - the mail fixtures come from the password-reset tests
"""Two-step verification (TOTP): turning it on (a wrong confirming code stores nothing), the
second step of the log-in, a code accepted once, recovery codes used once, turning it off, an
administrator's reset, and the password reset that leaves it on. Codes are computed with pyotp
from the secret the page shows, as a person's app would."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portfolio.models import AuditEntry, Person, RecoveryCode, TwoStep
from portfolio.models.base import utcnow
from portfolio.services import people, two_step
from tests.conftest import PASSWORD
from tests.delivery.test_password_reset import inbox, mail_app  # noqa: F401 - the fixtures


class Clock:
    """The clock the service reads, moved by whole 30-second steps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utcnow()
        monkeypatch.setattr(two_step, "utcnow", lambda: self.now)

    def step(self, steps: int = 1) -> None:
        self.now += timedelta(seconds=30 * steps)

    def code(self, secret: str, steps: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.now + timedelta(seconds=30 * steps))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _secret(client: FlaskClient) -> str:
    page = client.get("/account/two-step")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', html)
    assert found, html
    return found.group(1).replace(" ", "")


def _turn_on(client: FlaskClient, clock: Clock) -> tuple[str, list[str]]:
    """Turn it on for the client's person: the secret and the recovery codes shown."""
    secret = _secret(client)
    r = client.post(
        "/account/two-step", data={"on-code": clock.code(secret), "on-turn_on": "Turn on"}
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", r.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _password(client: FlaskClient, person: Person, **kw: Any) -> Any:
    return client.post("/login", data={"email": person.email, "password": PASSWORD}, **kw)


def _code(client: FlaskClient, code: str = "", recovery: str = "", **kw: Any) -> Any:
    return client.post("/login/code", data={"code": code, "recovery": recovery}, **kw)


def _actions(session: Session, person: Person, action: str) -> int:
    session.expire_all()
    found = session.exec(
        select(AuditEntry).where(AuditEntry.action == action, AuditEntry.subject_id == person.id)
    ).all()
    return len(found)


def test_turning_on_with_a_wrong_code_is_refused_and_stores_nothing(auth, client, session, clock):
    person = auth.login("learner")
    secret = _secret(client)
    html = client.get("/account/two-step").get_data(as_text=True)
    assert re.search(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", html)  # the secret in groups of four
    assert '<svg role="img"' in html and "<title>QR code" in html  # the QR code, inline
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert 'for="on-code"' in html
    wrong = str((int(clock.code(secret)) + 1) % 1_000_000).zfill(6)
    r = client.post("/account/two-step", data={"on-code": wrong, "on-turn_on": "Turn on"})
    assert r.status_code == 422
    assert "does not match" in r.get_data(as_text=True)
    assert secret in r.get_data(as_text=True).replace(" ", "")  # the same secret, to try again
    session.expire_all()
    assert session.get(TwoStep, person.id) is None
    assert session.exec(select(RecoveryCode).where(RecoveryCode.person_id == person.id)).all() == []
    assert _actions(session, person, "person.two_step_on") == 0


def test_turning_on_keeps_only_hashes_of_ten_recovery_codes(auth, client, session, clock):
    person = auth.login("learner")
    secret, codes = _turn_on(client, clock)
    session.expire_all()
    row = session.get(TwoStep, person.id)
    assert row is not None and secret not in row.secret  # stored encrypted (test_two_step_sealed)
    hashes = session.exec(
        select(RecoveryCode.code_hash).where(RecoveryCode.person_id == person.id)
    ).all()
    assert len(set(hashes)) == 10
    assert not any(c.replace("-", "") in h or c in h for c in codes for h in hashes)
    assert _actions(session, person, "person.two_step_on") == 1
    # shown once: the page no longer lists them, it says how many are left
    html = client.get("/account/two-step").get_data(as_text=True)
    assert codes[0] not in html and "10 of your recovery codes are unused" in html


def test_log_in_asks_for_the_code_before_the_session_begins(app, auth, client, session, clock):
    person = auth.login("assessor")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    fresh = app.test_client()
    r = _password(fresh, person, query_string={"next": "/account"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login/code")
    assert fresh.get("/").status_code == 302  # no session yet
    page = fresh.get(r.headers["Location"]).get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert 'for="code"' in page and 'for="recovery"' in page
    clock.step()
    wrong = _code(fresh, "000000" if clock.code(secret) != "000000" else "111111")
    assert wrong.status_code == 200 and "does not match" in wrong.get_data(as_text=True)
    assert fresh.get("/").status_code == 302
    ok = _code(fresh, clock.code(secret), query_string={"next": "/account"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/account"
    assert fresh.get("/").status_code == 200
    session.expire_all()
    entry = session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "auth.login", AuditEntry.subject_id == person.id)
        .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
    ).first()
    assert entry is not None and entry.data == {"second_step": "code"}


def test_a_code_is_accepted_once_within_one_step_of_drift(app, auth, client, clock):
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    clock.step(3)
    first = app.test_client()
    _password(first, person)
    used = clock.code(secret)
    assert _code(first, used).status_code == 302
    second = app.test_client()  # the same code again (someone looking over a shoulder)
    _password(second, person)
    again = _code(second, used)
    assert again.status_code == 200 and second.get("/").status_code == 302
    # a code of the step before the one used is too old now; one of the next step is taken
    assert _code(second, clock.code(secret, -1)).status_code == 200
    assert _code(second, clock.code(secret, +1)).status_code == 302


def test_two_steps_ahead_is_too_far(app, auth, client, clock):
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    clock.step(3)
    early = app.test_client()
    _password(early, person)
    assert _code(early, clock.code(secret, +2)).status_code == 200
    assert early.get("/").status_code == 302


def test_the_step_before_is_accepted_for_a_slow_phone(app, auth, client, clock):
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    clock.step(5)
    late = app.test_client()
    _password(late, person)
    assert _code(late, clock.code(secret, -1)).status_code == 302


def test_a_recovery_code_works_once(app, auth, client, session, clock):
    person = auth.login("learner")
    _secret_, codes = _turn_on(client, clock)
    auth.logout()
    first = app.test_client()
    _password(first, person)
    r = _code(first, recovery=codes[3].upper().replace("-", " "))  # as typed from paper
    assert r.status_code == 302
    home = first.get("/")
    assert home.status_code == 200 and "9 are left" in home.get_data(as_text=True)
    second = app.test_client()
    _password(second, person)
    assert _code(second, recovery=codes[3]).status_code == 200
    assert second.get("/").status_code == 302
    assert _code(second, recovery=codes[4]).status_code == 302


def test_turning_off_needs_the_password_and_a_code(auth, client, session, clock):
    person = auth.login("learner")
    secret, codes = _turn_on(client, clock)
    clock.step()
    no_password = client.post(
        "/account/two-step",
        data={"off-code": clock.code(secret), "off-password": "not-it-at-all", "off-turn_off": "x"},
    )
    assert no_password.status_code == 422 and "not your current password" in (
        no_password.get_data(as_text=True)
    )
    off = client.post(
        "/account/two-step",
        data={"off-recovery": codes[0], "off-password": PASSWORD, "off-turn_off": "x"},
    )
    assert off.status_code == 302
    session.expire_all()
    assert session.get(TwoStep, person.id) is None
    assert session.exec(select(RecoveryCode).where(RecoveryCode.person_id == person.id)).all() == []
    assert _actions(session, person, "person.two_step_off") == 1


def test_wrong_codes_make_the_account_wait_and_a_right_password_does_not_clear_them(
    app, auth, client, session, clock, monkeypatch
):
    app.config["LOGIN_DELAY_SECONDS"] = 45  # after 3 failures in a row
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    monkeypatch.setattr(people, "utcnow", lambda: clock.now)
    tries = app.test_client()
    for _ in range(3):
        _password(tries, person)
        assert (
            _code(tries, "123456" if clock.code(secret, 1) != "123456" else "654321").status_code
            == 200
        )
    session.expire_all()
    assert session.get(Person, person.id).failed_logins == 3
    clock.step()
    # waiting: the password is not even tried, nor is the right code
    assert _password(tries, person).status_code == 200
    clock.step()
    assert _password(tries, person).status_code == 302  # the wait is over: the code is asked
    session.expire_all()
    assert session.get(Person, person.id).failed_logins == 3  # not cleared by the password
    assert _code(tries, clock.code(secret)).status_code == 302
    session.expire_all()
    assert session.get(Person, person.id).failed_logins == 0


def test_wrong_codes_count_in_the_per_address_failure_limit(app, auth, client, clock):
    app.config["LOGIN_FAILURE_LIMIT"] = "3 per hour"
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    guesser = app.test_client()
    there = {"REMOTE_ADDR": "10.9.9.9"}
    assert _password(guesser, person, environ_base=there).status_code == 302
    answers = [_code(guesser, "000001", environ_base=there).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # the count is shared with wrong passwords: the log-in form is refused too
    r = guesser.post(
        "/login", data={"email": person.email, "password": "wrong"}, environ_base=there
    )
    assert r.status_code == 429


def test_the_second_step_lapses_and_a_password_change_voids_it(
    app, auth, client, clock, monkeypatch
):
    import time as real_time

    from delivery.web import second_step

    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    slow = app.test_client()
    _password(slow, person)
    later = real_time.time() + second_step.PENDING_SECONDS + 1
    monkeypatch.setattr(second_step.time, "time", lambda: later)
    clock.step()
    r = _code(slow, clock.code(secret))
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert slow.get("/").status_code == 302
    monkeypatch.undo()


def test_a_password_reset_leaves_two_step_on(app, auth, client, make_person, session, clock):
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    admin = make_person("admin")
    staff = app.test_client()
    _password(staff, admin)
    r = staff.post(
        f"/admin/people/{person.id}",
        data={"pw-password": "new-password-1", "pw-confirm": "new-password-1",
              "pw-reset": "Reset password"},
    )  # fmt: skip
    assert r.status_code == 302
    session.expire_all()
    assert session.get(TwoStep, person.id) is not None
    fresh = app.test_client()
    r = fresh.post("/login", data={"email": person.email, "password": "new-password-1"})
    assert r.headers["Location"].startswith("/login/code")


def test_an_administrator_resets_it_and_the_person_is_emailed(
    mail_app, inbox, make_person, session, clock
):
    handler, _port = inbox
    person = make_person("assessor")
    theirs = mail_app.test_client()
    _password(theirs, person)
    _turn_on(theirs, clock)
    admin = make_person("admin")
    staff = mail_app.test_client()
    _password(staff, admin)
    page = staff.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Reset two-step verification" in page
    unticked = staff.post(f"/admin/people/{person.id}", data={"ts-reset_two_step": "Reset"})
    assert unticked.status_code == 422
    session.expire_all()
    assert session.get(TwoStep, person.id) is not None
    r = staff.post(
        f"/admin/people/{person.id}", data={"ts-sure": "y", "ts-reset_two_step": "Reset"}
    )
    assert r.status_code == 302
    session.expire_all()
    assert session.get(TwoStep, person.id) is None
    assert session.exec(select(RecoveryCode).where(RecoveryCode.person_id == person.id)).all() == []
    assert _actions(session, person, "person.two_step_reset") == 1
    recipients, message = handler.next()
    assert recipients == [person.email]
    assert "Two-step verification was turned off" in message["Subject"]
    fresh = mail_app.test_client()
    assert _password(fresh, person).headers["Location"] == "/"  # the password alone


def test_only_administrators_reset_it(session, make_person) -> None:
    from portfolio.errors import PermissionDenied
    from tests.conftest import actor_of

    learner = make_person("learner")
    with pytest.raises(PermissionDenied):
        two_step.reset(session, actor=actor_of(make_person("assessor")), person_id=learner.id)


def test_under_the_centre_rule_staff_turn_it_on_before_any_other_page(app, make_person, clock):
    app.config["REQUIRE_TWO_STEP_FOR_STAFF"] = True
    assessor = make_person("assessor")
    client = app.test_client()
    r = _password(client, assessor)
    assert r.status_code == 302 and r.headers["Location"] == "/account/two-step"
    for path in ("/", "/caseload", "/account", "/account/tokens"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"] == "/account/two-step", path
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "Your centre asks staff to use two-step verification" in page
    secret, _codes = _turn_on(client, clock)
    assert client.get("/caseload").status_code == 200
    clock.step()
    off = client.post(
        "/account/two-step",
        data={"off-code": clock.code(secret), "off-password": PASSWORD, "off-turn_off": "x"},
    )
    assert off.status_code == 422 and "cannot be turned off" in off.get_data(as_text=True)
    # a learner is not obliged, and with the rule off (the default) staff are not either
    learner = app.test_client()
    assert _password(learner, make_person("learner")).headers["Location"] == "/"
    app.config["REQUIRE_TWO_STEP_FOR_STAFF"] = False
    other = app.test_client()
    assert _password(other, make_person("iqa")).headers["Location"] == "/"


def test_a_password_change_between_the_steps_voids_the_first(app, auth, client, session, clock):
    from tests.conftest import actor_of

    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    auth.logout()
    halfway = app.test_client()
    assert _password(halfway, person).status_code == 302
    people.set_password(session, actor=actor_of(person), person_id=person.id, password="x" * 12)
    session.commit()
    clock.step()
    r = _code(halfway, clock.code(secret))
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert halfway.get("/").status_code == 302
