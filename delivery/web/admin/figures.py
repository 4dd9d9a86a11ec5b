"""The centre's figures for the administrator's home page, counted in SQL in one statement.

Each figure is a scalar subquery of one SELECT, so the page costs one round trip whatever the size
of the centre's history. Under the centre's rule that staff use two-step verification, the page
also names those yet to set it up, in one more statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mappings.assessment.completion import signed_off_sql
from mappings.assessment.models import Claim, Decision, SignOff
from mappings.quality.models import Action, EqaAccess
from portfolio.models import (
    Cohort,
    Criterion,
    Evidence,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
    TwoStep,
)
from portfolio.models.lti import STAFF_ROLES
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_start


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    endpoint: str = ""  # where the figure leads, when a page lists what it counts
    hint: str = ""


@dataclass(frozen=True)
class Unverified:
    """A member of staff who has not set up two-step verification, to chase."""

    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class CentreFigures:
    people: tuple[Figure, ...]
    work: tuple[Figure, ...]
    this_month: tuple[Figure, ...]
    month: str  # "December 2026"


def _role(role: str) -> Any:
    """A person holding ``role`` (roles are kept as "assessor,iqa") and not removed."""
    roles = literal(",") + col(Person.roles) + literal(",")
    return and_(roles.like(f"%,{role},%"), col(Person.removed_at).is_(None))


def _staff() -> Any:
    """A member of staff (administrator, assessor, IQA or EQA), not removed."""
    roles = literal(",") + col(Person.roles) + literal(",")
    held = or_(*(roles.like(f"%,{role},%") for role in sorted(STAFF_ROLES)))
    return and_(held, col(Person.removed_at).is_(None))


def _two_step_on() -> Any:
    return exists().where(col(TwoStep.person_id) == Person.id)


def _count(what: Any, *where: Any) -> Any:
    return sa_select(func.count(what)).where(*where).scalar_subquery()


def _not_erased() -> Any:
    """The registration's learner was not erased: an erased learner can no longer learn, their
    registration ended (late for nobody, its claims awaiting no one's decision)."""
    return exists().where(
        col(Person.id) == Registration.learner_id, col(Person.erased_at).is_(None)
    )


def _kept() -> Any:
    """The evidence's learner was not erased: what is kept of their evidence is the awarding
    body's record, its claims awaiting no one's decision."""
    learner = aliased(Person)
    return exists().where(col(learner.id) == Evidence.learner_id, col(learner.erased_at).is_(None))


def _decided(status: str, since: datetime) -> Any:
    """How many decisions to ``status`` were made from ``since`` on."""
    return _count(col(Decision.id), col(Decision.new_status) == status, col(Decision.at) >= since)


def _statement(today: date, zone: ZoneInfo) -> Any:
    """One SELECT of scalar subqueries, one per figure, in the order ``centre_figures`` reads;
    this month begins at midnight on its first day in the centre's ``zone``."""
    month_start = day_start(today.replace(day=1), zone)
    signed = exists().where(
        col(SignOff.registration_id) == RegistrationStandard.registration_id,
        col(SignOff.standard_id) == RegistrationStandard.standard_id,
        col(SignOff.status) == "signed",
    )
    open_standard = exists().where(
        col(RegistrationStandard.registration_id) == Registration.id, ~signed
    )
    # the claim's learner withdrew from its framework, or its standard is signed off (every one of a
    # completed registration is; the sign-off froze its claims until it is reopened): not decided
    left = exists().where(
        col(Criterion.id) == Claim.criterion_id,
        col(Standard.id) == Criterion.standard_id,
        col(Registration.learner_id) == Evidence.learner_id,
        col(Registration.framework_id) == Standard.framework_id,
        or_(
            col(Registration.withdrawn_at).is_not(None),
            signed_off_sql(col(Registration.id), col(Standard.id)),
        ),
    )
    awaiting = and_(
        col(Evidence.submitted_at).is_not(None), col(Claim.status) == "claimed", ~left, _kept()
    )
    learner_alive = exists().where(
        col(Person.id) == Registration.learner_id, col(Person.removed_at).is_(None)
    )
    staying = col(Registration.withdrawn_at).is_(None)  # a withdrawn learner is counted apart
    # past the planned end with a standard still open: late, unless on a break in learning
    # (ending it moves the planned end on), which is counted apart
    past_end = (open_standard, staying, _not_erased(), col(Registration.planned_end) < today)
    away = col(Registration.break_since).is_not(None)
    return sa_select(
        _count(col(Person.id), _role("learner")),
        _count(col(Person.id), _role("assessor")),
        _count(col(Person.id), _role("iqa")),
        _count(col(Cohort.id)),
        _count(col(Person.id), _staff()),
        _count(col(Person.id), _staff(), _two_step_on()),
        _count(col(Registration.id), open_standard, learner_alive, staying),
        _count(col(Registration.id), col(Registration.withdrawn_at).is_not(None), learner_alive),
        _count(
            col(Registration.id),
            open_standard,
            learner_alive,
            staying,
            or_(col(Registration.assessor_id).is_(None), col(Registration.iqa_id).is_(None)),
        ),
        _count(col(Claim.id), col(Claim.evidence_id) == Evidence.id, awaiting),
        sa_select(func.count(func.distinct(col(Evidence.id))))
        .join(Claim, col(Claim.evidence_id) == Evidence.id)
        .where(awaiting)
        .scalar_subquery(),
        _count(col(Registration.id), *past_end, ~away),
        _count(col(Registration.id), *past_end, away),
        _count(
            col(SignOff.id),
            col(SignOff.status) == "signed",
            col(SignOff.signed_at) >= month_start,
        ),
        _count(col(Evidence.id), col(Evidence.submitted_at) >= month_start),
        _decided("accepted", month_start),
        _decided("referred", month_start),
        _count(col(Action.id), col(Action.status) != "closed"),
        _count(
            col(EqaAccess.id),
            col(EqaAccess.revoked_at).is_(None),
            col(EqaAccess.expires_at) > datetime.now(UTC),
        ),
    )


def centre_figures(
    session: Session, *, today: date | None = None, zone: ZoneInfo = CENTRE
) -> CentreFigures:
    today = today or datetime.now(zone).date()
    row = session.execute(_statement(today, zone)).one()
    (learners, assessors, iqas, cohorts, staff, two_step_on, active, withdrawn, unallocated, claims,
     items, overdue, on_break, signed_off, submitted, accepted, referred, actions, grants) = (int(v or 0) for v in row)  # fmt: skip
    return CentreFigures(
        people=(
            Figure("Learners", learners, "admin.people"),
            Figure("Assessors", assessors, "admin.people"),
            Figure("Internal quality assurers", iqas, "admin.people"),
            Figure("Cohorts", cohorts, "admin.cohorts"),
            Figure("Staff with two-step verification", two_step_on, "admin.people", f"of {staff}"),
        ),
        work=(
            Figure(
                "Active registrations",
                active,
                "admin.registrations",
                f"registration{'' if active == 1 else 's'} with a standard not yet signed off"
                + (f"; {withdrawn} withdrawn, not counted" if withdrawn else ""),
            ),
            Figure("Registrations without an assessor or IQA", unallocated, "admin.registrations"),
            Figure(
                "Claims awaiting a decision",
                claims,
                "",
                f"in {items} submitted item{'' if items == 1 else 's'}",
            ),
            Figure(
                "Registrations past their planned end",
                overdue,
                "admin.registrations",
                "with a standard not yet signed off"
                + (f"; {on_break} on a break, not counted" if on_break else ""),
            ),
            Figure("Open IQA actions", actions),
            Figure("External QA grants in force", grants, "iqa.eqa_grants"),
        ),  # fmt: skip
        this_month=(
            Figure("Standards signed off", signed_off),
            Figure("Evidence items submitted", submitted),
            Figure("Claims accepted", accepted),
            Figure("Claims referred", referred),
        ),
        month=f"{today:%B %Y}",
    )


def staff_without_two_step(session: Session) -> list[Unverified]:
    """The staff (not removed) who have not set up two-step verification, by name: one
    statement, for the centre's rule that staff use it."""
    rows = session.execute(
        sa_select(col(Person.id), col(Person.name), col(Person.active))
        .where(_staff(), ~_two_step_on())
        .order_by(col(Person.name), col(Person.id))
    ).all()
    return [Unverified(id=int(i), name=str(n), active=bool(a)) for i, n, a in rows]
