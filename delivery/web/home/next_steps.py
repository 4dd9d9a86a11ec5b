"""What a learner should do next, read in a fixed number of statements whatever their history.

- referrals still to re-evidence: :func:`mappings.assessment.referrals.open_referrals`;
- submitted items with claims still awaiting the assessor's decision (not those of a standard
  signed off: its sign-off froze them until it is reopened; nor those of a registration the
  learner withdrew from: none is decided until it is reinstated, as the marking queue says);
- each registration with its assessor's name and planned end date (from the standings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from mappings.assessment.completion import signed_off_sql
from mappings.assessment.models import Claim
from mappings.assessment.standing import Standing
from portfolio.models import Criterion, Evidence, Registration, Standard

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
    withdrawn_at: date | None = None  # the learner left: nothing new is mapped or assessed
    break_since: date | None = None  # on a break in learning: their work goes on
    break_until: date | None = None  # expected back by, if said


# built once: they run on every learner's home page. A claim of a standard signed off (in the
# learner's registration on its framework) waits for nobody: the sign-off froze it until reopened
# (the learner's few registrations, then each one's sign-offs of the standard, by index); nor
# does one of a registration (on the claim's framework) the learner withdrew from, until reinstated
_FROZEN = exists().where(
    col(Registration.learner_id) == bindparam("learner_id"),
    signed_off_sql(col(Registration.id), col(Criterion.standard_id)),
)
_WITHDRAWN = exists().where(
    col(Registration.learner_id) == bindparam("learner_id"),
    col(Registration.framework_id) == Standard.framework_id,
    col(Registration.withdrawn_at).is_not(None),
)
_AWAITING = (
    sa_select(
        col(Evidence.id),
        col(Evidence.title),
        func.count(col(Claim.id)),
        col(Evidence.submitted_at),
    )
    .join(Claim, and_(col(Claim.evidence_id) == Evidence.id, col(Claim.status) == "claimed"))
    .join(Criterion, col(Criterion.id) == Claim.criterion_id)
    .join(Standard, col(Standard.id) == Criterion.standard_id)
    .where(
        col(Evidence.learner_id) == bindparam("learner_id"),
        col(Evidence.submitted_at).is_not(None),
        ~_FROZEN,
        ~_WITHDRAWN,
    )
    .group_by(col(Evidence.id), col(Evidence.title), col(Evidence.submitted_at))
    .order_by(col(Evidence.submitted_at), col(Evidence.id))
)


def awaiting_of(session: Session, learner_id: int) -> list[AwaitingItem]:
    """Submitted items with claims awaiting a decision (of a standard not signed off, on a
    registration not withdrawn from), the longest waiting first."""
    rows = session.execute(_AWAITING, {"learner_id": learner_id}).all()
    return [AwaitingItem(i, title, n, at) for i, title, n, at in rows]


def versions_named(standings: Iterable[Standing]) -> dict[int, str]:
    """ " (version 2)" for each registration whose framework the learner also holds in another
    version (moved to a new version, they hold its standards twice), "" for the others."""
    held = list(standings)
    codes = [s.framework.code for s in held]
    return {
        s.registration.id or 0: (
            f" (version {s.framework.version})" if codes.count(s.framework.code) > 1 else ""
        )
        for s in held
    }


def registrations_of(standings: Iterable[Standing]) -> list[RegistrationLine]:
    """The learner's registrations, from their standings (read by ``learner_standings``, which
    names each one's assessor)."""
    versions = versions_named(standings)
    return [
        RegistrationLine(
            s.framework.title + versions[s.registration.id or 0],
            s.assessor_name or "",
            s.registration.start_date,
            s.registration.planned_end,
            s.registration.withdrawn_at,
            s.registration.break_since,
            s.registration.break_until,
        )
        for s in standings
    ]
