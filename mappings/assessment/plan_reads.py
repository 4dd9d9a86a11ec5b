"""Reading assessment plans: the learner reads theirs, their assessor, IQA and an EQA with access
read them, as does an administrator. Writing them: :mod:`mappings.assessment.plans`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, bindparam, case, exists, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.completion import completed_sql
from mappings.assessment.models import (
    AssessmentPlan,
    AssessmentPlanCriterion,
    AssessmentPlanEvidence,
)
from mappings.assessment.plan_state import PlanState, kind_words, state_of, written_by_assessor
from portfolio.errors import NotFound
from portfolio.models import (
    Criterion,
    Evidence,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.paging import Paged
from portfolio.services import access
from portfolio.services.people import Actor

HOME_SHOWN = 5  # open plans on the learner's home page
LEARNER_SHOWN = 50  # plans on a page of the learner's list and their progress page
EVIDENCE_SHOWN = 20  # the newest items written for a plan that its page lists

# evidence written for the plan has been submitted
_SUBMITTED = (
    exists()
    .where(
        col(AssessmentPlanEvidence.plan_id) == AssessmentPlan.id,
        col(Evidence.id) == AssessmentPlanEvidence.evidence_id,
        col(Evidence.submitted_at).is_not(None),
    )
    .correlate(AssessmentPlan)
)

# its registration is completed (every standard signed off): the plan is no longer needed
_COMPLETED = completed_sql(col(Registration.id))

# built once: it runs on every learner's home page, a range of ix_assessment_plan_learner_open;
# a completed registration's open plans are no work to do, so not among them
_OPEN = (
    sa_select(
        col(AssessmentPlan.id),
        col(AssessmentPlan.title),
        col(AssessmentPlan.due_on),
        _SUBMITTED.label("submitted"),
        col(Registration.break_since).is_not(None).label("on_break"),
        col(AssessmentPlan.evidence_kind),
    )
    .join(Registration, col(Registration.id) == AssessmentPlan.registration_id)
    .where(
        col(AssessmentPlan.learner_id) == bindparam("learner_id"),
        col(AssessmentPlan.status) == "open",
        ~_COMPLETED,
    )
    .order_by(col(AssessmentPlan.due_on), col(AssessmentPlan.id))
    .limit(bindparam("limit"))
)


@dataclass(frozen=True)
class PlanRow:
    id: int
    title: str
    due_on: date
    state: PlanState
    evidence_kind: str | None = None  # the kind asked for (None: any), where the list says it

    @property
    def evidence_kind_words(self) -> str:
        return kind_words(self.evidence_kind)

    @property
    def by_assessor(self) -> bool:  # the kind asked for is one the assessor writes
        return written_by_assessor(self.evidence_kind)


@dataclass(frozen=True)
class PlanCriterion:
    standard: str  # "SE03"
    code: str  # "P4"
    text: str


@dataclass(frozen=True)
class PlanEvidence:
    id: int
    title: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class PlanPage:
    id: int
    registration_id: int
    learner_id: int
    learner: str
    framework: str
    title: str
    body: str
    due_on: date
    evidence_kind: str | None  # the kind of evidence asked for; None: any, the learner's choice
    evidence_kind_words: str  # "Witness testimony", "Any kind: the learner chooses"
    set_by: str
    set_at: datetime
    state: PlanState
    criteria: tuple[PlanCriterion, ...]
    evidence: tuple[PlanEvidence, ...]  # the newest ``evidence_shown`` of them, oldest first
    evidence_total: int  # how many items were written for the plan
    may_assess: bool  # the actor is the allocated assessor and the plan is open
    may_write: bool  # the actor is the learner, the plan open, its registration not completed
    portfolio_reader: bool  # the actor may read the portfolio (not only an administrator)
    own: bool = False  # the actor is the learner
    # the actor is the allocated assessor and writes the record the open plan asks for (an
    # observation record, a professional discussion); not once the registration is completed
    # or the learner withdrew from it
    may_record: bool = False


def require_read(session: Session, actor: Actor, learner_id: int) -> set[str]:
    """The actor may read the learner's plans (NotFound otherwise): an administrator, or anyone
    who may read the portfolio (the learner, their assessor and IQA, an EQA with access)."""
    if actor.has("admin"):
        return access.relation(session, actor, learner_id) | {"admin"}
    return access.require_view(session, actor, learner_id)


def open_plans(
    session: Session, learner_id: int, today: date, limit: int = HOME_SHOWN
) -> tuple[list[PlanRow], bool]:
    """The learner's open plans, soonest due first, at most ``limit``, in one statement, and
    whether there are more; not those of a completed registration, no longer needed. For the
    learner's own home page (the caller is the learner)."""
    rows = session.execute(_OPEN, {"learner_id": learner_id, "limit": limit + 1}).all()
    plans = [
        PlanRow(i, t, d, state_of("open", d, bool(s), today, on_break=bool(b)), k)
        for i, t, d, s, b, k in rows
    ]
    return plans[:limit], len(plans) > limit


