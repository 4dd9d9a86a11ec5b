"""Where each evidence item stands with its assessor, in words a learner uses: "draft",
"awaiting decision", "accepted" or "some referred"; for a page of items in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim

DRAFT = "draft"
AWAITING = "awaiting decision"
ACCEPTED = "accepted"
REFERRED = "some referred"
STATES = (DRAFT, AWAITING, ACCEPTED, REFERRED)


def state_of(status: str, claims: dict[str, int]) -> str:
    """An item's state from its status and how many of its claims are in each state: a referral
    asks the learner to act, so it leads; then claims (or a submission with none) awaiting."""
    if status != "submitted":
        return DRAFT
    if claims.get("referred"):
        return REFERRED
    if claims.get("claimed") or not claims.get("accepted"):
        return AWAITING
    return ACCEPTED


def item_states(session: Session, items: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Evidence id -> state, for (id, status) pairs; one query for the submitted ones."""
    items = list(items)
    submitted = [i for i, status in items if status == "submitted"]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if submitted:
        rows = session.exec(
            select(Claim.evidence_id, Claim.status, func.count(col(Claim.id)))
            .where(col(Claim.evidence_id).in_(submitted))
            .group_by(col(Claim.evidence_id), col(Claim.status))
        )
        for evidence_id, status, n in rows:
            counts[evidence_id][status] = n
    return {i: state_of(status, counts.get(i, {})) for i, status in items}
