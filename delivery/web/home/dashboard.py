"""View data of the home page, per role: what each person should look at first.

Each builder returns plain dataclasses in a fixed number of queries; the template only loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Exists, select
from sqlmodel import Session, col

from delivery.web.coverage.overview import (
    LearnerProgress,
    Outstanding,
    StandardProgress,
    progress_of,
)
from delivery.web.home.next_steps import (
    AWAITING_SHOWN,
    AwaitingItem,
    RegistrationLine,
    awaiting_of,
    registrations_of,
    versions_named,
)
from mappings.assessment import item_state
from mappings.assessment.caseload import Store, settled_counts
from mappings.assessment.declarations import Awaiting, awaiting_in
from mappings.assessment.plan_reads import PlanRow, open_plans
from mappings.assessment.referrals import Referral, open_referrals
from mappings.assessment.standing import learner_standings
from mappings.quality.eqa import EqaCycle, eqa_grants_of
from portfolio.models import Framework, Person, Registration
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
    # where it stands with the assessor, as the evidence list's "Decision" column says it
    # (mappings.assessment.item_state): "accepted", "awaiting decision", "some referred", "draft"
    state: str


@dataclass(frozen=True)
class StandardBar:
    """One standard's progress bar: met and awaiting a decision as separate parts, and in words."""

    progress: StandardProgress
    met_width: float  # percent of the bar
    awaiting_width: float
    words: str  # "3 of 28 met, 2 awaiting a decision, 23 still to do"
    registration_id: int  # whose standard: a learner on two versions holds a code twice
    version: str = ""  # " (version 2)" when the learner holds the framework in two versions


def standard_bar(p: StandardProgress, registration_id: int, version: str = "") -> StandardBar:
    total = p.total or 1
    to_do = max(p.total - p.met - p.awaiting, 0)
    return StandardBar(
        progress=p,
        met_width=round(100 * p.met / total, 1),
        awaiting_width=round(100 * p.awaiting / total, 1),
        words=f"{p.met} of {p.total} met, {p.awaiting} awaiting a decision, {to_do} still to do",
        registration_id=registration_id,
        version=version,
    )


@dataclass(frozen=True)
class LearnerHome:
    learner_id: int
    standards: tuple[StandardBar, ...]
    evidence: tuple[EvidenceItem, ...]  # the latest few
    evidence_total: int
    drafts: tuple[EvidenceItem, ...]  # the first few to submit
    drafts_total: int
    referrals: tuple[Referral, ...]
    missing: tuple[Outstanding, ...]  # the first few criteria with no evidence at all
    missing_total: int
    declarations: tuple[Awaiting, ...] = ()  # complete standards awaiting the learner's declaration
    awaiting: tuple[AwaitingItem, ...] = ()  # the first few submitted items awaiting a decision
    awaiting_total: int = 0
    registrations: tuple[RegistrationLine, ...] = ()  # with the assessor and the planned end
    # criteria accepted, but by claims that do not count (their method, age or date): they
    # still need evidence that counts
    not_counting: tuple[Outstanding, ...] = ()
    # the assessor's open plans, soonest due first (the first few), and whether there are more
    plans: tuple[PlanRow, ...] = ()
    plans_more: bool = False
    # registrations whose every standard is signed off: (framework title, day), said in place
    # of their to-do items
    completed: tuple[tuple[str, date], ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.referrals
            or self.drafts
            or self.declarations
            or self.missing
            or self.not_counting
            or self.plans
        )


@dataclass(frozen=True)
class CaseloadSummary:
    role: str
    learners: int
    awaiting_claims: int
    awaiting_learners: int
    rag_counts: dict[str, int]
    pending: tuple[int, ...]  # summaries missing or of an earlier day, left to the background
    withdrawn: int = 0  # registrations whose learner withdrew: not in the RAG or awaiting counts
    completed: int = 0  # registrations completed: not in the RAG counts
    ended: int = 0  # ended by the learner's erasure: in no other count, the learners' neither


def _item(row: evidence_service.EvidenceRow, states: dict[int, str]) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        title=row.title,
        kind_label=row.kind_label,
        activity_date=row.activity_date,
        status=row.status,
        state=states.get(row.id, item_state.DRAFT),
    )


