# ruff: noqa: F811 - the case and the inbox (a local SMTP server) come from test_notify
"""Review: the links in notification e-mail (sent after a request, by the worker or in a digest)
must work in a mail program: absolute, on ``PORTFOLIO_BASE_URL``. Without it no request's
address is at hand, so nothing is sent (an error is logged) and the notices wait unsent for
``portfolio notifications digest``; ``portfolio serve`` outside production uses its own
address when the setting is not given."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from sqlmodel import col, select

from portfolio.models import Notification
from tests.conftest import PASSWORD
from tests.portfolio.test_notify import _body, case, inbox  # noqa: F401 - fixtures

SITE = "https://portfolio.centre.example"


def _login(client, person) -> None:
    r = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 302


def _comment(app: Flask, learner, item_id: int) -> None:
    client = app.test_client()
    _login(client, learner)
    r = client.post(f"/evidence/{item_id}/comments", data={"body": "Is this enough?"})
    assert r.status_code == 302


def _absolute(message, item_id: int) -> None:
    body = _body(message).replace("\r\n", "\n")
    assert f"Open it:\n{SITE}/evidence/{item_id}#comments" in body, body
    stop = re.search(r"Stop e-mail about [^:]+: (\S+)", body)
    assert stop is not None and stop.group(1).startswith(f"{SITE}/notifications/unsubscribe/")
    assert message["List-Unsubscribe"] == f"<{stop.group(1)}>"
    assert f"Choose what you are sent: {SITE}/account" in body


def test_a_notification_email_has_absolute_links(
    app: Flask, session, case, make_evidence, inbox
) -> None:
    learner, assessor, _ = case
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox[1], BASE_URL=SITE + "/")
    item = make_evidence(learner, title="Helping at the desk", body="Plain text")
    _comment(app, learner, item.id)
    to, message = inbox[0].next()
    assert to == [assessor.email]
    _absolute(message, item.id)


@pytest.mark.parametrize("env", ["production", "development"])
def test_without_the_sites_address_nothing_is_sent_and_the_notice_waits(
    app: Flask, session, case, make_evidence, inbox, cli, monkeypatch, caplog, env
) -> None:
    learner, assessor, _ = case
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox[1], BASE_URL=None, ENV=env)
    item = make_evidence(learner, title="Helping at the desk", body="Plain text")
    with caplog.at_level(logging.ERROR):
        _comment(app, learner, item.id)
    assert "PORTFOLIO_BASE_URL is not set" in caplog.text
    assert inbox[0].received.empty(), "an e-mail went out with links that do not work"
    row = session.exec(select(Notification).where(Notification.person_id == assessor.id)
                       .order_by(col(Notification.id).desc())).first()  # fmt: skip
    assert row is not None and row.mail == "now" and row.mailed_at is None  # in the app, unsent

    monkeypatch.setenv("PORTFOLIO_ENV", env)
    monkeypatch.setenv("PORTFOLIO_MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTFOLIO_MAIL_PORT", str(inbox[1]))
    monkeypatch.setenv("PORTFOLIO_SECRET_KEY", "test-secret")
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    refused = cli("notifications", "digest")
    assert refused.exit_code == 1 and "PORTFOLIO_BASE_URL" in refused.output
    assert inbox[0].received.empty()
    # once the address is set, the daily run sends what waited, with working links
    monkeypatch.setenv("PORTFOLIO_BASE_URL", SITE)
    done = cli("notifications", "digest")
    # the comment's, and the submission's (made by the service, never handed to the worker)
    assert done.output.strip() == "0 digests and 2 single e-mails sent.", done.output
    messages = [inbox[0].next() for _ in range(2)]
    assert {tuple(to) for to, _ in messages} == {(assessor.email,)}
    comment = [m for _, m in messages if "commented" in _body(m)]
    assert len(comment) == 1
    _absolute(comment[0], item.id)


def _served_app(cli, monkeypatch, *args: str) -> Flask:
    import gc

    import waitress

    served: list[Flask] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **_kw: served.append(app))
    monkeypatch.setattr(gc, "freeze", lambda: None)
    result = cli("serve", *args)
    assert result.exit_code == 0, result.output
    return served[0]


def test_serve_uses_its_own_address_outside_production(cli, monkeypatch) -> None:
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "x")  # restored after the test
    monkeypatch.delenv("PORTFOLIO_BASE_URL")
    monkeypatch.delenv("PORTFOLIO_ENV", raising=False)
    app = _served_app(cli, monkeypatch, "--port", "5123")
    assert app.config["BASE_URL"] == "http://127.0.0.1:5123"
    monkeypatch.delenv("PORTFOLIO_BASE_URL")
    every = "0.0.0.0"  # noqa: S104 - not bound: the server is a stub
    app = _served_app(cli, monkeypatch, "--host", every, "--port", "5124")
    assert app.config["BASE_URL"] == "http://localhost:5124"  # every address: this machine's
    monkeypatch.setenv("PORTFOLIO_BASE_URL", SITE)  # a given address is kept
    assert _served_app(cli, monkeypatch, "--port", "5125").config["BASE_URL"] == SITE


def test_serve_in_production_does_not_guess_the_address(cli, monkeypatch) -> None:
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "x")
    monkeypatch.delenv("PORTFOLIO_BASE_URL")
    monkeypatch.setenv("PORTFOLIO_ENV", "production")
    monkeypatch.setenv("PORTFOLIO_SECRET_KEY", "a-long-random-test-secret-value")
    app = _served_app(cli, monkeypatch, "--port", "5126")
    assert not app.config.get("BASE_URL")
