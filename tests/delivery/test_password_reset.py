"""Password reset by an e-mailed, single-use, expiring link, through a real SMTP server
(aiosmtpd on a local port): the message arrives, its link sets a new password, then fails."""

from __future__ import annotations

import queue
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlmodel import Session, select

from delivery.web import outbox
from portfolio.models import PasswordReset
from portfolio.models.base import utcnow
from portfolio.services import logins, mail, resets
from tests.conftest import PASSWORD


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[list[str], Message]] = queue.Queue()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.put((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted"

    def next(self) -> tuple[list[str], Message]:
        return self.received.get(timeout=20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        wait_for_outbox()
        controller.stop()


def wait_for_outbox() -> None:
    """Let the e-mails a test's requests sent after their commit reach the server before it
    stops: a sending thread that outlives its test fails to connect and logs a traceback,
    which Python 3.11 words with ast.parse in that thread, at the same moment as the next
    test's app compiles its routes with ast.parse in the main thread (CPython's "AST
    constructor recursion depth mismatch", a SystemError in the next test's set-up)."""
    for thread in threading.enumerate():
        if thread.name == outbox.SENDER_THREAD:
            thread.join(timeout=10)


@pytest.fixture
def mail_app(app: Flask, inbox: tuple[Inbox, int]) -> Flask:
    app.config.update(
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=inbox[1],
        MAIL_SENDER="portfolio@centre.example",
        BASE_URL="https://portfolio.centre.example",
    )
    return app


def _link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"https://portfolio\.centre\.example(/password/reset/\S+)", body)
    assert found, body
    return found.group(1)


def _ask(client: Any, email: str) -> Any:
    return client.post("/password/forgot", data={"email": email})


def test_reset_by_mail_sets_a_new_password_and_the_link_then_fails(mail_app, inbox, make_person):
    handler, _port = inbox
    person = make_person("learner")
    client = mail_app.test_client()
    logged_in = mail_app.test_client()
    assert (
        logged_in.post("/login", data={"email": person.email, "password": PASSWORD}).status_code
        == 302
    )

    asked = _ask(client, person.email)
    assert asked.status_code == 302 and asked.headers["Location"] == "/login"
    recipients, message = handler.next()
    assert recipients == [person.email]
    assert message["From"] == "portfolio@centre.example"
    assert "new password" in message["Subject"]
    path = _link(message)

    form = client.get(path)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'for="password"' in html and 'for="confirm"' in html
    differ = client.post(path, data={"password": "brand-new-pass", "confirm": "other-pass-1"})
    assert differ.status_code == 422 and 'id="confirm-error"' in differ.get_data(as_text=True)
    done = client.post(path, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    assert logged_in.get("/").status_code == 302  # every session of the person ended
    fresh = mail_app.test_client()
    assert (
        fresh.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 200
    )
    ok = fresh.post("/login", data={"email": person.email, "password": "brand-new-pass"})
    assert ok.status_code == 302
    # single use: the link now fails, to look at and to use
    again = client.get(path)
    assert again.status_code == 410 and "no longer works" in again.get_data(as_text=True)
    reuse = client.post(path, data={"password": "third-password", "confirm": "third-password"})
    assert reuse.status_code == 410


def test_the_same_answer_whether_or_not_the_address_has_an_account(mail_app, inbox, make_person):
    handler, _port = inbox
    person = make_person("learner")
    unknown = _ask(mail_app.test_client(), "nobody-here@test.example")
    known = _ask(mail_app.test_client(), person.email)
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    page_unknown = mail_app.test_client()
    _ask(page_unknown, "nobody-here@test.example")
    page_known = mail_app.test_client()
    _ask(page_known, person.email)
    assert page_unknown.get("/login").get_data(as_text=True) == page_known.get("/login").get_data(
        as_text=True
    )
    recipients = [handler.next()[0], handler.next()[0]]
    assert recipients == [[person.email], [person.email]]
    assert handler.received.empty()


def test_a_link_expires(mail_app, inbox, make_person, monkeypatch):
    handler, _port = inbox
    person = make_person("learner")
    client = mail_app.test_client()
    _ask(client, person.email)
    path = _link(handler.next()[1])
    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(resets, "utcnow", lambda: later)
    assert client.get(path).status_code == 410
    r = client.post(path, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert r.status_code == 410


def test_only_a_hash_of_the_token_is_stored(session: Session, make_person) -> None:
    person = make_person("learner")
    found = resets.request_link(session, email=person.email, lifetime=timedelta(hours=1))
    assert found is not None
    _person, token = found
    row = session.exec(select(PasswordReset).where(PasswordReset.person_id == person.id)).one()
    assert row.token_hash == logins.digest(token) and token not in row.token_hash


@pytest.mark.parametrize("how", ["administrator", "own"])
def test_a_new_password_uses_up_the_links_still_waiting(session: Session, make_person, how) -> None:
    """An invitation or reset link e-mailed before an administrator set the password (or the
    person changed it) would otherwise still replace the password for a week."""
    from portfolio.services import people
    from tests.conftest import actor_of

    person = make_person("learner")
    found = resets.request_link(session, email=person.email, lifetime=timedelta(days=7))
    assert found is not None
    _person, token = found
    if how == "administrator":
        people.set_password(
            session, actor=actor_of(make_person("admin")), person_id=person.id, password="a" * 12
        )
    else:
        people.change_own_password(session, actor=actor_of(person), current=PASSWORD, new="b" * 12)
    assert not resets.link_works(session, token=token)


def test_no_link_for_an_account_that_cannot_log_in(session: Session, make_person) -> None:
    person = make_person("learner")
    person.password_hash = ""
    session.add(person)
    assert resets.request_link(session, email=person.email, lifetime=timedelta(hours=1)) is None
    assert (
        resets.request_link(session, email="x@nowhere.example", lifetime=timedelta(hours=1)) is None
    )


def test_requests_for_reset_mail_are_rate_limited(mail_app, inbox) -> None:
    mail_app.config["PASSWORD_RESET_RATE_LIMIT"] = "2 per hour"
    client = mail_app.test_client()
    answers = [_ask(client, f"who{i}@test.example").status_code for i in range(3)]
    assert answers == [302, 302, 429]
    assert "Retry-After" in _ask(client, "again@test.example").headers


def test_mail_service_sends_through_smtp_and_refuses_without_a_server(inbox) -> None:
    handler, port = inbox
    settings = mail.MailSettings(host="127.0.0.1", port=port, sender="a@centre.example")
    mail.send(settings, to="b@test.example", subject="Hello", body="Body text")
    recipients, message = handler.next()
    assert recipients == ["b@test.example"] and message["Subject"] == "Hello"
    with pytest.raises(mail.MailNotConfigured):
        mail.send(mail.MailSettings(host=None), to="b@test.example", subject="x", body="y")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_mail_service_logs_in_when_given_credentials() -> None:
    from aiosmtpd.smtp import AuthResult

    seen: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        login, password = data.login.decode(), data.password.decode()
        seen.append((login, password))
        return AuthResult(success=(login, password) == ("centre", "s3cret"))

    handler = Inbox()
    port = _free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,  # a local test server; the real one wants STARTTLS first
    )
    controller.start()
    try:
        settings = mail.MailSettings(
            host="127.0.0.1", port=port, sender="a@centre.example", username="centre",
            password="s3cret",
        )  # fmt: skip
        mail.send(settings, to="b@test.example", subject="Hello", body="Body text")
        assert handler.next()[0] == ["b@test.example"]
        assert seen == [("centre", "s3cret")]
    finally:
        controller.stop()


def test_links_are_built_on_base_url_never_on_a_chosen_host_in_production(app: Flask) -> None:
    from delivery.web.outbox import reset_link as _link

    with app.test_request_context("/password/forgot", headers={"Host": "evil.example"}):
        app.config["BASE_URL"] = "https://portfolio.centre.example/"
        assert _link("tok") == "https://portfolio.centre.example/password/reset/tok"
        app.config["BASE_URL"] = None
        assert _link("tok") == "http://evil.example/password/reset/tok"  # development only
        app.config["ENV"] = "production"
        assert _link("tok") is None