def learner_home(session: Session, *, actor: Actor, today: date | None = None) -> LearnerHome:
    """The learner's own standards, latest evidence and what to do next."""
    standings = learner_standings(session, actor.id, today)
    progress: list[LearnerProgress] = [progress_of(s) for s in standings]
    latest, drafts = evidence_service.latest_and_drafts(
        session, actor=actor, learner_id=actor.id, latest=LATEST_EVIDENCE, drafts=DRAFTS_SHOWN
    )
    # a withdrawn registration's criteria are not to be evidenced: mapping to them is refused;
    # a completed one's are all signed off
    staying = [p for p in progress if p.withdrawn_at is None and p.completed_on is None]
    missing = [o for p in staying for o in p.outstanding if o.state == "missing"]
    signed = {info.id for s in standings for info in s.standards if info.signoff is not None}
    # a referral of a registration the learner withdrew from is not to show again until reinstated
    # (a standard also of a registration they stay on is kept: its referrals are to answer there)
    kept = {i.id for s in standings if s.registration.withdrawn_at is None for i in s.standards}
    left = {i.id for s in standings for i in s.standards} - kept
    # where the latest few stand: one statement over those few ids (none when all are drafts)
    states = item_state.item_states(session, [(r.id, r.status) for r in latest.rows])
    awaiting = awaiting_of(session, actor.id)
    plans, plans_more = open_plans(session, actor.id, today or date.today())
    versions = versions_named(standings)
    return LearnerHome(
        learner_id=actor.id,
        standards=tuple(
            standard_bar(s, p.registration_id, versions[p.registration_id])
            for p in progress
            for s in p.standards
        ),
        evidence=tuple(_item(r, states) for r in latest.rows),
        evidence_total=latest.total,
        drafts=tuple(_item(r, {}) for r in drafts.rows),
        drafts_total=drafts.total,
        referrals=tuple(
            open_referrals(
                session, learner_id=actor.id, signed_standards=signed, withdrawn_standards=left
            )
        ),
        missing=tuple(missing[:NEXT_MISSING]),
        missing_total=len(missing),
        declarations=tuple(awaiting_in(session, standings)),
        awaiting=tuple(awaiting[:AWAITING_SHOWN]),
        awaiting_total=len(awaiting),
        registrations=tuple(registrations_of(standings)),
        not_counting=tuple(o for p in staying for o in p.outstanding if o.state == "uncounted"),
        plans=tuple(plans),
        plans_more=plans_more,
        completed=tuple(
            (s.framework.title, p.completed_on)
            for s, p in zip(standings, progress, strict=True)
            if p.completed_on is not None and p.withdrawn_at is None
        ),
    )


def caseload_summary(
    session: Session,
    *,
    actor: Actor,
    role: str = "assessor",
    today: date | None = None,
    store: Store | None = None,
) -> CaseloadSummary:
    """Counts for the home page of an assessor (or an IQA): decisions waiting, learners by RAG."""
    found, pending = settled_counts(
        session, actor=actor, role=role, today=today or date.today(), store=store, people=True
    )
    return CaseloadSummary(
        role=role,
        learners=found.learners,
        awaiting_claims=found.awaiting_claims,
        awaiting_learners=found.awaiting_learners,
        rag_counts=found.rag_counts,
        pending=pending,
        withdrawn=found.withdrawn,
        completed=found.completed,
        ended=found.ended,
    )


@dataclass(frozen=True)
class FirstSteps:
    """For the administrators of a centre with no learner registered yet: which of the steps
    before the first registration are done."""

    framework: bool  # a framework is loaded
    people: bool  # someone assesses and someone learns


def first_steps(session: Session) -> FirstSteps | None:
    """None once a learner is registered; otherwise what is done so far (one statement)."""

    def held(role: str) -> Exists:
        return select(col(Person.id)).where(col(Person.roles).contains(role)).exists()

    registered, framework, assessor, learner = session.execute(
        select(
            select(col(Registration.id)).exists(),
            select(col(Framework.id)).exists(),
            held("assessor"),
            held("learner"),
        )
    ).one()
    if registered:
        return None
    return FirstSteps(framework=bool(framework), people=bool(assessor and learner))


@dataclass(frozen=True)
class Home:
    """Every panel of one person's home page; a panel is None when the role is not held."""

    learner: LearnerHome | None
    assessing: CaseloadSummary | None
    assuring: CaseloadSummary | None
    cohorts: tuple[CohortRow, ...]  # for administrators: links to each cohort's progress
    eqa: tuple[EqaCycle, ...] | None = None  # for external quality assurers: their live grants
    first_steps: FirstSteps | None = None  # for administrators, until a learner is registered


def home(
    session: Session, *, actor: Actor, today: date | None = None, store: Store | None = None
) -> Home:
    return Home(
        learner=learner_home(session, actor=actor, today=today) if actor.has("learner") else None,
        assessing=(
            caseload_summary(session, actor=actor, today=today, store=store)
            if actor.has("assessor")
            else None
        ),
        assuring=(
            caseload_summary(session, actor=actor, role="iqa", today=today, store=store)
            if actor.has("iqa")
            else None
        ),
        cohorts=tuple(list_cohorts(session)) if actor.has("admin") else (),
        eqa=tuple(eqa_grants_of(session, actor=actor)) if actor.has("eqa") else None,
        first_steps=first_steps(session) if actor.has("admin") else None,
    )
