"""Evidence submitted again: the claims decided on an earlier version await a decision again."""

from __future__ import annotations

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.claims import DECISIONS
from mappings.assessment.models import Claim, SignOff
from portfolio.models import Criterion, Evidence, Person, Registration
from portfolio.services import audit
from portfolio.services.people import SYSTEM


def reopen_decided(session: Session, item: Evidence) -> None:
    """A version submitted after the first is not what the assessor decided on: the item's
    accepted and referred claims await a decision again (their decisions stay in the history;
    a form opened before is told the claim changed). Claims of a standard signed off stay as
    they are: the sign-off froze the versions it judged (reopen it to judge again). Registered
    by delivery.wiring as a submit hook, before the assessors are told."""
    if item.current_version <= 1:
        return
    signed = (
        sa_select(col(SignOff.standard_id))
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(col(Registration.learner_id) == item.learner_id, col(SignOff.status) == "signed")
    )
    reopened = session.exec(
        select(Claim)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .where(
            Claim.evidence_id == item.id,
            col(Claim.status).in_(DECISIONS),
            col(Criterion.standard_id).not_in(signed),
        )
        .order_by(col(Claim.id))
    ).all()
    if not reopened:
        return
    was = {claim.id: claim.status for claim in reopened}
    for claim in reopened:
        claim.status, claim.revision = "claimed", claim.revision + 1
        claim.method = claim.decided_at = claim.decided_by = None
    session.add_all(reopened)
    session.flush()
    author = session.get(Person, item.created_by)
    audit.record(
        session,
        actor=author if author is not None else SYSTEM,
        action="claims.reopen",
        subject_type="evidence",
        subject_id=item.id,
        data={"version": item.current_version, "claims": {str(k): v for k, v in was.items()}},
        rows=reopened,
    )
