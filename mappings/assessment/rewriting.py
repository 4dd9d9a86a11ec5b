"""What the assessor said about an item, for its author rewriting it (the edit page): the item's
claims, each referred one with its latest referral (who, when, the feedback), and the latest VACSR
judgement's note. One statement whatever the item's history: the latest referral of each claim
and the latest judgement are found by the database, each one probe of an index (a row read each,
not the claim's or the item's whole history), not read whole and picked in Python.

The caller has already allowed the reader the item (the edit page: its author). Everything read
here is shown to the learner on the evidence page too; there are no private notes among them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, literal, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from mappings.assessment.models import Claim, Decision, Judgement
from portfolio.models import Evidence, Person


@dataclass(frozen=True)
class Said:
    """Feedback as given: by whom, when, in their words."""

    by: str
    at: datetime
    text: str


@dataclass(frozen=True)
class Feedback:
    claimed: tuple[int, ...]  # the criteria the item claims, in order
    referrals: dict[int, Said]  # criterion id -> its claim's latest referral (referred ones)
    judgement: Said | None  # the latest VACSR judgement, when it has a note
    judged_version: int | None


def _last_of(owner: Any, row_id: Any, owner_id: Any) -> Any:
    """The id of the last row of ``owner_id``'s (a claim's decisions, an item's judgements): the
    last entry of the index by owner then id before the next owner's first. Asked as "the newest
    with this owner", PostgreSQL may walk back along the primary key instead, through every newer
    row of other owners (seen once the tables held other learners' history); this order only the
    index has. The caller checks the row found is the owner's own (an owner without one finds
    the row of the owner before it)."""
    return (
        sa_select(row_id)
        .where(tuple_(owner, row_id) < tuple_(owner_id + 1, literal(0, Integer)))
        .order_by(owner.desc(), row_id.desc())
        .limit(1)
        .scalar_subquery()
    )


_ANY_DECISION = aliased(Decision)
_ANY_JUDGEMENT = aliased(Judgement)
# a claim referred now: its status changes only by a decision, so its latest decision is the
# referral; the latest, not the latest with "referred", is one probe of ix_decision_claim
_LATEST_DECISION = _last_of(col(_ANY_DECISION.claim_id), col(_ANY_DECISION.id), col(Claim.id))
# the item's latest judgement, one probe of ix_judgement_evidence
_LATEST_JUDGEMENT = _last_of(
    col(_ANY_JUDGEMENT.evidence_id), col(_ANY_JUDGEMENT.id), col(Evidence.id)
)
_REFERRER = aliased(Person)
_JUDGE = aliased(Person)
_FEEDBACK = (
    sa_select(
        col(Claim.criterion_id),
        col(Decision.feedback),
        col(_REFERRER.name),
        col(Decision.at),
        col(Judgement.version_number),
        col(Judgement.note),
        col(_JUDGE.name),
        col(Judgement.at),
    )
    .select_from(Evidence)
    .outerjoin(Claim, col(Claim.evidence_id) == Evidence.id)
    .outerjoin(
        Decision,
        and_(
            col(Claim.status) == "referred",
            col(Decision.id) == _LATEST_DECISION,
            col(Decision.claim_id) == Claim.id,
        ),
    )
    .outerjoin(_REFERRER, col(_REFERRER.id) == Decision.actor_id)
    .outerjoin(
        Judgement,
        and_(col(Judgement.id) == _LATEST_JUDGEMENT, col(Judgement.evidence_id) == Evidence.id),
    )
    .outerjoin(_JUDGE, col(_JUDGE.id) == Judgement.actor_id)
    .where(col(Evidence.id) == bindparam("evidence_id"))
    .order_by(col(Claim.criterion_id))
)


def feedback_on(session: Session, evidence_id: int) -> Feedback:
    """The item's claims with what the assessor said (see the module), in one statement."""
    rows = session.connection().execute(_FEEDBACK, {"evidence_id": evidence_id}).all()
    claimed: list[int] = []
    referrals: dict[int, Said] = {}
    judgement: Said | None = None
    judged: int | None = None
    for criterion_id, feedback, referrer, referred_at, version, note, judge, judged_at in rows:
        if criterion_id is not None:
            claimed.append(criterion_id)
        if criterion_id is not None and referred_at is not None:
            referrals[criterion_id] = Said(referrer or "", referred_at, feedback or "")
        if note:
            judgement, judged = Said(judge or "", judged_at, note), version
    return Feedback(tuple(claimed), referrals, judgement, judged)
