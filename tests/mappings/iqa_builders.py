"""Quick builders of assessed work for the IQA tests: rows inserted directly (fast), dated."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from mappings.assessment.deciders import framework_of
from mappings.assessment.models import Claim, Decision, SignOff
from portfolio.models import Cohort, Criterion, Evidence, Framework, Registration, Standard

TODAY = date.today()
CYCLE_START = TODAY - timedelta(days=30)
CYCLE_END = TODAY + timedelta(days=30)


def standard_id(session: Session, code: str) -> int:
    sid = session.exec(
        select(Standard.id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .where(Standard.code == code, Framework.code == "SE")
    ).first()
    assert sid is not None
    return sid


def put_in_cohort(session: Session, reg: Registration, name: str, site: str) -> Cohort:
    cohort = session.exec(select(Cohort).where(Cohort.name == name)).first()
    if cohort is None:
        cohort = Cohort(name=name, site=site)
        session.add(cohort)
        session.flush()
    reg.cohort_id = cohort.id
    session.add(reg)
    session.commit()
    return cohort


def assess(
    session: Session,
    reg: Registration,
    assessor_id: int,
    code: str,
    *,
    kind: str = "reflective_account",
    method: str = "O",
    signed: bool = True,
    at: datetime | None = None,
) -> tuple[Decision, SignOff | None]:
    """One accepted claim on ``code`` decided by ``assessor_id`` at ``at``; signed off if asked."""
    at = at or datetime.now(UTC) - timedelta(days=2)
    criterion = session.exec(
        select(Criterion).where(Criterion.standard_id == standard_id(session, code))
    ).first()
    assert criterion is not None
    item = Evidence(
        learner_id=reg.learner_id,
        kind=kind,
        title=f"{kind} for {code}",
        activity_date=at.date(),
        status="submitted",
        created_by=reg.learner_id,
        submitted_at=at,
    )
    session.add(item)
    session.flush()
    claim = Claim(
        evidence_id=item.id or 0,
        criterion_id=criterion.id or 0,
        claimed_by=reg.learner_id,
        status="accepted",
        method=method,
        decided_at=at,
        decided_by=assessor_id,
        revision=1,
    )
    session.add(claim)
    session.flush()
    decision = Decision(
        claim_id=claim.id or 0,
        framework_id=framework_of(session, claim.id or 0),
        old_status="claimed",
        new_status="accepted",
        method=method,
        actor_id=assessor_id,
        at=at,
    )
    session.add(decision)
    record = None
    if signed:
        record = SignOff(
            registration_id=reg.id or 0,
            standard_id=criterion.standard_id,
            assessor_id=assessor_id,
            document_id=f"SO-{uuid.uuid4().hex[:12].upper()}",
            summary="Competent.",
            learner_declared_at=at,
            assessor_declared_at=at,
            signed_at=at,
            evidence_set_sha256="0" * 64,
        )
        session.add(record)
    session.commit()
    return decision, record
