"""Who is told of what in assessment: the learner of decisions and referrals on their evidence
and of plans set for them, the allocated assessor of evidence submitted for a decision. (Comments tell the other party in
:mod:`portfolio.services.comments`; quality assurance tells its people in mappings.quality.)"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from mappings.assessment.models import AssessmentPlan
from portfolio.models import Evidence, Person
from portfolio.services import access, notifications
from portfolio.services.actors import Actor
from portfolio.words import day_words


def _claims(n: int) -> str:
    return "a claim" if n == 1 else f"{n} claims"


def decided(session: Session, *, actor: Actor, item: Evidence, decisions: Counter[str]) -> None:
    """Tell the learner of the decisions one assessor just made on one item."""
    link = notifications.evidence_link(item.id)
    if decisions["accepted"]:
        notifications.notify(
            session,
            person_id=item.learner_id,
            text=f"{actor.name} accepted {_claims(decisions['accepted'])} on “{item.title}”.",
            link=link,
            kind="decision",
        )
    if decisions["referred"]:
        notifications.notify(
            session,
            person_id=item.learner_id,
            text=f"{actor.name} referred {_claims(decisions['referred'])} on “{item.title}”: "
            "read the feedback and add to your evidence.",
            link=link,
            kind="referral",
        )


def submitted(session: Session, item: Evidence) -> None:
    """Tell the learner's assessors that an item they are to decide on was submitted (the
    learner's own evidence; an assessor's record is their own), not those of a registration the
    learner withdrew from. Registered by delivery.wiring."""
    if item.created_by != item.learner_id:
        return
    learner = session.get(Person, item.learner_id)
    name = learner.name if learner is not None else "Your learner"
    notifications.notify_many(
        session,
        person_ids=access.assessors_of(session, item.learner_id, deciding=True),
        text=f"{name} submitted “{item.title}” for a decision.",
        link=notifications.evidence_link(item.id),
        kind="submission",
    )


def plan_set(session: Session, *, actor: Actor, plan: AssessmentPlan) -> None:
    """Tell the learner their assessor set them a plan (in the app, and by e-mail as they chose
    for plans: queued in the session, sent once the request has committed)."""
    notifications.notify(
        session,
        person_id=plan.learner_id,
        text=f"{actor.name} set you a plan: “{plan.title}”, due {day_words(plan.due_on)}.",
        link=f"/plans/{plan.id}",
        kind="plan",
    )