def _ordered(learner_id: int) -> Select[AssessmentPlan, bool, bool, bool, int]:
    """The learner's plans as their lists show them: open ones soonest due first, then ended
    ones, most recently ended first; each with whether its evidence was submitted, whether its
    registration is on a break, whether it is completed, and how many plans the learner has
    (``count(*) OVER ()``)."""
    ended = case((col(AssessmentPlan.status) == "open", 0), else_=1)
    return (
        sa_select(
            AssessmentPlan,
            _SUBMITTED.label("submitted"),
            col(Registration.break_since).is_not(None).label("on_break"),
            _COMPLETED.label("completed"),
            func.count().over(),
        )
        .join(Registration, col(Registration.id) == AssessmentPlan.registration_id)
        .where(col(AssessmentPlan.learner_id) == learner_id)
        .order_by(
            ended,
            case((col(AssessmentPlan.status) == "open", col(AssessmentPlan.due_on))),
            col(AssessmentPlan.ended_at).desc(),
            col(AssessmentPlan.id),
        )
    )


def plans_window(
    session: Session, *, actor: Actor, learner_id: int, today: date, start: int, limit: int
) -> tuple[list[PlanRow], int]:
    """``limit`` of the learner's plans from the ``start``-th (in the order of :func:`_ordered`)
    and how many plans they have, in one statement however many; the count is read alone
    only when ``start`` lies past the end."""
    require_read(session, actor, learner_id)
    rows = session.execute(_ordered(learner_id).limit(limit).offset(start)).all()
    total = int(rows[0][4]) if rows else 0
    if not rows and start > 0:
        every = sa_select(func.count()).where(col(AssessmentPlan.learner_id) == learner_id)
        total = int(session.execute(every).scalar_one())
    shown = [
        PlanRow(
            p.id or 0,
            p.title,
            p.due_on,
            state_of(p.status, p.due_on, bool(s), today, p.close_reason, bool(b), bool(c)),
            p.evidence_kind,
        )
        for p, s, b, c, _ in rows
    ]
    return shown, total


