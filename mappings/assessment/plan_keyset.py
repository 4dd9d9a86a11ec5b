"""A learner's plans a page at a time by keyset (the API's list): open plans soonest due first,
then ended ones, most recently ended first. Each part is a range of its own index (open plans by
due day, ended ones by when they ended), so a page far down the list costs what the first does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, literal, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from mappings.assessment.models import AssessmentPlan
from mappings.assessment.plan_reads import _COMPLETED, _SUBMITTED, PlanRow, require_read
from mappings.assessment.plan_state import state_of
from portfolio.models import Registration
from portfolio.paging import past
from portfolio.services.people import Actor

# where a page ended: "open" and the due day, or "ended" and when it ended; and the plan's id
Position = tuple[str, Any, int]


def _part(ended: bool, after: bool) -> Any:
    """The open (or ended) plans of ``learner_id``, in their order, at most ``limit``; with
    ``after``, those past the due day (when it ended) ``at_key`` and id ``at_id``."""
    key: Any = col(AssessmentPlan.ended_at) if ended else col(AssessmentPlan.due_on)
    ident = col(AssessmentPlan.id)
    query = (
        sa_select(
            ident,
            col(AssessmentPlan.title),
            col(AssessmentPlan.due_on),
            col(AssessmentPlan.status),
            col(AssessmentPlan.close_reason),
            _SUBMITTED.label("submitted"),
            col(Registration.break_since).is_not(None).label("on_break"),
            _COMPLETED.label("completed"),
            col(AssessmentPlan.ended_at),
            col(AssessmentPlan.evidence_kind),
            literal(int(ended)).label("part"),
        )
        .join(Registration, col(Registration.id) == AssessmentPlan.registration_id)
        .where(col(AssessmentPlan.learner_id) == bindparam("learner_id"))
    )
    at: Any = bindparam("at_key", type_=key.type)
    at_id: Any = bindparam("at_id")
    if not ended:
        query = query.where(col(AssessmentPlan.status) == "open").order_by(key, ident)
        if after:
            query = query.where(past([key, ident], [at, at_id]))
        return query.limit(bindparam("limit"))
    query = query.where(col(AssessmentPlan.status) != "open").order_by(key.desc(), ident)
    if after:  # most recently ended first: those ended before, or at once and set after
        query = query.where(key <= at, or_(key < at, and_(key == at, ident > at_id)))
    return query.limit(bindparam("limit"))


# built once: from the start (or past an open plan) the rest of the open plans and the first
# ended ones, in one statement; past an ended plan, the ended ones after it
_FIRST = union_all(_part(False, False).subquery().select(), _part(True, False).subquery().select())
_PAST_OPEN = union_all(
    _part(False, True).subquery().select(), _part(True, False).subquery().select()
)
_PAST_ENDED = _part(True, True)


def plans_after(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    today: date,
    after: Position | None,
    limit: int,
) -> tuple[list[PlanRow], Position | None]:
    """Up to ``limit`` of the learner's plans, in the order of their list, those after ``after``
    (where the page before ended; None: from the start), and where this page ends while more
    follow (None at the end). One statement of at most ``limit + 1`` rows of each part."""
    require_read(session, actor, learner_id)
    params: dict[str, Any] = {"learner_id": learner_id, "limit": limit + 1}
    statement: Any = _FIRST
    if after is not None:
        statement = _PAST_OPEN if after[0] == "open" else _PAST_ENDED
        params.update(at_key=after[1], at_id=after[2])
    found = session.execute(statement, params).all()
    # a union keeps no order: open ones by due day, then ended ones, latest first
    opened = sorted((r for r in found if not r.part), key=lambda r: (r.due_on, r.id))
    ended = sorted((r for r in found if r.part), key=lambda r: r.id)
    ended.sort(key=lambda r: r.ended_at or datetime.min, reverse=True)  # stable: ties by id
    rows = (opened + ended)[: limit + 1]
    shown = [
        PlanRow(r.id, r.title, r.due_on, state_of(r.status, r.due_on, bool(r.submitted), today,
                                                  r.close_reason, bool(r.on_break), bool(r.completed)),
                r.evidence_kind)
        for r in rows[:limit]
    ]  # fmt: skip
    if len(rows) <= limit:
        return shown, None
    last = rows[limit - 1]
    if last.part:
        return shown, ("ended", last.ended_at, last.id)
    return shown, ("open", last.due_on, last.id)
