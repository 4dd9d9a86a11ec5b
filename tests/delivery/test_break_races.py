"""Breaks in learning started at the same moment, on PostgreSQL (READ COMMITTED): the second
administrator waits on the registration's row, reads the first's break once committed and is
refused; a withdrawal and a break at once are judged one after the other. (SQLite writes one
transaction at a time.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Registration
from portfolio.services import breaks
from tests.conftest import actor_of
from tests.delivery import test_races
from tests.delivery.test_races import _person, _race, _ready_to_sign
from tests.delivery.test_withdrawal_races import _withdraw

engine = test_races.engine  # the same fixture: a migrated PostgreSQL database, else skipped


def _start(engine: Engine, w: dict[str, Any]) -> Callable[[Session], None]:
    with Session(engine) as s:
        admin = actor_of(_person(s, "admin", "Bo"))
        s.commit()
    return lambda s: breaks.start_break(
        s, actor=admin, registration_id=w["registration"], reason="Long-term sickness"
    )


def test_a_break_started_twice_at_once_is_started_once(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    start = _start(engine, w)
    result = _race(engine, start, start)
    assert isinstance(result, Invalid) and "already on a break" in str(result), result
    with Session(engine) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.action == "registration.break_start"))
        assert len(entries.all()) == 1


def test_a_break_started_while_the_learner_is_withdrawn_is_refused(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    result = _race(engine, _withdraw(engine, w), _start(engine, w))
    assert isinstance(result, Invalid) and "reinstate the registration" in str(result), result
    with Session(engine) as s:
        reg = s.get(Registration, w["registration"])
        assert reg is not None and reg.withdrawn_at is not None and reg.break_since is None
