"""Failed log-ins: progressive delays per account instead of a lock-out anyone could cause, and
rate limits per client address (Flask-Limiter) answering 429 with Retry-After."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from portfolio.models.base import utcnow
from portfolio.services import people
from portfolio.services.people import Delays
from tests.conftest import PASSWORD


def _try(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, None), (2, None), (3, 2), (4, 4), (5, 8), (10, 256), (11, 300), (40, 300)],
)
def test_the_wait_grows_with_each_failure_up_to_a_limit(failures, wait) -> None:
    found = Delays(after=3, first=2, longest=300).wait(failures)
    assert found == (timedelta(seconds=wait) if wait is not None else None)


def test_five_wrong_passwords_no_longer_lock_the_owner_out(app, client, make_person, monkeypatch):
    """Before: five wrong passwords locked the account for 15 minutes, whoever typed them."""
    person = make_person("learner")
    start = utcnow()
    monkeypatch.setattr(people, "utcnow", lambda: start)
    for _ in range(5):
        r = _try(client, person.email, "wrong-password", address="10.0.0.66")
        assert r.status_code == 200 and "do not match" in r.get_data(as_text=True)
    # the owner, from another address, once the (short) wait is over: in
    monkeypatch.setattr(people, "utcnow", lambda: start + timedelta(seconds=301))
    r = _try(client, person.email, PASSWORD, address="10.0.0.7")
    assert r.status_code == 302


def test_during_the_wait_no_password_is_tried(session: Session, make_person, monkeypatch):
    person = make_person("learner")
    delays = Delays(after=3, first=10, longest=60)
    start = utcnow()
    monkeypatch.setattr(people, "utcnow", lambda: start)
    for _ in range(3):
        assert (
            people.authenticate(session, email=person.email, password="nope-nope", delays=delays)
            is None
        )
    assert person.failed_logins == 3
    # within the 10 s wait even the right password is not tried, and the try does not count
    monkeypatch.setattr(people, "utcnow", lambda: start + timedelta(seconds=9))
    assert (
        people.authenticate(session, email=person.email, password=PASSWORD, delays=delays) is None
    )
    assert person.failed_logins == 3
    # after it, a wrong one doubles the wait; after that, the right one works
    monkeypatch.setattr(people, "utcnow", lambda: start + timedelta(seconds=11))
    assert people.authenticate(session, email=person.email, password="nope", delays=delays) is None
    assert person.locked_until == start + timedelta(seconds=11 + 20)
    monkeypatch.setattr(people, "utcnow", lambda: start + timedelta(seconds=32))
    found = people.authenticate(session, email=person.email, password=PASSWORD, delays=delays)
    assert found is not None and found.id == person.id
    assert person.failed_logins == 0 and person.locked_until is None


def test_an_account_with_no_password_is_refused_by_the_service(session: Session, make_person):
    person = make_person("learner")
    person.password_hash = ""
    session.add(person)
    for password in ("", "x", PASSWORD):
        assert people.authenticate(session, email=person.email, password=password) is None


def test_too_many_log_ins_from_one_address_get_429_with_retry_after(app: Flask, make_person):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    person = make_person("learner")
    client = app.test_client()
    for _ in range(3):
        assert _try(client, person.email, PASSWORD, address="10.1.1.1").status_code == 302
        client.post("/logout")
    refused = _try(client, person.email, PASSWORD, address="10.1.1.1")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    text = refused.get_data(as_text=True)
    assert "Too many attempts" in text
    assert re.search(r"Wait (\d+ seconds?|about \d+ minutes), then try again", text), text
    # another address is not held up; nor is any other page
    assert _try(app.test_client(), person.email, PASSWORD, address="10.1.1.2").status_code == 302
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200


def test_password_spraying_across_accounts_from_one_address_is_limited(app: Flask, make_person):
    app.config["LOGIN_FAILURE_LIMIT"] = "4 per hour"
    victims = [make_person("learner") for _ in range(6)]
    client = app.test_client()
    answers = [
        _try(client, v.email, "Summer2026!", address="10.2.2.2").status_code for v in victims
    ]
    assert answers == [200, 200, 200, 200, 429, 429]
    # only failures count: an address whose log-ins succeed is not held up by this limit
    other = app.test_client()
    for v in victims[:5]:
        assert _try(other, v.email, PASSWORD, address="10.2.2.3").status_code == 302


def test_the_limits_apply_to_the_log_in_post_only(app: Flask, auth, client) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "1 per hour"
    auth.login("admin")
    for _ in range(5):
        assert client.get("/login").status_code in (200, 302)
        assert client.get("/").status_code == 200


def test_behind_a_proxy_the_limit_counts_the_forwarded_client_address(
    engine, connection, tmp_path, make_person
) -> None:
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app(
        {
            "ENGINE": engine,
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path),
            "PROXY_HOPS": 1,
            "LOGIN_FAILURE_LIMIT": "2 per hour",
        }
    )
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    person = make_person("learner")
    client = app.test_client()

    def attempt(forwarded: str) -> int:
        return client.post(
            "/login",
            data={"email": person.email, "password": "wrong-password"},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.2") == 200  # another client behind the same proxy


def test_with_redis_configured_every_worker_shares_the_counts(
    engine, connection, tmp_path, make_person
) -> None:
    """Two apps stand for two worker processes: failures counted by one refuse the other, and
    the counts are kept in Redis."""
    import os
    import uuid

    from redis import Redis
    from redis.exceptions import RedisError

    from delivery.web.app import create_app
    from tests.conftest import _session_on

    url = os.environ.get("PORTFOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url).ping()
    except RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable (and CI is unset)")
    prefix = f"test-{uuid.uuid4().hex}"
    person = make_person("learner")

    def worker() -> Flask:
        app = create_app(
            {
                "ENGINE": engine,
                "SECRET_KEY": "x",
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_PATH": str(tmp_path),
                "REDIS_URL": url,
                "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_FAILURE_LIMIT": "2 per hour",
            }
        )
        app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
        assert app.config["RATELIMIT_STORAGE_URI"] == url
        return app

    first, second = worker().test_client(), worker().test_client()
    try:
        assert _try(first, person.email, "wrong-password").status_code == 200
        assert _try(second, person.email, "wrong-password").status_code == 200
        assert _try(first, person.email, "wrong-password").status_code == 429
        assert _try(second, person.email, "wrong-password").status_code == 429
        assert any(Redis.from_url(url).scan_iter(f"*{prefix}*"))  # the counts are in Redis
    finally:
        redis = Redis.from_url(url)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)


def _refused_in_words(answer) -> None:
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    text = answer.get_data(as_text=True)
    assert "Too many attempts" in text
    assert re.search(r"Wait (\d+ seconds?|about \d+ minutes), then try again", text), text


# the account pages that ask for the password again: the page, a wrong answer and the right one
PAGES_ASKING_THE_PASSWORD = [
    (  # changing the password: the current one
        "/account",
        {"current": "not-my-password", "password": "new-password-1",
         "confirm": "new-password-1", "change": "Change password"},
        {"current": PASSWORD, "password": "new-password-1",
         "confirm": "new-password-1", "change": "Change password"},
    ),
    (  # making an API token after 15 minutes: the password given again
        "/account/tokens",
        {"confirm-password": "not-my-password", "confirm-submit": "Confirm"},
        {"confirm-password": PASSWORD, "confirm-submit": "Confirm"},
    ),
]  # fmt: skip


def _recent_sign_in_over(session, person) -> None:
    """The person's sessions began 20 minutes ago: the tokens page asks for the password again."""
    from sqlmodel import update

    from portfolio.models.logins import LoginSession

    session.exec(
        update(LoginSession)
        .where(LoginSession.person_id == person.id)
        .values(created_at=utcnow() - timedelta(minutes=20))
    )
    session.commit()


