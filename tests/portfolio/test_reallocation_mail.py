"""The new assessor of reallocated learners is told by e-mail straight away (as they chose for
notifications of that kind, straight away by default), whether an administrator moved the learners
on the page or with ``portfolio registrations reallocate``: through a real SMTP server on a local
port, once the change has committed."""

from __future__ import annotations

from email.message import Message

import pytest
from sqlmodel import select

from portfolio.models import Notification, Registration
from tests.delivery.test_password_reset import (  # noqa: F401 - fixtures
    Inbox,
    _free_port,
    inbox,
    mail_app,
)

SITE = "https://portfolio.centre.example"
TOLD = "made you the assessor of 2 learners more: they are on your caseload."


@pytest.fixture
def team(session, make_person, make_registration):
    ann = make_person("assessor", name="Ann Assessor")
    ben = make_person("assessor", name="Ben Assessor")
    regs = [make_registration(assessor=ann) for _ in range(2)]
    session.commit()
    return ann, ben, regs


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def _mailed(session, ben) -> list[bool]:
    session.expire_all()
    rows = session.exec(select(Notification).where(Notification.person_id == ben.id)).all()
    assert [TOLD in n.text for n in rows] == [True]
    return [n.mailed_at is not None for n in rows]


def _received(handler: Inbox, ben) -> None:
    to, message = handler.next()
    assert to == [ben.email]
    assert TOLD in _body(message) and f"{SITE}/caseload" in _body(message)
    assert handler.received.empty()  # told once


def test_the_page_tells_the_new_assessor_by_e_mail_at_once(
    mail_app,  # noqa: F811
    inbox,  # noqa: F811
    client,
    auth,
    session,
    team,
) -> None:
    ann, ben, regs = team
    auth.login("admin")
    r = client.post(
        f"/admin/people/{ann.id}/reallocate",
        data={
            "as-registration_ids": [r.id for r in regs],
            "as-to_assessor_id": ben.id,
            "as-move": "Move",
        },
    )
    assert r.status_code == 302
    _received(inbox[0], ben)
    assert _mailed(session, ben) == [True]


def test_the_command_tells_the_new_assessor_by_e_mail_at_once(
    cli,
    inbox,  # noqa: F811
    session,
    team,
    monkeypatch,
    tmp_path,
) -> None:
    ann, ben, _regs = team
    for key, value in {
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": str(inbox[1]),
        "MAIL_SENDER": "portfolio@centre.example",
        "BASE_URL": SITE,
        "INSTANCE_PATH": str(tmp_path),
    }.items():
        monkeypatch.setenv(f"PORTFOLIO_{key}", value)
    monkeypatch.delenv("PORTFOLIO_REDIS_URL", raising=False)
    result = cli("registrations", "reallocate", "--from", ann.email, "--to", ben.email)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Moved 2 learners from Ann Assessor to Ben Assessor")
    _received(inbox[0], ben)
    assert _mailed(session, ben) == [True]


def test_the_command_sends_no_e_mail_without_a_mail_server(
    cli, session, team, monkeypatch, tmp_path
) -> None:
    ann, ben, _regs = team
    monkeypatch.delenv("PORTFOLIO_MAIL_HOST", raising=False)
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    result = cli("registrations", "reallocate", "--from", ann.email, "--to", ben.email)
    assert result.exit_code == 0, result.output
    assert _mailed(session, ben) == [False]  # left for the digest command once one is set


@pytest.mark.parametrize("queue", [None, "redis://127.0.0.1:1/0"])
def test_the_command_says_when_the_mail_server_or_queue_does_not_answer(
    cli, session, team, monkeypatch, tmp_path, queue
) -> None:
    ann, ben, regs = team
    monkeypatch.setenv("PORTFOLIO_MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTFOLIO_MAIL_PORT", str(_free_port()))  # nothing listens
    monkeypatch.setenv("PORTFOLIO_BASE_URL", SITE)  # without it nothing would be tried
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    if queue:  # nothing listens there either
        monkeypatch.setenv("PORTFOLIO_REDIS_URL", queue)
    else:
        monkeypatch.delenv("PORTFOLIO_REDIS_URL", raising=False)
    result = cli("registrations", "reallocate", "--from", ann.email, "--to", ben.email)
    assert result.exit_code == 0, result.output  # the learners moved all the same
    assert result.stdout.startswith("Moved 2 learners")
    assert result.stderr == (
        "1 e-mail could not be sent now; `portfolio notifications digest` sends what is left.\n"
    )
    session.expire_all()
    assert {session.get(Registration, r.id).assessor_id for r in regs} == {ben.id}
    assert _mailed(session, ben) == [False]
