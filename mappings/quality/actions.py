"""Actions an IQA sets the assessor in a review, followed to closure.

An action goes open -> responded (the assessor answers) -> closed (the IQA who set it, once
satisfied); it never goes back. The lists flag an open action past its due date as overdue.
Actions are created with their review (:func:`mappings.quality.review.review_sample`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from mappings.quality.models import Action, Sample, SamplingCycle
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Person, Standard
from portfolio.models.base import utcnow
from portfolio.services import audit, notifications
from portfolio.services.people import Actor


@dataclass(frozen=True)
class ActionRow:
    action: Action
    assessor_name: str
    set_by_name: str
    learner_name: str
    standard_code: str
    cycle_name: str
    overdue: bool


def _action_rows(session: Session, where: object, today: date) -> list[ActionRow]:
    rows = session.exec(
        select(Action, Sample, SamplingCycle.name, Standard.code)
        .join(Sample, col(Sample.id) == Action.sample_id)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .where(where)  # type: ignore[arg-type]
        .order_by(col(Action.due_date), col(Action.id))
    ).all()
    ids = {a.assessor_id for a, *_ in rows} | {a.set_by for a, *_ in rows}
    ids |= {s.learner_id for _, s, *_ in rows}
    names = dict(session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all())
    return [
        ActionRow(
            a,
            names.get(a.assessor_id, "?"),
            names.get(a.set_by, "?"),
            names.get(s.learner_id, "?"),
            code,
            cycle_name,
            a.status == "open" and a.due_date < today,
        )
        for a, s, cycle_name, code in rows
    ]


def actions_for_assessor(
    session: Session, *, actor: Actor, today: date | None = None
) -> list[ActionRow]:
    """The actions set for the actor as assessor, soonest due first (two queries)."""
    return _action_rows(session, col(Action.assessor_id) == actor.id, today or date.today())


def actions_set_by(
    session: Session, *, actor: Actor, today: date | None = None, include_closed: bool = False
) -> list[ActionRow]:
    """Actions the IQA set (not closed unless asked), soonest due first; ``overdue`` flagged."""
    where = col(Action.set_by) == actor.id
    if not include_closed:
        where = where & (col(Action.status) != "closed")
    return _action_rows(session, where, today or date.today())


def _held(session: Session, action_id: int) -> Action | None:
    """The action as committed now, its row held until this transaction ends (PostgreSQL:
    FOR UPDATE): a response and the closing racing each other see what the other did, rather
    than a response reopening a closed action or a second closing overwriting the first."""
    return session.get(Action, action_id, with_for_update=True, populate_existing=True)


def respond_action(session: Session, *, actor: Actor, action_id: int, response: str) -> Action:
    action = _held(session, action_id)
    if action is None or action.assessor_id != actor.id:
        raise NotFound("No such action for you.")
    if action.status == "closed":
        raise Invalid("This action is closed.")
    if not response.strip():
        raise Invalid("Write your response.")
    action.response, action.status, action.responded_at = response.strip(), "responded", utcnow()
    session.add(action)
    session.flush()
    audit.record(session, actor=actor, action="iqa.action.respond",
                 subject_type="iqa_action", subject_id=action_id, data={})  # fmt: skip
    notifications.notify(session, person_id=action.set_by, link="/iqa/actions",
                         kind="iqa_response",
                         text=f"{actor.name} responded to the action you set: “{action.text}”.")  # fmt: skip
    return action


def close_action(session: Session, *, actor: Actor, action_id: int) -> Action:
    """The IQA who set the action closes it, once satisfied."""
    action = _held(session, action_id)
    if action is None:
        raise NotFound("No such action.")
    if action.set_by != actor.id or not actor.has("iqa"):
        raise PermissionDenied("Only the IQA who set an action closes it.")
    if action.status == "closed":
        raise Invalid("This action is already closed.")
    before = action.status
    action.status, action.closed_at, action.closed_by = "closed", utcnow(), actor.id
    session.add(action)
    session.flush()
    audit.record(session, actor=actor, action="iqa.action.close",
                 subject_type="iqa_action", subject_id=action_id,
                 data={"from": before})  # fmt: skip
    return action