@pytest.mark.parametrize(("path", "wrong", "right"), PAGES_ASKING_THE_PASSWORD)
def test_wrong_passwords_on_the_account_pages_count_as_failed_log_ins(
    app: Flask, auth, client, session, path, wrong, right
) -> None:
    """A stolen session must not guess the password without limit where a page asks for it
    again: each wrong one counts towards the address's failed log-in limit, shared with the
    log-in form; past it the page refuses as the log-in form does, and nothing is changed."""
    app.config["LOGIN_FAILURE_LIMIT"] = "3 per hour"
    app.config["LOGIN_DELAY_AFTER"] = 10  # the address's limit, not the account's wait
    person = auth.login("learner")
    _recent_sign_in_over(session, person)
    env = {"REMOTE_ADDR": "10.3.3.3"}
    assert _try(app.test_client(), person.email, "wrong-password", "10.3.3.3").status_code == 200
    for _ in range(2):
        assert client.post(path, data=wrong, environ_base=env).status_code == 422
    _refused_in_words(client.post(path, data=right, environ_base=env))  # even the right one
    # the log-in form of that address is refused too: one limit
    assert _try(app.test_client(), person.email, PASSWORD, "10.3.3.3").status_code == 429
    # another address is not held up
    assert (
        client.post(path, data=right, environ_base={"REMOTE_ADDR": "10.3.3.4"}).status_code == 302
    )


