"""Breaks in learning started at the same moment, on PostgreSQL (READ COMMITTED): the second
administrator waits on the registration's row, reads the first's break once committed and is
refused; a withdrawal and a break at once are judged one after the other; a plan changed while
the break ends is moved on from its new date. (SQLite writes one transaction at a time.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from mappings.assessment import plans
from mappings.assessment.models import AssessmentPlan
from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Registration
from portfolio.models.base import utcnow
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


def test_a_plan_changed_while_the_break_ends_is_moved_on_from_its_new_date(
    engine: Engine,
) -> None:
    w = _ready_to_sign(engine)
    today = date.today()
    with Session(engine) as s:
        admin = actor_of(_person(s, "admin", "Bo"))
        breaks.start_break(
            s,
            actor=admin,
            registration_id=w["registration"],
            reason="Long-term sickness",
            today=today - timedelta(days=30),
        )
        plan = plans.set_plan(
            s,
            actor=w["assessor"],
            registration_id=w["registration"],
            title="Reflect",
            body="Write it up",
            criterion_ids=[w["criteria"][0].criterion_id],
            due_on=today + timedelta(days=5),
        )
        plan.set_at = utcnow() - timedelta(days=31)  # before the break: all 30 days of it count
        plan.due_chosen_on = plans.server_day(plan.set_at)
        s.add(plan)
        s.commit()
        plan_id = plan.id

    def edit(s: Session) -> None:
        plans.edit_plan(
            s,
            actor=w["assessor"],
            plan_id=plan_id,
            title="Reflect",
            body="Write it up",
            criterion_ids=[w["criteria"][0].criterion_id],
            due_on=today + timedelta(days=9),
            evidence_kind=None,
        )

    def end(s: Session) -> None:  # ten days on: the new date's clock runs ten days of the break
        breaks.end_break(
            s, actor=admin, registration_id=w["registration"], today=today + timedelta(days=10)
        )

    assert _race(engine, edit, end) == "ok"
    with Session(engine) as s:
        moved = s.get(AssessmentPlan, plan_id)
        assert moved is not None and moved.due_on == today + timedelta(days=19)
        (entry,) = s.exec(
            select(AuditEntry).where(AuditEntry.action == "registration.break_end")
        ).all()
        assert entry.data["plans"] == [
            {
                "id": plan_id,
                "was": (today + timedelta(days=9)).isoformat(),
                "now": (today + timedelta(days=19)).isoformat(),
            }
        ]
