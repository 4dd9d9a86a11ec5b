"""Demo assessment plans: what the demo assessors have asked their learners to do, so a new user
finds plans on the learner's home page, the learner's progress page and the plan pages:

* learner2: one open and due in five days, one overdue (set five weeks ago, due four days ago) and
  one asking for an observation record, due in twelve days, so that their assessor, assessor1,
  finds "Write the observation record for this plan" on its page;
* learner3: one whose evidence is submitted (their submitted reflective account, linked to it);
* learner5: one set four weeks ago and due a week ago, during the break in learning
  :mod:`demo.states` puts her on from three weeks ago: "paused: on a break in learning", never
  overdue, until the break ends and moves it on.

Each asks for the kind of evidence its words ask for (a reflective account, a witness testimony,
an observation record, which the assessor writes), and each was set (``set_at``, ``updated_at``)
the days ago its data says.

Set through the real services (:mod:`mappings.assessment.plans`), by each registration's
allocated assessor. Idempotent: a learner who already has a plan is left alone. Run after
:func:`demo.assessments.add_demo_assessments` (learner3's plan links the evidence it made).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from mappings.assessment import claims, plans
from mappings.assessment.models import AssessmentPlan
from mappings.assessment.standing import registrations_of_learner
from portfolio.models import Evidence, Person, Registration
from portfolio.models.base import utcnow
from portfolio.services.people import Actor


@dataclass(frozen=True)
class DemoPlan:
    title: str
    body: str
    criteria: tuple[tuple[str, str], ...]  # (standard, criterion code)
    set_days_ago: int
    due_in_days: int  # from today; negative: overdue
    evidence_kind: str | None = None  # the kind of evidence asked for (None: any kind)
    evidence_title: str = ""  # the learner's submitted item written for it


PLANS: dict[str, tuple[DemoPlan, ...]] = {
    "learner2@example.org": (
        DemoPlan(
            title="Reflect on your next job-match visit",
            body=(
                "Write a **reflective account** of your next visit to an employer with a job "
                "seeker: how you matched the role to their profile, what the employer asked "
                "and what you would do differently."
            ),
            criteria=(("SE01", "P1"), ("SE01", "P2")),
            set_days_ago=3,
            due_in_days=5,
            evidence_kind="reflective_account",
        ),
        DemoPlan(
            title="Ask your employer contact for a witness testimony",
            body=(
                "Ask the manager at the hotel laundry to write a **witness testimony** of the "
                "in-work support you gave the new starter in their first month."
            ),
            criteria=(("SE06", "P1"), ("SE06", "P2")),
            set_days_ago=35,
            due_in_days=-4,
            evidence_kind="witness_testimony",
        ),
        DemoPlan(
            title="Observation: your next vocational profiling session",
            body=(
                "I will **observe** you run a vocational profiling session with a job seeker and "
                "write an observation record of it: how you draw out their experience, skills "
                "and preferences, and how you present the profile back to them. Book the "
                "session with me at least a week ahead."
            ),
            criteria=(("SE04", "P1"), ("SE04", "P5")),
            set_days_ago=2,
            due_in_days=12,
            evidence_kind="observation_record",
        ),
    ),
    "learner3@example.org": (
        DemoPlan(
            title="Reflect on your first supervision",
            body=(
                "Write a **reflective account** of your first supervision: what you discussed, "
                "what you learned and what you will do next."
            ),
            criteria=(("SE08", "K1"),),
            set_days_ago=35,
            due_in_days=10,
            evidence_kind="reflective_account",
            evidence_title="Reflective account: what I learned in my first supervision",
        ),
    ),
    # learner5 is put on a break three weeks ago (demo.states, run later): set before it, due a
    # week ago, during it, so her home page and assessor2 read it paused, not overdue
    "learner5@example.org": (
        DemoPlan(
            title="Reflect on a job carving conversation",
            body=(
                "Write a **reflective account** of a conversation with an employer about carving "
                "a role out of tasks their staff find hard to fit in: the benefits you put to "
                "them and what they asked."
            ),
            criteria=(("SE02", "P3"), ("SE02", "K3")),
            set_days_ago=28,
            due_in_days=-7,
            evidence_kind="reflective_account",
        ),
    ),
}


@dataclass
class DemoPlans:
    created: list[str] = field(default_factory=list)

    def text(self) -> str:
        if not self.created:
            return "Demo assessment plans were already loaded; nothing changed."
        return "Demo assessment plans: " + "; ".join(self.created)


def add_demo_plans(session: Session, *, today: date | None = None) -> DemoPlans:
    """Set the demo learners' plans (idempotent)."""
    today = today or date.today()
    report = DemoPlans()
    for email, wanted in PLANS.items():
        learner = session.exec(select(Person).where(Person.email == email)).first()
        if learner is None or learner.id is None:
            continue
        has_plan = session.exec(
            select(AssessmentPlan.id).where(AssessmentPlan.learner_id == learner.id)
        ).first()
        reg_ids = registrations_of_learner(session, learner.id)
        if has_plan is not None or not reg_ids:
            continue
        reg = session.get(Registration, reg_ids[0])
        assessor = session.get(Person, reg.assessor_id) if reg and reg.assessor_id else None
        if reg is None or assessor is None:
            continue
        for plan in wanted:
            _set(session, learner, assessor, reg.id or 0, plan, today)
        report.created.append(f"{len(wanted)} plan{'' if len(wanted) == 1 else 's'} for {email}")
    session.flush()
    return report


def _set(
    session: Session,
    learner: Person,
    assessor: Person,
    registration_id: int,
    plan: DemoPlan,
    today: date,
) -> None:
    ids = {
        (c.standard_code, c.code): c.criterion_id
        for c in claims.claimable_criteria(session, learner.id or 0)
    }
    set_on = today - timedelta(days=plan.set_days_ago)
    made = plans.set_plan(
        session,
        actor=Actor.of(assessor),
        registration_id=registration_id,
        title=plan.title,
        body=plan.body,
        criterion_ids=[ids[c] for c in plan.criteria],
        due_on=today + timedelta(days=plan.due_in_days),
        evidence_kind=plan.evidence_kind,
        today=set_on,  # an overdue plan was set while its due date was still ahead
    )
    # set (and last changed, its due date chosen) the day the demo says, so its page reads "Set
    # by … on" that day, not the moment the demo ran, and a break moves it on as one set then
    made.set_at = made.updated_at = utcnow() - timedelta(days=(date.today() - set_on).days)
    made.due_chosen_on = plans.server_day(made.set_at)
    session.add(made)
    session.flush()
    if not plan.evidence_title:
        return
    item = session.exec(
        select(Evidence.id).where(
            Evidence.learner_id == learner.id,
            Evidence.title == plan.evidence_title,
            col(Evidence.status) == "submitted",
        )
    ).first()
    if item is not None:
        plans.link_evidence(
            session, actor=Actor.of(learner), plan_id=made.id or 0, evidence_id=item
        )
