"""Two-step verification at once, on PostgreSQL (READ COMMITTED): a log-in holding a code while
the same code is typed again in another tab, and a confirmation of turning it on while another
is being made. The page that comes second waits on the first's rows and, once they are
committed, is refused in words: exactly one session begins, it is turned on once, never a 5xx.
(SQLite writes one transaction at a time: no race to lose.)"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from delivery.web.app import create_app
from portfolio.models import AuditEntry, LoginSession, RecoveryCode, TwoStep
from portfolio.models.base import utcnow
from portfolio.services import logins, two_step
from tests.conftest import actor_of
from tests.delivery import test_races
from tests.delivery.test_races import _person

engine = test_races.engine  # the same fixture: a migrated PostgreSQL database, else skipped


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> Flask:
    """The app on the race's own database: each request commits, as served."""
    return create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "race-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )


def _while_held(engine: Engine, first: Callable[[Session], Any], request: Callable[[], Any]) -> Any:
    """``first`` writes in one transaction, which waits; meanwhile ``request`` (a page sent by
    the test client) blocks on the first's rows; the first commits. The page's response."""
    out: dict[str, Any] = {}

    def send() -> None:
        try:
            out["response"] = request()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is tested
            out["response"] = exc

    with Session(engine) as s:
        first(s)
        s.flush()
        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(1.0)  # the page is now waiting on the first's rows
        s.commit()
    thread.join(60)
    return out["response"]


def _count(engine: Engine, model: Any, **where: Any) -> int:
    with Session(engine) as s:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return len(s.exec(query).all())


@pytest.fixture
def person(engine: Engine) -> Any:
    """A learner with two-step verification on (turned on a minute ago): person and secret."""
    with Session(engine, expire_on_commit=False) as s:
        someone = _person(s, "learner", "Tess")
        secret = two_step.new_secret()
        earlier = utcnow() - timedelta(seconds=60)
        code = pyotp.TOTP(secret).at(earlier)
        two_step.turn_on(s, actor=actor_of(someone), secret=secret, code=code, now=earlier)
        s.commit()
    return someone, secret


def test_two_log_ins_with_the_same_code_begin_one_session(
    engine: Engine, app: Flask, person: Any
) -> None:
    someone, secret = person
    tab: FlaskClient = app.test_client()
    r = tab.post("/login", data={"email": someone.email, "password": "correct-horse-battery"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login/code"), r.status_code
    code = pyotp.TOTP(secret).now()

    def other_tab(s: Session) -> None:
        found = two_step.complete_log_in(s, person_id=someone.id, code=code)
        assert found is not None
        logins.start(s, person=found[0])

    late = _while_held(engine, other_tab, lambda: tab.post("/login/code", data={"code": code}))
    assert not isinstance(late, Exception), late
    assert late.status_code == 200, late.status_code
    # the losing tab's code was right, but taken: the words say a code works once
    assert "does not match, or it was used already" in late.get_data(as_text=True)
    assert tab.get("/").status_code == 302  # this tab has no session
    assert _count(engine, LoginSession, person_id=someone.id) == 1


def test_two_confirmations_of_turning_it_on_turn_it_on_once(engine: Engine, app: Flask) -> None:
    with Session(engine, expire_on_commit=False) as s:
        someone = _person(s, "learner", "Ula")
        s.commit()
    tab: FlaskClient = app.test_client()
    r = tab.post("/login", data={"email": someone.email, "password": "correct-horse-battery"})
    assert r.status_code == 302
    page = tab.get("/account/two-step").get_data(as_text=True)
    found = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page)
    assert found, page
    secret = found.group(1).replace(" ", "")
    code = pyotp.TOTP(secret).now()

    def other_tab(s: Session) -> None:
        two_step.turn_on(s, actor=actor_of(someone), secret=secret, code=code)

    late = _while_held(
        engine,
        other_tab,
        lambda: tab.post("/account/two-step", data={"on-code": code, "on-turn_on": "Turn on"}),
    )
    assert not isinstance(late, Exception), late
    assert late.status_code == 422, late.status_code
    assert "already on" in late.get_data(as_text=True)
    assert _count(engine, TwoStep, person_id=someone.id) == 1
    assert _count(engine, RecoveryCode, person_id=someone.id) == 10
    assert _count(engine, AuditEntry, action="person.two_step_on", subject_id=someone.id) == 1