def test_wrong_passwords_and_codes_turning_two_step_off_count_as_failed_log_ins(
    app: Flask, auth, client, session
) -> None:
    import pyotp

    from portfolio.models import TwoStep
    from portfolio.services import two_step

    app.config["LOGIN_FAILURE_LIMIT"] = "3 per hour"
    person = auth.login("learner")
    secret = two_step.new_secret()
    code = pyotp.TOTP(secret).now()
    page = client.get("/account/two-step")
    assert page.status_code == 200
    with client.session_transaction() as cookie:
        cookie["two_step_setup"] = secret
    assert (
        client.post(
            "/account/two-step", data={"on-code": code, "on-turn_on": "Turn on"}
        ).status_code
        == 200
    )
    assert session.get(TwoStep, person.id) is not None
    env = {"REMOTE_ADDR": "10.4.4.4"}
    off = {"off-turn_off": "Turn off two-step verification"}
    wrong_password = {**off, "off-password": "not-my-password", "off-code": "123456"}
    wrong_code = {**off, "off-password": PASSWORD, "off-code": "000000"}
    assert (
        client.post("/account/two-step", data=wrong_password, environ_base=env).status_code == 422
    )
    assert client.post("/account/two-step", data=wrong_code, environ_base=env).status_code == 422
    assert _try(app.test_client(), person.email, "wrong-password", "10.4.4.4").status_code == 200
    right = {**off, "off-password": PASSWORD, "off-recovery": "none-left-here"}
    _refused_in_words(client.post("/account/two-step", data=right, environ_base=env))
    session.expire_all()
    assert session.get(TwoStep, person.id) is not None  # still on


# the account waits after three wrong answers, the address's limit far off
WAIT_AFTER_THREE = {
    "LOGIN_FAILURE_LIMIT": "100 per hour",
    "LOGIN_DELAY_AFTER": 3,
    "LOGIN_DELAY_SECONDS": 60,
    "LOGIN_DELAY_MAX_SECONDS": 600,
}


def _account_waits(app: Flask, session, person, tries) -> None:
    """``tries`` (one wrong answer each, posted from an address of its own) count towards the
    account's growing wait, as wrong log-ins do: the page refusing each (422) does not undo the
    count. Once the account waits, the log-in form refuses even the right password, from
    anywhere, and a further wrong answer does not count."""
    session.expire_all()
    assert session.get(type(person), person.id).failed_logins == 0
    for n, attempt in enumerate(tries, start=1):
        assert attempt(f"10.9.0.{n}").status_code == 422
        session.expire_all()
        assert session.get(type(person), person.id).failed_logins == n
    waiting = session.get(type(person), person.id)
    assert waiting.locked_until is not None and waiting.locked_until > utcnow()
    assert _try(app.test_client(), person.email, PASSWORD, "10.9.1.1").status_code == 200
    assert tries[0]("10.9.1.2").status_code == 422
    session.expire_all()
    assert session.get(type(person), person.id).failed_logins == len(tries)


@pytest.mark.parametrize(("path", "wrong", "right"), PAGES_ASKING_THE_PASSWORD)
def test_wrong_passwords_on_the_account_pages_count_towards_the_accounts_wait(
    app: Flask, auth, client, session, path, wrong, right
) -> None:
    """A stolen session guessing the password where a page asks for it again, from many
    addresses (each under the address limit), meets the account's wait as a log-in would: each
    wrong one counts (its own transaction: the refused page's rollback undid it before), and
    while the account waits the right one is not tried there either, and nothing changes."""
    app.config.update(WAIT_AFTER_THREE)
    person = auth.login("learner")
    _recent_sign_in_over(session, person)
    hash_before = person.password_hash

    def attempt(address: str):
        return client.post(path, data=wrong, environ_base={"REMOTE_ADDR": address})

    _account_waits(app, session, person, [attempt] * 3)
    refused = client.post(path, data=right, environ_base={"REMOTE_ADDR": "10.9.2.1"})
    assert refused.status_code == 422
    assert "Too many wrong passwords or codes" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(type(person), person.id).password_hash == hash_before


