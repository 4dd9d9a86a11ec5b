"""Assessment plans: tasks the assessor sets a learner ("by 20 Dec, write a reflective account of
your last job-match visit, covering SE03 P4-P7").

Only the registration's allocated assessor sets, edits, marks done and closes its plans, and
links the records they write for the learner to them; the learner links their own evidence items
to their own open plans (neither links anything to a plan whose registration is completed or
withdrawn from: :func:`mappings.assessment.plan_writing.takes_no_evidence`), and is told when one is set or changed
(:func:`mappings.assessment.notices.plan_set`, :func:`~mappings.assessment.notices.plan_changed`). Each function checks who may act,
flushes (never commits) and writes one audit entry. A plan is not set or edited on a registration
the learner withdrew from, nor for criteria outside the registration's standards. Reading plans:
:mod:`mappings.assessment.plan_reads`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from mappings.assessment import notices, plan_writing
from mappings.assessment.models import (
    AssessmentPlan,
    AssessmentPlanCriterion,
    AssessmentPlanEvidence,
)
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Criterion, Evidence, Framework, Registration, RegistrationStandard
from portfolio.models.base import utcnow
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import access, audit, evidence
from portfolio.services.people import Actor, without_controls
from portfolio.services.withdrawals import NOTHING_NEW, refuse_if_erased
from portfolio.words import day_words

TITLE_LONGEST = 200
BODY_LONGEST = 20_000
REASON_LONGEST = 500
FURTHEST_AHEAD = timedelta(days=5 * 366)  # a due date further off is a mistyped year


def server_day(at: datetime) -> date:
    """The moment's day on the server's clock, as a break's days are (``date.today``): the day
    a plan's due date was chosen (:attr:`AssessmentPlan.due_chosen_on`)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone().date()


def _framework(session: Session, reg: Registration) -> str:
    fw = session.get(Framework, reg.framework_id)
    return fw.title if fw else "this framework"


def _assessing(session: Session, actor: Actor, reg: Registration, what: str) -> None:
    """The actor is the registration's allocated assessor, or refused: strangers are told
    nothing (NotFound); others who may see the learner are told who may."""
    if reg.assessor_id == actor.id and actor.has("assessor"):
        return
    if not actor.has("admin") and not access.relation(session, actor, reg.learner_id):
        raise NotFound("No such portfolio, or it is not one you may see.")
    raise PermissionDenied(
        f"Only the learner's allocated assessor on {_framework(session, reg)} {what}."
    )


def _registration(session: Session, registration_id: int) -> Registration:
    reg = session.get(Registration, registration_id)
    if reg is None:
        raise NotFound("No such registration.")
    return reg


def _plan(session: Session, plan_id: int) -> tuple[AssessmentPlan, Registration]:
    plan = session.get(AssessmentPlan, plan_id)
    if plan is None:
        raise NotFound("No such plan.")
    return plan, _registration(session, plan.registration_id)


def _not_withdrawn(session: Session, reg: Registration) -> None:
    refuse_if_erased(session, reg.learner_id, NOTHING_NEW)
    if reg.withdrawn_at is not None:
        raise Invalid(
            f"The learner withdrew from {_framework(session, reg)} on "
            f"{day_words(reg.withdrawn_at)}: no plan is set or changed on it unless an "
            "administrator reinstates the registration."
        )


def _still_open(plan: AssessmentPlan) -> None:
    if plan.status != "open":
        raise Invalid(f"This plan is already {'done' if plan.status == 'done' else 'closed'}.")


def _text(title: str, body: str) -> tuple[str, str]:
    title = " ".join(without_controls(title).split())
    if not title:
        raise Invalid("Give the plan a title.", field="title")
    if len(title) > TITLE_LONGEST:
        raise Invalid(
            f"Keep the title to {TITLE_LONGEST} characters (it has {len(title)}).", field="title"
        )
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise Invalid("Say what the learner should do.", field="body")
    if len(body) > BODY_LONGEST:
        raise Invalid(
            f"Keep what to do to {BODY_LONGEST:,} characters (it has {len(body):,}).", field="body"
        )
    return title, body


def _due(due_on: date | None, today: date, was: date | None = None) -> date:
    if due_on is None:
        raise Invalid("Give the date the plan is due.", field="due_on")
    if due_on < today and due_on != was:
        raise Invalid("The due date cannot be in the past.", field="due_on")
    if due_on > today + FURTHEST_AHEAD:
        raise Invalid(
            f"{day_words(due_on)} is more than five years away: check the year.", field="due_on"
        )
    return due_on


