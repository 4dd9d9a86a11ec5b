"""View data of the home page, per role: what each person should look at first.

Each builder returns plain dataclasses in a fixed number of queries; the template only loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from delivery.web.coverage.caseload import caseload
from delivery.web.coverage.overview import (
    LearnerProgress,
    Outstanding,
    StandardProgress,
    progress_of,
)
from mappings.assessment.declarations import Awaiting, awaiting_in
from mappings.assessment.models import Claim, Decision
from mappings.assessment.standing import load_standings, registrations_of_learner
from portfolio.models import Criterion, Evidence, Standard
from portfolio.services import evidence as evidence_service
from portfolio.services.people import Actor
from portfolio.services.registrations import CohortRow, list_cohorts

LATEST_EVIDENCE = 5
NEXT_MISSING = 5
DRAFTS_SHOWN = 10


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    title: str
    kind_label: str
    activity_date: date
    status: str


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
class LearnerHome:
    learner_id: int
    standards: tuple[StandardProgress, ...]
    evidence: tuple[EvidenceItem, ...]  # the latest few
    evidence_total: int
    drafts: tuple[EvidenceItem, ...]  # the first few to submit
    drafts_total: int
    referrals: tuple[Referral, ...]
    missing: tuple[Outstanding, ...]  # the first few criteria with no evidence at all
    missing_total: int
    declarations: tuple[Awaiting, ...] = ()  # complete standards awaiting the learner's declaration


@dataclass(frozen=True)
class CaseloadSummary:
    role: str
    learners: int
    awaiting_claims: int
    awaiting_learners: int
    rag_counts: dict[str, int]
    worked_out: tuple[int, ...]  # registrations whose summaries were missing: store them


# built once: it runs on every learner's home page
_REFERRALS = (
    sa_select(Claim, Evidence, col(Criterion.code), col(Standard.code), Decision)
    .join(Evidence, col(Evidence.id) == Claim.evidence_id)
    .join(Criterion, col(Criterion.id) == Claim.criterion_id)
    .join(Standard, col(Standard.id) == Criterion.standard_id)
    .join(Decision, col(Decision.claim_id) == Claim.id)
    .where(
        col(Evidence.learner_id) == bindparam("learner_id"),
        col(Claim.status) == "referred",
        col(Decision.new_status) == "referred",
    )
    .order_by(col(Decision.at), col(Decision.id))
)


def referrals_of(session: Session, learner_id: int) -> list[Referral]:
    """Claims of the learner now referred, each with the feedback of its latest referral."""
    rows = session.execute(_REFERRALS, {"learner_id": learner_id}).all()
    latest: dict[int, Referral] = {}
    for claim, item, code, standard, decision in rows:
        latest[claim.id or 0] = Referral(
            evidence_id=item.id or 0,
            evidence_title=item.title,
            standard=standard,
            code=code,
            feedback=decision.feedback,
            at=decision.at,
        )
    return sorted(latest.values(), key=lambda r: (r.at, r.standard, r.code), reverse=True)


def _item(row: evidence_service.EvidenceRow) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        title=row.title,
        kind_label=row.kind_label,
        activity_date=row.activity_date,
        status=row.status,
    )


def learner_home(session: Session, *, actor: Actor, today: date | None = None) -> LearnerHome:
    """The learner's own standards, latest evidence and what to do next."""
    standings = load_standings(session, registrations_of_learner(session, actor.id), today)
    progress: list[LearnerProgress] = [progress_of(s) for s in standings]
    latest = evidence_service.page_for_learner(
        session, actor=actor, learner_id=actor.id, per_page=LATEST_EVIDENCE
    )
    drafts = evidence_service.page_for_learner(
        session, actor=actor, learner_id=actor.id, per_page=DRAFTS_SHOWN, status="draft"
    )
    missing = [o for p in progress for o in p.outstanding if o.state == "missing"]
    return LearnerHome(
        learner_id=actor.id,
        standards=tuple(s for p in progress for s in p.standards),
        evidence=tuple(_item(r) for r in latest.rows),
        evidence_total=latest.total,
        drafts=tuple(_item(r) for r in drafts.rows),
        drafts_total=drafts.total,
        referrals=tuple(referrals_of(session, actor.id)),
        missing=tuple(missing[:NEXT_MISSING]),
        missing_total=len(missing),
        declarations=tuple(awaiting_in(session, standings)),
    )


def caseload_summary(
    session: Session, *, actor: Actor, role: str = "assessor", today: date | None = None
) -> CaseloadSummary:
    """Counts for the home page of an assessor (or an IQA): decisions waiting, learners by RAG."""
    found = caseload(session, actor=actor, role=role, today=today)
    return CaseloadSummary(
        role=role,
        learners=found.learners,
        awaiting_claims=found.awaiting_claims,
        awaiting_learners=found.awaiting_learners,
        rag_counts=found.rag_counts,
        worked_out=found.worked_out,
    )


@dataclass(frozen=True)
class Home:
    """Every panel of one person's home page; a panel is None when the role is not held."""

    learner: LearnerHome | None
    assessing: CaseloadSummary | None
    assuring: CaseloadSummary | None
    cohorts: tuple[CohortRow, ...]  # for administrators: links to each cohort's progress


def home(session: Session, *, actor: Actor, today: date | None = None) -> Home:
    return Home(
        learner=learner_home(session, actor=actor, today=today) if actor.has("learner") else None,
        assessing=(
            caseload_summary(session, actor=actor, today=today) if actor.has("assessor") else None
        ),
        assuring=(
            caseload_summary(session, actor=actor, role="iqa", today=today)
            if actor.has("iqa")
            else None
        ),
        cohorts=tuple(list_cohorts(session)) if actor.has("admin") else (),
    )