def test_wrong_passwords_and_codes_turning_two_step_off_count_towards_the_accounts_wait(
    app: Flask, auth, client, session
) -> None:
    import pyotp

    from portfolio.models import TwoStep
    from portfolio.services import two_step

    app.config.update(WAIT_AFTER_THREE)
    person = auth.login("learner")
    secret = two_step.new_secret()
    assert client.get("/account/two-step").status_code == 200
    with client.session_transaction() as cookie:
        cookie["two_step_setup"] = secret
    on = {"on-code": pyotp.TOTP(secret).now(), "on-turn_on": "Turn on"}
    assert client.post("/account/two-step", data=on).status_code == 200
    off = {"off-turn_off": "Turn off two-step verification"}
    wrong_password = {**off, "off-password": "not-my-password", "off-code": "123456"}
    wrong_code = {**off, "off-password": PASSWORD, "off-code": "000000"}

    def with_(data):
        return lambda address: client.post(
            "/account/two-step", data=data, environ_base={"REMOTE_ADDR": address}
        )

    _account_waits(
        app, session, person, [with_(wrong_password), with_(wrong_code), with_(wrong_password)]
    )
    right = {**off, "off-password": PASSWORD, "off-code": pyotp.TOTP(secret).now()}
    refused = client.post("/account/two-step", data=right, environ_base={"REMOTE_ADDR": "10.9.2.1"})
    assert refused.status_code == 422
    assert "Too many wrong passwords or codes" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(TwoStep, person.id) is not None  # still on


def test_past_the_address_limit_only_the_forms_checking_a_password_or_code_are_refused(
    app: Flask, auth, client, session
) -> None:
    """The address's failure limit stops guessing, not the account pages: past it, turning
    two-step verification on (its code is of the new secret the page shows, no secret to
    guess), making an API token after a recent log-in and saving e-mail choices work; changing
    the password, giving it again before a token and turning two-step off are refused in the
    log-in form's words, and change nothing."""
    import pyotp

    from portfolio.models import ApiToken, NotificationPreference, TwoStep
    from portfolio.services import two_step

    app.config["LOGIN_FAILURE_LIMIT"] = "1 per hour"
    person = auth.login("learner")
    hash_before = person.password_hash
    env = {"REMOTE_ADDR": "10.5.5.5"}
    assert _try(app.test_client(), person.email, "wrong-password", "10.5.5.5").status_code == 200
    assert _try(app.test_client(), person.email, PASSWORD, "10.5.5.5").status_code == 429
    # the forms that check no password or code work
    secret = two_step.new_secret()
    assert client.get("/account/two-step", environ_base=env).status_code == 200
    with client.session_transaction() as cookie:
        cookie["two_step_setup"] = secret
    on = {"on-code": pyotp.TOTP(secret).now(), "on-turn_on": "Turn on"}
    turned_on = client.post("/account/two-step", data=on, environ_base=env)
    assert turned_on.status_code == 200, turned_on.get_data(as_text=True)
    assert "recovery" in turned_on.get_data(as_text=True).lower()
    assert session.get(TwoStep, person.id) is not None
    make = {"name": "My laptop", "scopes": ["read"], "days": "30", "create": "Make token"}
    made = client.post("/account/tokens", data=make, environ_base=env)
    assert made.status_code == 200, made.get_data(as_text=True)
    assert session.exec(select(ApiToken).where(ApiToken.person_id == person.id)).one()
    saved = client.post("/account/notifications", data={"mail-decision": "off"}, environ_base=env)
    assert saved.status_code == 302
    assert session.exec(
        select(NotificationPreference.mode).where(NotificationPreference.person_id == person.id)
    ).all() == ["off"]
    # those that check one are refused as the log-in form is, even with the right answer
    code = pyotp.TOTP(secret).now()
    off = {"off-turn_off": "Turn off two-step verification", "off-password": PASSWORD}
    _refused_in_words(client.post("/account/two-step", data={**off, "off-code": code},
                                  environ_base=env))  # fmt: skip
    confirm = {"confirm-password": PASSWORD, "confirm-code": code, "confirm-submit": "Confirm"}
    _refused_in_words(client.post("/account/tokens", data=confirm, environ_base=env))
    change = {"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1",
              "change": "Change password"}  # fmt: skip
    _refused_in_words(client.post("/account", data=change, environ_base=env))
    session.expire_all()
    assert session.get(TwoStep, person.id) is not None  # still on
    assert session.get(type(person), person.id).password_hash == hash_before
    # and the pages themselves are shown
    for path in ("/account", "/account/tokens", "/account/two-step"):
        assert client.get(path, environ_base=env).status_code == 200, path
