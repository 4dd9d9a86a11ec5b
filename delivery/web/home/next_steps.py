"""What a learner should do next, read in a fixed number of statements whatever their history.

- referrals still to re-evidence: :func:`mappings.assessment.referrals.open_referrals`;
- submitted items with claims still awaiting the assessor's decision;
- each registration with its assessor's name and planned end date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mappings.assessment.models import Claim
from portfolio.models import Evidence, Framework, Person, Registration

AWAITING_SHOWN = 5


@dataclass(frozen=True)
class AwaitingItem:
    """A submitted item with claims the assessor has not decided yet."""

    evidence_id: int
    title: str
    claims: int
    submitted_at: datetime


@dataclass(frozen=True)
class RegistrationLine:
    """One registration as the learner sees it: on what, with whom, until when."""

    framework: str
    assessor: str  # "" when none is allocated yet
    start_date: date
    planned_end: date


# built once: they run on every learner's home page
_AWAITING = (
    sa_select(
        col(Evidence.id),
        col(Evidence.title),
        func.count(col(Claim.id)),
        col(Evidence.submitted_at),
    )
    .join(Claim, and_(col(Claim.evidence_id) == Evidence.id, col(Claim.status) == "claimed"))
    .where(
        col(Evidence.learner_id) == bindparam("learner_id"),
        col(Evidence.submitted_at).is_not(None),
    )
    .group_by(col(Evidence.id), col(Evidence.title), col(Evidence.submitted_at))
    .order_by(col(Evidence.submitted_at), col(Evidence.id))
)
_ASSESSOR = aliased(Person)
_REGISTRATIONS = (
    sa_select(
        col(Framework.title),
        col(_ASSESSOR.name),
        col(Registration.start_date),
        col(Registration.planned_end),
    )
    .join(Framework, col(Framework.id) == Registration.framework_id)
    .outerjoin(_ASSESSOR, col(_ASSESSOR.id) == Registration.assessor_id)
    .where(col(Registration.learner_id) == bindparam("learner_id"))
    .order_by(col(Registration.id))
)


def awaiting_of(session: Session, learner_id: int) -> list[AwaitingItem]:
    """Submitted items with claims awaiting a decision, the longest waiting first."""
    rows = session.execute(_AWAITING, {"learner_id": learner_id}).all()
    return [AwaitingItem(i, title, n, at) for i, title, n, at in rows]


def registrations_of(session: Session, learner_id: int) -> list[RegistrationLine]:
    rows = session.execute(_REGISTRATIONS, {"learner_id": learner_id}).all()
    return [RegistrationLine(fw, name or "", start, end) for fw, name, start, end in rows]
