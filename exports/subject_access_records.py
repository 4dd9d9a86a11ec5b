"""The assessment records of a subject-access archive: claims (with where each came from),
assessment plans (with their criteria and linked evidence) and witness confirmations. Of the
learner's evidence, as their own export: an item their assessor wrote and has not yet submitted
is the assessor's, and so are its claims (in the assessor's archive, as claims they made).

A witness confirmation holds a third party's data, the witness's e-mail address and comment.
They go in the learner's archive as they are, as the comments of others on their evidence do
(docs/privacy.md, "Subject access"): the learner or their assessor gave the address, and the
answer and comment are about the learner's own testimony, shown to them on its page. The
link's token hash never goes in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from mappings.assessment.models import (
    AssessmentPlan,
    AssessmentPlanCriterion,
    AssessmentPlanEvidence,
    Claim,
)
from portfolio.models import Evidence, WitnessConfirmation


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _dump(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.model_dump().items() if k not in skip}


def _plans(session: Session, pid: int) -> list[dict[str, Any]]:
    """Plans set the person as a learner, or that they set or ended; three statements."""
    found = list(
        session.exec(
            select(AssessmentPlan)
            .where(
                or_(
                    col(AssessmentPlan.learner_id) == pid,
                    col(AssessmentPlan.set_by) == pid,
                    col(AssessmentPlan.ended_by) == pid,
                )
            )
            .order_by(col(AssessmentPlan.id))
        )
    )
    ids = [p.id for p in found]
    criteria: dict[int, list[int]] = defaultdict(list)
    evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for c in session.exec(
            select(AssessmentPlanCriterion)
            .where(col(AssessmentPlanCriterion.plan_id).in_(ids))
            .order_by(col(AssessmentPlanCriterion.criterion_id))
        ):
            criteria[c.plan_id].append(c.criterion_id)
        for e in session.exec(
            select(AssessmentPlanEvidence)
            .where(col(AssessmentPlanEvidence.plan_id).in_(ids))
            .order_by(
                col(AssessmentPlanEvidence.linked_at), col(AssessmentPlanEvidence.evidence_id)
            )
        ):
            evidence[e.plan_id].append(_dump(e, skip=("plan_id",)))
    return [
        {**_dump(p), "criterion_ids": criteria[p.id or 0], "evidence": evidence[p.id or 0]}
        for p in found
    ]


def _where(session: Session, table: Any, *conditions: Any, skip: tuple[str, ...] = ()) -> list[Any]:
    query = select(table).where(or_(*conditions)).order_by(col(table.id))
    return [_dump(row, skip) for row in session.exec(query)]


def _shown(session: Session, pid: int) -> list[int | None]:
    """The person's evidence as their own export shows it: an item someone else (their
    assessor) wrote and never submitted is its author's, with its claims."""
    return list(
        session.exec(
            select(Evidence.id).where(
                Evidence.learner_id == pid,
                or_(col(Evidence.created_by) == pid, col(Evidence.submitted_at).is_not(None)),
            )
        )
    )


def evidence_held(session: Session, pid: int) -> list[int | None]:
    """The evidence whose judgements, comments and audit entries go in the person's archive:
    theirs as their own export shows it, and the items they wrote for someone else (a learner
    they assess) and have not yet submitted, which are theirs alone until then."""
    drafts = select(Evidence.id).where(
        Evidence.created_by == pid, Evidence.learner_id != pid, col(Evidence.submitted_at).is_(None)
    )
    return _shown(session, pid) + list(session.exec(drafts))


def assessment_records(session: Session, pid: int) -> dict[str, list[dict[str, Any]]]:
    """``claims.json``, ``plans.json`` and ``witness_confirmations.json`` of person ``pid``."""
    items = _shown(session, pid)
    return {
        "claims.json": _where(
            session, Claim, col(Claim.evidence_id).in_(items), col(Claim.claimed_by) == pid
        ),
        "plans.json": _plans(session, pid),
        "witness_confirmations.json": _where(
            session,
            WitnessConfirmation,
            col(WitnessConfirmation.evidence_id).in_(items),
            col(WitnessConfirmation.requested_by) == pid,
            skip=("token_hash",),
        ),
    }
