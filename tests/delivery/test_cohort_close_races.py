"""A cohort closed while a learner is being registered into it, on PostgreSQL (READ COMMITTED):
the registration reads the cohort ``FOR SHARE``, waits for the closing to commit, and is refused,
as it would have been a moment later. (SQLite writes one transaction at a time.)"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from portfolio.errors import Invalid
from portfolio.models import Framework, Registration
from portfolio.services import cohorts, registrations
from portfolio.services.people import SYSTEM
from tests.delivery import test_races
from tests.delivery.test_races import _person, _race

engine = test_races.engine  # the same fixture: a migrated PostgreSQL database, else skipped


def test_a_registration_into_a_cohort_being_closed_is_refused(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        learner, assessor = _person(s, "learner", "Lea"), _person(s, "assessor", "Asa")
        framework = s.exec(select(Framework).where(Framework.code == "SE")).one()
        cohort = registrations.create_cohort(s, actor=SYSTEM, name="Spring 2024")
        s.commit()

    def close(s: Session) -> None:
        cohorts.close_cohort(s, actor=SYSTEM, cohort_id=cohort.id or 0)

    def register(s: Session) -> None:
        registrations.register(
            s, actor=SYSTEM, learner_id=learner.id or 0, framework_id=framework.id or 0,
            standard_codes=["SE01"], assessor_id=assessor.id, iqa_id=None, cohort_id=cohort.id,
            start_date=date.today(), planned_end=date.today() + timedelta(days=300),
        )  # fmt: skip

    result = _race(engine, close, register)
    assert isinstance(result, Invalid) and "The cohort “Spring 2024” is closed" in str(result), (
        result
    )
    with Session(engine) as s:
        assert s.exec(select(Registration)).all() == []