def plans_paged(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    today: date,
    page: int = 1,
    per_page: int = LEARNER_SHOWN,
) -> Paged[PlanRow]:
    """A page of the learner's plans and how many there are (:func:`plans_window`); a page
    past the end is the last."""

    def read(number: int) -> tuple[list[PlanRow], int]:
        start = (number - 1) * per_page
        return plans_window(
            session, actor=actor, learner_id=learner_id, today=today, start=start, limit=per_page
        )

    page = max(1, page)
    shown, total = read(page)
    if not shown and total:
        page = -(-total // per_page)
        shown, total = read(page)
    return Paged(shown, total, page, per_page)


def plans_of(
    session: Session, *, actor: Actor, learner_id: int, today: date, limit: int = LEARNER_SHOWN
) -> list[PlanRow]:
    """The learner's first ``limit`` plans (as :func:`plans_paged`)."""
    return plans_paged(
        session, actor=actor, learner_id=learner_id, today=today, per_page=limit
    ).rows


def plan_page(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    today: date,
    evidence_shown: int | None = EVIDENCE_SHOWN,
) -> PlanPage:
    """One plan with its criteria, its state and the newest ``evidence_shown`` items written for
    it (None: all of them), for anyone who may read it."""
    found = session.execute(
        sa_select(AssessmentPlan, Registration, col(Framework.title), col(Person.name), _COMPLETED)
        .join(Registration, col(Registration.id) == AssessmentPlan.registration_id)
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .join(Person, col(Person.id) == AssessmentPlan.learner_id)
        .where(col(AssessmentPlan.id) == plan_id)
    ).first()
    if found is None:
        raise NotFound("No such plan.")
    plan, reg, framework, learner, completed = found
    rel = require_read(session, actor, plan.learner_id)
    setter = session.get(Person, plan.set_by)
    evidence, total, submitted = _evidence_of(session, plan_id, evidence_shown, actor.id)
    is_open = plan.status == "open"
    return PlanPage(
        id=plan_id,
        registration_id=reg.id or 0,
        learner_id=plan.learner_id,
        learner=learner,
        framework=framework,
        title=plan.title,
        body=plan.body,
        due_on=plan.due_on,
        evidence_kind=plan.evidence_kind,
        evidence_kind_words=kind_words(plan.evidence_kind),
        set_by=setter.name if setter else "",
        set_at=plan.set_at,
        state=state_of(
            plan.status,
            plan.due_on,
            submitted,
            today,
            plan.close_reason,
            reg.break_since is not None,
            bool(completed),
        ),
        criteria=tuple(criteria_of(session, plan_id)),
        evidence=tuple(evidence),
        evidence_total=total,
        may_assess=is_open and reg.assessor_id == actor.id and "assessor" in rel,
        may_write=is_open and not completed and "self" in rel,
        portfolio_reader=bool(rel - {"admin"}),
        own="self" in rel,
        may_record=is_open
        and reg.assessor_id == actor.id
        and "assessor" in rel
        and written_by_assessor(plan.evidence_kind)
        and not completed
        and reg.withdrawn_at is None,
    )


def criteria_of(session: Session, plan_id: int) -> list[PlanCriterion]:
    rows = session.exec(
        select(Standard.code, Criterion.code, Criterion.text)
        .join(Criterion, col(Criterion.standard_id) == Standard.id)
        .join(AssessmentPlanCriterion, col(AssessmentPlanCriterion.criterion_id) == Criterion.id)
        .where(AssessmentPlanCriterion.plan_id == plan_id)
        .order_by(col(Standard.position), col(Criterion.position))
    ).all()
    return [PlanCriterion(s, c, t) for s, c, t in rows]


def criterion_ids_of(session: Session, plan_id: int) -> list[int]:
    return list(
        session.exec(
            select(AssessmentPlanCriterion.criterion_id).where(
                AssessmentPlanCriterion.plan_id == plan_id
            )
        ).all()
    )


# built once: the newest items written for a plan, each with how many there are and whether
# any of them was submitted (the plan's state needs it, whichever are shown)
_NEWEST = (
    sa_select(
        col(Evidence.id),
        col(Evidence.title),
        col(Evidence.submitted_at),
        func.count().over().label("total"),
        func.max(case((col(Evidence.submitted_at).is_not(None), 1), else_=0))
        .over()
        .label("submitted"),
    )
    .join(
        AssessmentPlanEvidence,
        and_(
            col(AssessmentPlanEvidence.evidence_id) == Evidence.id,
            col(AssessmentPlanEvidence.plan_id) == bindparam("plan_id"),
        ),
    )
    # not to the learner someone else's item (the assessor's record) until it is submitted
    .where(
        or_(
            col(Evidence.learner_id) != bindparam("viewer_id"),
            col(Evidence.created_by) == col(Evidence.learner_id),
            col(Evidence.submitted_at).is_not(None),
        )
    )
    .order_by(col(Evidence.id).desc())
)


def _evidence_of(
    session: Session, plan_id: int, shown: int | None, viewer_id: int
) -> tuple[list[PlanEvidence], int, bool]:
    """The newest ``shown`` items written for the plan (None: all) that ``viewer_id`` may see,
    oldest first, in one statement however many there are; how many there are; whether any was
    submitted."""
    statement = _NEWEST if shown is None else _NEWEST.limit(shown)
    params = {"plan_id": plan_id, "viewer_id": viewer_id}
    rows = session.connection().execute(statement, params).all()
    if not rows:
        return [], 0, False
    items = [PlanEvidence(i or 0, t, s) for i, t, s, _, _ in reversed(rows)]
    return items, int(rows[0][3]), bool(rows[0][4])


@dataclass(frozen=True)
class Target:
    """A criterion a plan may target, with its standard."""

    criterion_id: int
    standard: str  # "SE03"
    standard_title: str
    code: str
    text: str


@dataclass(frozen=True)
class Assessed:
    """A registration of the learner the actor assesses, as the "Set a plan" page offers it."""

    registration_id: int
    framework: str
    withdrawn_at: date | None


def assessed_registrations(session: Session, *, actor: Actor, learner_id: int) -> list[Assessed]:
    """The learner's registrations the actor is allocated to assess (none unless an assessor)."""
    if not actor.has("assessor"):
        return []
    rows = session.exec(
        select(col(Registration.id), col(Framework.title), col(Registration.withdrawn_at))
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .where(Registration.learner_id == learner_id, Registration.assessor_id == actor.id)
        .order_by(col(Registration.id))
    ).all()
    return [Assessed(i or 0, t, w) for i, t, w in rows]


def targets_of(session: Session, registration_id: int) -> list[Target]:
    """Every criterion of the registration's standards, in the framework's order."""
    rows = session.execute(
        sa_select(
            col(Criterion.id),
            col(Standard.code),
            col(Standard.title),
            col(Criterion.code),
            col(Criterion.text),
        )
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(RegistrationStandard, col(RegistrationStandard.standard_id) == Standard.id)
        .where(col(RegistrationStandard.registration_id) == registration_id)
        .order_by(col(Standard.position), col(Criterion.position))
    ).all()
    return [Target(i or 0, s, st, c, t) for i, s, st, c, t in rows]