def _kind(kind: str | None) -> str | None:
    """The kind of evidence asked for, a key of :data:`KINDS`; None (or empty): any kind, the
    learner's choice. Anything else is refused, naming the kinds in words."""
    if not kind:
        return None
    if kind not in KINDS:
        raise Invalid(
            f"“{without_controls(kind)[:40]}” is not a kind of evidence: choose one of "
            f"{', '.join(KINDS.values())}, or any kind.",
            field="evidence_kind",
        )
    return kind


def _criteria(session: Session, reg: Registration, criterion_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(criterion_ids))
    if not wanted:
        raise Invalid("Tick the criteria the plan is for.", field="criteria")
    found = session.exec(
        select(Criterion.id)
        .join(
            RegistrationStandard,
            col(RegistrationStandard.standard_id) == Criterion.standard_id,
        )
        .where(RegistrationStandard.registration_id == reg.id, col(Criterion.id).in_(wanted))
    ).all()
    if len(set(found)) != len(wanted):
        raise Invalid(
            f"A plan can only target criteria of the learner's standards on "
            f"{_framework(session, reg)}.",
            field="criteria",
        )
    return wanted


def set_plan(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    title: str,
    body: str,
    criterion_ids: Iterable[int],
    due_on: date | None,
    evidence_kind: str | None = None,
    today: date | None = None,
) -> AssessmentPlan:
    """Set the learner of ``registration_id`` a plan: what to do, by when, for which criteria,
    and the kind of evidence asked for (None: any kind, the learner's choice)."""
    reg = _registration(session, registration_id)
    _assessing(session, actor, reg, "sets plans")
    _not_withdrawn(session, reg)
    title, body = _text(title, body)
    due = _due(due_on, today or date.today())
    kind = _kind(evidence_kind)
    criteria = _criteria(session, reg, criterion_ids)
    now = utcnow()
    plan = AssessmentPlan(
        registration_id=registration_id,
        learner_id=reg.learner_id,
        title=title,
        body=body,
        due_on=due,
        evidence_kind=kind,
        set_by=actor.id,
        set_at=now,
        updated_at=now,
        due_chosen_on=server_day(now),
    )
    session.add(plan)
    session.flush()
    session.add_all(AssessmentPlanCriterion(plan_id=plan.id or 0, criterion_id=c) for c in criteria)
    _audit(session, actor, "plan.set", plan, _written(due, kind, criteria))
    notices.plan_set(session, actor=actor, plan=plan)
    return plan


def edit_plan(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    title: str,
    body: str,
    criterion_ids: Iterable[int],
    due_on: date | None,
    evidence_kind: str | None,
    today: date | None = None,
) -> AssessmentPlan:
    """Change an open plan's title, what to do, due date, kind of evidence asked for (None:
    any kind) and criteria; the learner is told what changed of it, if anything did
    (:func:`mappings.assessment.notices.plan_changed`)."""
    plan, reg = _plan(session, plan_id)
    _assessing(session, actor, reg, "changes plans")
    _not_withdrawn(session, reg)
    _still_open(plan)
    title, body = _text(title, body)
    due = _due(due_on, today or date.today(), was=plan.due_on)
    kind = _kind(evidence_kind)
    criteria = _criteria(session, reg, criterion_ids)
    was = _seen(session, plan)
    if due != plan.due_on:  # the assessor chose a new due date today (one kept is no choice)
        plan.due_chosen_on = server_day(utcnow())
    plan.title, plan.body, plan.due_on, plan.updated_at = title, body, due, utcnow()
    plan.evidence_kind = kind
    session.add(plan)
    session.execute(
        delete(AssessmentPlanCriterion).where(col(AssessmentPlanCriterion.plan_id) == plan_id)
    )
    session.add_all(AssessmentPlanCriterion(plan_id=plan_id, criterion_id=c) for c in criteria)
    _audit(session, actor, "plan.edit", plan, _written(due, kind, criteria))
    notices.plan_changed(session, actor=actor, plan=plan, was=was, now=_seen(session, plan))
    return plan


CHANGEABLE = ("title", "body", "due_on", "criterion_ids", "evidence_kind")


def change_plan(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    changes: Mapping[str, object],
    today: date | None = None,
) -> AssessmentPlan:
    """Change what ``changes`` names of an open plan (any of :data:`CHANGEABLE`; an
    ``evidence_kind`` of None: any kind) and keep the rest as it is, through
    :func:`edit_plan`: its checks, its refusals, its one audit entry. Nothing named: refused.
    The plan's row is locked first, so that a change made meanwhile to a field left out is not
    undone by the value read here (PostgreSQL; SQLite writes one at a time)."""
    if session.get(AssessmentPlan, plan_id, with_for_update=True) is None:
        raise NotFound("No such plan.")
    plan, reg = _plan(session, plan_id)
    _assessing(session, actor, reg, "changes plans")
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise Invalid(f"A plan has no “{unknown[0]}” to change.", field=unknown[0])
    if not changes:
        raise Invalid(f"Say what to change: any of {', '.join(CHANGEABLE)}.")
    kept: dict[str, Any] = {
        "title": plan.title,
        "body": plan.body,
        "due_on": plan.due_on,
        "evidence_kind": plan.evidence_kind,
        "criterion_ids": session.exec(
            select(AssessmentPlanCriterion.criterion_id).where(
                AssessmentPlanCriterion.plan_id == plan_id
            )
        ).all(),
    }
    return edit_plan(session, actor=actor, plan_id=plan_id, today=today, **{**kept, **changes})


