"""The learner's evidence list narrowed to the items written for one of their assessment plans
(the plan's page links it when it lists only the newest): for whoever may read the learner's
portfolio, and only for a plan of that learner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, exists
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from mappings.assessment.models import AssessmentPlan, AssessmentPlanEvidence
from portfolio.errors import NotFound
from portfolio.models import Evidence
from portfolio.services.evidence import listing
from portfolio.services.people import Actor

# built once (the listing caches its statements by it): the item was written for the plan
WRITTEN_FOR = (
    exists()
    .where(
        col(AssessmentPlanEvidence.evidence_id) == Evidence.id,
        col(AssessmentPlanEvidence.plan_id) == bindparam("plan_id"),
    )
    .correlate(Evidence)
)
_TITLE = sa_select(col(AssessmentPlan.title)).where(
    col(AssessmentPlan.id) == bindparam("plan_id"),
    col(AssessmentPlan.learner_id) == bindparam("learner_id"),
)


def evidence_for_plan(
    session: Session, *, actor: Actor, learner_id: int, plan_id: int, **shown: Any
) -> tuple[str, listing.EvidencePage]:
    """The plan's title and a page of the learner's evidence written for it (``shown``: the
    page, status, query and order as :func:`listing.page_for_learner` takes them). NotFound
    for someone who may not read the learner's portfolio (checked first), and for a plan that
    is not the learner's: no one learns whether another learner's plan exists."""
    page = listing.page_for_learner(
        session,
        actor=actor,
        learner_id=learner_id,
        only=WRITTEN_FOR,
        only_params={"plan_id": plan_id},
        **shown,
    )
    return _title(session, learner_id, plan_id), page


def evidence_after_for_plan(
    session: Session, *, actor: Actor, learner_id: int, plan_id: int, **shown: Any
) -> tuple[list[listing.EvidenceRow], tuple[Any, int] | None]:
    """A keyset page of the learner's evidence written for the plan (``shown``: the position,
    limit, status, query and order as :func:`listing.page_after` takes them), refused as
    :func:`evidence_for_plan` refuses."""
    found = listing.page_after(
        session,
        actor=actor,
        learner_id=learner_id,
        only=WRITTEN_FOR,
        only_params={"plan_id": plan_id},
        **shown,
    )
    _title(session, learner_id, plan_id)
    return found


def _title(session: Session, learner_id: int, plan_id: int) -> str:
    params = {"plan_id": plan_id, "learner_id": learner_id}
    title = session.connection().execute(_TITLE, params).scalar_one_or_none()
    if title is None:
        raise NotFound("No such plan among this learner's plans.")
    return str(title)
