"""``portfolio people add --invite`` and ``portfolio people import --invite`` e-mail a new person
the same invitation as the admin pages, after the commit, through a real SMTP server (aiosmtpd on
a local port). Asked to invite where e-mail (or the site's address, for the link) is not set up,
they refuse before anything is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import func, select

from portfolio.models import AuditEntry, PasswordReset, Person
from tests.delivery import test_password_reset as reset_tests
from tests.delivery.test_password_reset import _link

inbox, mail_app = reset_tests.inbox, reset_tests.mail_app  # the fixtures: a real SMTP server
SITE = "https://portfolio.centre.example"


@pytest.fixture
def mail_env(inbox, monkeypatch) -> Any:
    monkeypatch.setenv("PORTFOLIO_MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTFOLIO_MAIL_PORT", str(inbox[1]))
    monkeypatch.setenv("PORTFOLIO_BASE_URL", SITE)
    return inbox[0]


def _people(session) -> int:
    return session.exec(select(func.count()).select_from(Person)).one()


def test_people_add_invite_e_mails_a_link_that_sets_the_password(
    cli, mail_env, app, session
) -> None:
    added = cli("people", "add", "--name", "Lee Learner", "--email", "lee@centre.test",
                "--role", "learner", "--invite", "--json")  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(added.output)
    assert data["invited"] is True and data["email"] == "lee@centre.test"
    recipients, message = mail_env.next()
    assert recipients == ["lee@centre.test"]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Lee Learner" in body and "learner" in body and "7 days" in body
    lee = session.exec(select(Person).where(Person.email == "lee@centre.test")).one()
    assert not lee.password_hash
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "person.invited")).one()
    path = _link(message)
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    done = visitor.post(path, data={"password": "lees-own-pass", "confirm": "lees-own-pass"})
    assert done.status_code == 302
    plain = cli("people", "add", "--name", "Kim Key", "--email", "kim@centre.test",
                "--role", "assessor", "--invite")  # fmt: skip
    assert plain.exit_code == 0, plain.output
    assert "e-mailed an invitation to set their password" in plain.output
    assert mail_env.next()[0] == ["kim@centre.test"]


def test_people_add_invite_without_mail_refuses_and_writes_nothing(
    cli, session, monkeypatch
) -> None:
    monkeypatch.delenv("PORTFOLIO_MAIL_HOST", raising=False)
    before = _people(session)
    refused = cli("people", "add", "--name", "Pat Post", "--email", "pat@centre.test",
                  "--role", "learner", "--invite")  # fmt: skip
    assert refused.exit_code == 1
    assert "E-mail is not set up" in refused.output and "nothing was saved" in refused.output
    assert _people(session) == before
    monkeypatch.setenv("PORTFOLIO_MAIL_HOST", "127.0.0.1")
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    no_site = cli("people", "add", "--name", "Pat Post", "--email", "pat@centre.test",
                  "--role", "learner", "--invite")  # fmt: skip
    assert no_site.exit_code == 1 and "PORTFOLIO_BASE_URL" in no_site.output
    assert _people(session) == before and session.exec(select(PasswordReset)).all() == []


CSV = b"name,email,roles\nAnn Able,ann@centre.test,learner\nBen Best,ben@centre.test,assessor\n"


def test_people_import_invite_e_mails_each_new_person(cli, mail_env, session, tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(CSV)
    checked = cli("people", "import", str(path), "--dry-run", "--invite")
    assert checked.exit_code == 0, checked.output
    assert "A check only, nothing saved yet: this would add 2 people" in checked.output
    assert "would be e-mailed an invitation" in checked.output
    assert mail_env.received.empty()
    done = cli("people", "import", str(path), "--invite")
    assert done.exit_code == 0, done.output
    assert "2 were e-mailed an invitation to set their password" in done.output
    got = sorted(mail_env.next()[0][0] for _ in range(2))
    assert got == ["ann@centre.test", "ben@centre.test"]


def test_people_import_invite_without_mail_refuses_and_writes_nothing(
    cli, session, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("PORTFOLIO_MAIL_HOST", raising=False)
    path = tmp_path / "people.csv"
    path.write_bytes(CSV)
    before = _people(session)
    refused = cli("people", "import", str(path), "--invite")
    assert refused.exit_code == 1 and "E-mail is not set up" in refused.output
    assert _people(session) == before
