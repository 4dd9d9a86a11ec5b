"""Who is told of what in assessment: the learner of decisions and referrals on their evidence,
the allocated assessor of evidence submitted for a decision. (Comments tell the other party in
:mod:`portfolio.services.comments`; quality assurance tells its people in mappings.quality.)"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from portfolio.models import Evidence, Person
from portfolio.services import access, notifications
from portfolio.services.actors import Actor


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
