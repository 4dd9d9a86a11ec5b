"""A learner with claims accepted by a method that does not count for their criteria (the
assessor chose "Record decisions anyway"), for the tests of every place that counts criteria:
on SE01, P1 and P2 are accepted by reflective account (does not count for a performance
criterion), K1 by reflective account (counts), and P3 is referred on another item. So SE01 has
1 met, 1 referred and 2 accepted, not counting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from mappings.assessment import claims
from mappings.assessment.claims import DecisionChoice, claimable_criteria
from mappings.assessment.models import Claim
from portfolio.models import Person
from portfolio.services import evidence as service
from tests.conftest import actor_of


def _submitted(
    session: Session, make_evidence: Callable[..., Any], learner: Person, title: str, ids: list[int]
) -> tuple[Any, list[Claim]]:
    item = make_evidence(learner, submit=False, kind="reflective_account", title=title)
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids)
    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    session.commit()
    rows = session.exec(select(Claim).where(Claim.evidence_id == item.id).order_by(col(Claim.id)))
    return item, list(rows)


def build_world(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> dict[str, Any]:
    """The learner, their assessor, the two items, their registration and the four criteria."""
    learner, assessor = make_person("learner"), make_person("assessor")
    registration = make_registration(learner=learner, assessor=assessor, codes="SE01")
    criteria = claimable_criteria(session, learner.id or 0)
    p1, p2, p3 = [c for c in criteria if c.kind == "performance"][:3]
    k1 = next(c for c in criteria if c.kind == "knowledge")
    fair, fair_claims = _submitted(
        session,
        make_evidence,
        learner,
        "Job fair",
        [p1.criterion_id, p2.criterion_id, k1.criterion_id],
    )
    leaflet, (p3_claim,) = _submitted(session, make_evidence, learner, "Leaflet", [p3.criterion_id])
    choices = [DecisionChoice(c.id or 0, c.revision, "accepted", "RA") for c in fair_claims]
    claims.decide_many(session, actor=actor_of(assessor), evidence_id=fair.id, choices=choices)
    claims.decide_many(
        session,
        actor=actor_of(assessor),
        evidence_id=leaflet.id,
        choices=[DecisionChoice(p3_claim.id or 0, p3_claim.revision, "referred", "WT", "Dates?")],
    )
    session.commit()
    return {
        "learner": learner,
        "assessor": assessor,
        "registration": registration,
        "fair": fair,
        "leaflet": leaflet,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "k1": k1,
    }
