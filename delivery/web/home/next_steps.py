"""What a learner should do next, read in a fixed number of statements whatever their history.

- referrals still to re-evidence: a referred claim drops out once the learner has submitted the
  item again since the referral, or submitted other evidence claiming the same criterion since
  then, or once the standard is signed off;
- submitted items with claims still awaiting the assessor's decision;
- each registration with its assessor's name and planned end date.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, exists, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mappings.assessment.models import Claim, Decision
from portfolio.models import Criterion, Evidence, Framework, Person, Registration, Standard

AWAITING_SHOWN = 5


@dataclass(frozen=True)
class Referral:
    """A claim the assessor referred, with what they said."""

    evidence_id: int
    evidence_title: str
    standard: str
    code: str
    feedback: str
    at: datetime


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


_OTHER_CLAIM = aliased(Claim)
_OTHER_ITEM = aliased(Evidence)
# newer evidence claiming the same criterion, submitted since the referral: the learner's items
# first, then each one's claim of that criterion (its unique index), so that the cost is the
# learner's own items, never every claim of the criterion across the centre (45 ms at 5,000
# learners before)
_RE_EVIDENCED = exists().where(
    col(_OTHER_ITEM.learner_id) == bindparam("learner_id"),
    col(_OTHER_ITEM.id) != Evidence.id,
    col(_OTHER_ITEM.submitted_at) > Claim.decided_at,
    exists()
    .where(
        col(_OTHER_CLAIM.evidence_id) == _OTHER_ITEM.id,
        col(_OTHER_CLAIM.criterion_id) == Claim.criterion_id,
    )
    .correlate_except(_OTHER_CLAIM),
)
# built once: they run on every learner's home page
_REFERRALS = (
    sa_select(
        col(Claim.id),
        col(Evidence.id),
        col(Evidence.title),
        col(Criterion.code),
        col(Standard.id),
        col(Standard.code),
        col(Decision.feedback),
        col(Decision.at),
    )
    .join(Evidence, col(Evidence.id) == Claim.evidence_id)
    .join(Criterion, col(Criterion.id) == Claim.criterion_id)
    .join(Standard, col(Standard.id) == Criterion.standard_id)
    .join(Decision, col(Decision.claim_id) == Claim.id)
    .where(
        col(Evidence.learner_id) == bindparam("learner_id"),
        col(Claim.status) == "referred",
        col(Decision.new_status) == "referred",
        # the item itself not submitted again since the referral
        or_(col(Evidence.submitted_at).is_(None), col(Evidence.submitted_at) <= Claim.decided_at),
        ~_RE_EVIDENCED,
    )
    .order_by(col(Decision.at), col(Decision.id))
)
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


def referrals_of(
    session: Session, learner_id: int, signed_standards: Collection[int] = ()
) -> list[Referral]:
    """Referred claims the learner still has to answer, newest first, each with the feedback of
    its latest referral; none of a standard in ``signed_standards`` (ids of signed-off ones)."""
    rows = session.execute(_REFERRALS, {"learner_id": learner_id}).all()
    latest: dict[int, Referral] = {}
    for claim_id, item_id, title, code, standard_id, standard, feedback, at in rows:
        if standard_id in signed_standards:
            continue
        latest[claim_id] = Referral(
            evidence_id=item_id,
            evidence_title=title,
            standard=standard,
            code=code,
            feedback=feedback,
            at=at,
        )
    return sorted(latest.values(), key=lambda r: (r.at, r.standard, r.code), reverse=True)


def awaiting_of(session: Session, learner_id: int) -> list[AwaitingItem]:
    """Submitted items with claims awaiting a decision, the longest waiting first."""
    rows = session.execute(_AWAITING, {"learner_id": learner_id}).all()
    return [AwaitingItem(i, title, n, at) for i, title, n, at in rows]


def registrations_of(session: Session, learner_id: int) -> list[RegistrationLine]:
    rows = session.execute(_REGISTRATIONS, {"learner_id": learner_id}).all()
    return [RegistrationLine(fw, name or "", start, end) for fw, name, start, end in rows]
