"""A break in learning moves the learner's open plans on: when an administrator ends the break
(:func:`portfolio.services.breaks.end_break`), each open plan of the registration due on or after
the day the break began is due later by the days of the break its clock ran through: the whole
break for a plan whose due date was chosen before it (as the planned end moves), only the days
from that choice to the return for one the assessor set, or gave a new due date, during the break
(they chose the date while the learner was away), none for one dated the day the break ends:
the day each plan's due date was chosen is its ``due_chosen_on``, set by
:func:`mappings.assessment.plans.set_plan` and by an edit that gives a new due date, never by a
move. Plans done or closed, and those due before the break, stay as they were. Registered as
an end hook by ``delivery.wiring``: it runs in the ending's transaction; what it moved is
listed in the break's audit entry and each plan moved has a ``plan.move`` entry of its own (by
the administrator who ended the break: its due date before and after, the break's start and the
days it moved), so the plan's own trail says why its date changed; the learner is told the
new dates (:func:`mappings.assessment.notices.plans_moved`), and so is the allocated assessor,
in their one notice of the break's end (:func:`mappings.assessment.notices.plans_moved_for_assessor`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from mappings.assessment import notices
from mappings.assessment.models import AssessmentPlan
from portfolio.models import Registration
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.breaks import Moved
from portfolio.services.people import Actor


def moved_by_break(
    session: Session, actor: Actor, reg: Registration, since: date, days: int
) -> Moved:
    """Move on the registration's open plans due on or after ``since`` by the days of the break
    (``days`` long) after each one's due date was chosen; what moved ({"plans": [{"id", "was", "now"}]}, soonest
    due first) for the break's audit entry, and the words for the allocated assessor."""
    if days <= 0:
        return Moved({"plans": []})
    back = since + timedelta(days=days)
    found = session.exec(
        select(AssessmentPlan)
        .where(
            col(AssessmentPlan.registration_id) == reg.id,
            col(AssessmentPlan.status) == "open",
            col(AssessmentPlan.due_on) >= since,
        )
        .order_by(col(AssessmentPlan.due_on), col(AssessmentPlan.id))
        # held (PostgreSQL: FOR UPDATE) and read as committed: a plan the assessor changed
        # meanwhile is moved on from its new date
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    moved: list[tuple[AssessmentPlan, int]] = []
    listed: list[dict[str, object]] = []
    now = utcnow()
    for plan in found:
        # the days of the break after the assessor last chose its due date (the plan's own
        # record of that day: a move by an earlier break leaves it)
        away = (back - max(since, plan.due_chosen_on)).days
        if away <= 0:
            continue
        was = plan.due_on
        plan.due_on, plan.updated_at = was + timedelta(days=away), now
        session.add(plan)
        moved.append((plan, away))
        listed.append({"id": plan.id, "was": was.isoformat(), "now": plan.due_on.isoformat()})
    session.flush()
    for (plan, away), each in zip(moved, listed, strict=True):
        audit.record(
            session,
            actor=actor,
            action="plan.move",
            subject_type="assessment_plan",
            subject_id=plan.id,
            data={
                "registration_id": reg.id,
                "break_since": since.isoformat(),
                "days": away,
                "due_on": {"was": each["was"], "now": each["now"]},
            },
        )
    notices.plans_moved(session, reg=reg, plans=moved)
    return Moved(
        {"plans": listed},
        told=notices.plans_moved_for_assessor(reg=reg, plans=moved),
        link=notices.plans_link(reg) if moved else "",
    )