def require_assessing(session: Session, *, actor: Actor, plan_id: int) -> None:
    """The actor is the allocated assessor of the plan's registration, or refused as the writes
    refuse (for a form to refuse before it says what is missing from it)."""
    _plan_obj, reg = _plan(session, plan_id)
    _assessing(session, actor, reg, "changes plans")


def mark_done(session: Session, *, actor: Actor, plan_id: int) -> AssessmentPlan:
    """The assessor is satisfied the plan was carried out."""
    plan, reg = _plan(session, plan_id)
    _assessing(session, actor, reg, "marks plans done")
    _still_open(plan)
    plan.status, plan.ended_by, plan.ended_at = "done", actor.id, utcnow()
    session.add(plan)
    _audit(session, actor, "plan.done", plan, {})
    return plan


def close_plan(session: Session, *, actor: Actor, plan_id: int, reason: str) -> AssessmentPlan:
    """End an open plan without it being carried out, saying why."""
    plan, reg = _plan(session, plan_id)
    _assessing(session, actor, reg, "closes plans")
    _still_open(plan)
    reason = " ".join(without_controls(reason).split())
    if not reason:
        raise Invalid("Say why the plan is closed.", field="reason")
    if len(reason) > REASON_LONGEST:
        raise Invalid(
            f"Keep the reason to {REASON_LONGEST} characters (it has {len(reason)}).",
            field="reason",
        )
    plan.status, plan.ended_by, plan.ended_at = "closed", actor.id, utcnow()
    plan.close_reason = reason
    session.add(plan)
    _audit(session, actor, "plan.close", plan, {})
    return plan


def link_evidence(
    session: Session, *, actor: Actor, plan_id: int, evidence_id: int
) -> AssessmentPlan:
    """The learner says an item of theirs was written for their open plan; or the plan's
    allocated assessor says a record they wrote for the learner (an observation record, a
    professional discussion) was. Refused, in words, once the registration is completed or the
    learner withdrew from it."""
    plan = session.get(AssessmentPlan, plan_id)
    item = session.get(Evidence, evidence_id)
    if plan is not None and plan.learner_id != actor.id:  # only its allocated assessor
        _assessing(
            session, actor, _registration(session, plan.registration_id), "links records to plans"
        )
        if (
            item is None
            or item.learner_id != plan.learner_id
            or item.created_by != actor.id
            or item.kind not in ASSESSOR_KINDS
        ):
            raise NotFound("No such record of yours for this learner.")
    else:
        if plan is None or plan.learner_id != actor.id or not actor.has("learner"):
            raise NotFound("No such plan, or it is not one of yours.")
        if item is None or item.learner_id != actor.id or evidence.hidden_from(item, actor):
            raise NotFound("No such evidence, or it is not yours.")
    _still_open(plan)
    refused = plan_writing.takes_no_evidence(session, _registration(session, plan.registration_id))
    if refused is not None:
        raise Invalid(refused)
    linked = session.get(AssessmentPlanEvidence, (plan_id, evidence_id))
    if linked is None:
        session.add(
            AssessmentPlanEvidence(plan_id=plan_id, evidence_id=evidence_id, linked_by=actor.id)
        )
        _audit(session, actor, "plan.link", plan, {"evidence_id": evidence_id})
    return plan


def _seen(session: Session, plan: AssessmentPlan) -> notices.PlanSeen:
    """What the learner sees of the plan as it stands (its criteria as stored)."""
    criteria = session.exec(
        select(AssessmentPlanCriterion.criterion_id).where(
            AssessmentPlanCriterion.plan_id == plan.id
        )
    ).all()
    return notices.PlanSeen(
        plan.title, plan.body, plan.due_on, plan.evidence_kind, frozenset(criteria)
    )


def _written(due: date, kind: str | None, criteria: list[int]) -> dict[str, object]:
    """What a plan set or changed records in its audit entry beside its registration."""
    return {"due_on": due.isoformat(), "evidence_kind": kind, "criteria": criteria}


def _audit(
    session: Session, actor: Actor, action: str, plan: AssessmentPlan, data: dict[str, object]
) -> None:
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="assessment_plan",
        subject_id=plan.id,
        data={"registration_id": plan.registration_id, **data},
    )
