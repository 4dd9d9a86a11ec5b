"""The plan a new evidence item is written for (``?plan=`` on the evidence editor): the
learner's own, or one whose allocated assessor writes a record for it, and why a plan takes no
evidence (its registration completed or withdrawn from: :func:`takes_no_evidence`, which
:func:`mappings.assessment.plans.link_evidence` refuses with)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session

from mappings.assessment.completion import completed_sql
from mappings.assessment.models import AssessmentPlan
from mappings.assessment.plan_reads import criterion_ids_of
from mappings.assessment.plan_state import record_words, written_by_assessor
from portfolio.errors import NotFound
from portfolio.models import Framework, Registration
from portfolio.services.people import Actor
from portfolio.words import day_words


@dataclass(frozen=True)
class WritingPlan:
    """The plan as the evidence editor needs it: the learner's own, or one its allocated assessor
    writes a record for."""

    id: int
    title: str
    criterion_ids: list[int]
    open: bool  # evidence written now is linked to it (an ended plan takes no more)
    by_assessor: bool = False  # the writer is the plan's allocated assessor, not the learner
    # why its registration takes no evidence for it (completed or withdrawn), or None
    refused: str | None = None
    evidence_kind: str | None = None  # the kind the plan asks for (None: any)

    @property
    def supporting(self) -> bool:
        """The learner writes for a plan asking for a record their assessor writes (an
        observation record, a professional discussion): their item supports it, it is not it."""
        return not self.by_assessor and written_by_assessor(self.evidence_kind)

    @property
    def record_words(self) -> str:  # "observation record", "professional discussion record"
        return record_words(self.evidence_kind)


def takes_no_evidence(session: Session, reg: Registration) -> str | None:
    """Why no evidence is linked to a plan of ``reg``, in words: the learner withdrew from it,
    or it is completed (every standard signed off, :func:`completed_sql`); None if it takes
    evidence."""
    framework = session.get(Framework, reg.framework_id)
    title = framework.title if framework else "this framework"
    if reg.withdrawn_at is not None:
        return (
            f"The learner withdrew from {title} on {day_words(reg.withdrawn_at)}: no evidence is "
            "linked to its plans unless an administrator reinstates the registration."
        )
    if session.execute(sa_select(completed_sql(reg.id))).scalar():
        return (
            f"Every standard of {title} is signed off: its plans are no longer needed, so no "
            "evidence is linked to them unless a standard is reopened."
        )
    return None


def plan_for_writing(
    session: Session, *, actor: Actor, plan_id: int, learner_id: int | None = None
) -> WritingPlan:
    """The actor's own plan, or one of a registration they are the allocated assessor of (for
    the record they write), for the evidence editor to tick its criteria and link the item;
    NotFound for anyone else, and for a plan of another learner than ``learner_id`` if given
    (the learner the item is written for)."""
    plan = session.get(AssessmentPlan, plan_id)
    if plan is None or (learner_id is not None and plan.learner_id != learner_id):
        raise NotFound("No such plan of yours.")
    own = plan.learner_id == actor.id and actor.has("learner")
    reg = session.get(Registration, plan.registration_id)
    if reg is None:
        raise NotFound("No such plan of yours.")
    if not own and (reg.assessor_id != actor.id or not actor.has("assessor")):
        raise NotFound("No such plan of yours.")
    return WritingPlan(
        plan_id,
        plan.title,
        criterion_ids_of(session, plan_id),
        plan.status == "open",
        by_assessor=not own,
        refused=takes_no_evidence(session, reg),
        evidence_kind=plan.evidence_kind,
    )
