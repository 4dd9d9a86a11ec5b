"""Assessment plans: a learner's plans and one plan, for whoever may see the learner's portfolio
(as on the pages, less an administrator, who reads no portfolio through the API), and a plan set
or changed by the registration's allocated assessor. The services check who may do what."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields as f
from marshmallow import validate as v

from delivery.web.api import paging, problems, schemas
from delivery.web.api.handler import api_actor, operation
from delivery.web.context import db
from mappings.assessment import plan_keyset, plan_reads, plans
from mappings.assessment.plan_state import ANY_KIND, PlanState, kind_words
from portfolio.errors import NotFound
from portfolio.models.evidence import KINDS
from portfolio.services import access

bp = Blueprint("api_plans", __name__, url_prefix="/api/v1",
               description="Assessment plans: what an assessor asks a learner to do, by when.")  # fmt: skip
problems.on(bp)

STATE = {
    "description": "open, overdue, submitted (evidence written for it was submitted) or "
    "done (marked done, closed, or no longer needed: every standard of its "
    "registration is signed off)"
}


class PlanRowOut(ma.Schema):
    id = f.Integer(required=True)
    title = f.String(required=True)
    due_on = f.Date(required=True)
    state = f.String(required=True, metadata=STATE)
    state_label = f.String(
        required=True, metadata={"description": "e.g. Overdue, Closed, No longer needed"}
    )
    state_words = f.String(required=True, metadata={"description": "e.g. due 20 Dec 2026"})
    evidence_kind = f.String(
        required=True, allow_none=True, validate=v.OneOf(list(KINDS)),
        metadata={"description": "the kind of evidence (assessment method) the assessor asks for, "
                                 "as an evidence item's `kind`; null: any kind, the learner's "
                                 "choice"},
    )  # fmt: skip
    evidence_kind_label = f.String(
        required=True, metadata={"description": f"e.g. Witness testimony; {ANY_KIND} for null"}
    )


PlanList = schemas.paged(PlanRowOut, "PlanList")


class PlanCriterionOut(ma.Schema):
    standard = f.String(required=True)
    code = f.String(required=True)
    text = f.String(required=True)


class PlanEvidenceOut(ma.Schema):
    id = f.Integer(required=True)
    title = f.String(required=True)
    submitted_at = f.DateTime(allow_none=True, required=True)


class PlanDetail(PlanRowOut):
    registration_id = f.Integer(required=True)
    learner_id = f.Integer(required=True)
    body = f.String(required=True, metadata={"description": "what to do, Markdown"})
    set_by = f.String(required=True, metadata={"description": "the assessor's name"})
    set_at = f.DateTime(required=True)
    criteria = f.List(f.Nested(PlanCriterionOut), required=True)
    evidence = f.List(
        f.Nested(PlanEvidenceOut),
        required=True,
        metadata={"description": f"the newest {plan_reads.EVIDENCE_SHOWN} items written for the "
                                 "plan, oldest first"},
    )  # fmt: skip
    evidence_count = f.Integer(
        required=True, metadata={"description": "how many items were written for the plan"}
    )
    evidence_list = f.String(
        required=True,
        metadata={"description": "the learner's evidence list narrowed to the plan, every item "
                                 "written for it a page at a time"},
    )  # fmt: skip


class NewPlan(ma.Schema):
    title = f.String(required=True, validate=v.Length(max=plans.TITLE_LONGEST))
    body = f.String(required=True, validate=v.Length(max=plans.BODY_LONGEST))
    due_on = f.Date(required=True)
    criterion_ids = f.List(f.Integer(validate=schemas.IDS), required=True,
                           metadata={"description": "criteria of the registration's standards"})  # fmt: skip
    evidence_kind = f.String(
        load_default=None, allow_none=True, validate=v.OneOf(list(KINDS)),
        metadata={"description": "the kind of evidence asked for, as an evidence item's `kind`; "
                                 "null or left out: any kind, the learner's choice"},
    )  # fmt: skip


class PlanChange(schemas.Strict):
    """What to change; a field left out keeps its value."""

    title = f.String(validate=v.Length(max=plans.TITLE_LONGEST))
    body = f.String(
        validate=v.Length(max=plans.BODY_LONGEST), metadata={"description": "what to do, Markdown"}
    )
    due_on = f.Date(
        metadata={
            "description": "not in the past (a past due date may be kept), "
            "nor more than five years away"
        }
    )
    criterion_ids = f.List(
        f.Integer(validate=schemas.IDS),
        metadata={
            "description": "criteria of the registration's standards: they replace the plan's"
        },
    )
    evidence_kind = f.String(
        allow_none=True, validate=v.OneOf(list(KINDS)),
        metadata={"description": "the kind of evidence asked for, as an evidence item's `kind`; "
                                 "null: any kind, the learner's choice; left out: kept"},
    )  # fmt: skip


def _state(state: PlanState, kind: str | None) -> dict[str, str | None]:
    return {"state": state.key, "state_label": state.label, "state_words": state.words,
            "evidence_kind": kind, "evidence_kind_label": kind_words(kind)}  # fmt: skip


def _detail(plan_id: int) -> dict[str, Any]:
    shown = plan_reads.plan_page(db(), actor=api_actor(), plan_id=plan_id, today=date.today())
    if not shown.portfolio_reader:  # an administrator reads plans on the pages only
        raise NotFound("No such plan, or it is not one you may see.")
    return {
        "id": shown.id, "title": shown.title, "due_on": shown.due_on, **_state(shown.state, shown.evidence_kind),
        "registration_id": shown.registration_id, "learner_id": shown.learner_id,
        "body": shown.body, "set_by": shown.set_by, "set_at": shown.set_at,
        "criteria": list(shown.criteria), "evidence": list(shown.evidence),
        "evidence_count": shown.evidence_total,
        "evidence_list": f"/api/v1/learners/{shown.learner_id}/evidence?plan={shown.id}",
    }  # fmt: skip


@bp.route("/learners/<int:learner_id>/plans")
@operation("read")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, PlanList)
def list_plans(page_args: dict[str, Any], learner_id: int) -> dict[str, Any]:
    """List a learner's plans

    Open plans soonest due first, then ended ones, most recently ended first. Paged by keyset
    (the cursor holds the last plan's due day or end, and id): every page costs what the first
    does, and a plan set or ended meanwhile neither repeats nor hides another."""
    actor = api_actor()
    access.require_view(db(), actor, learner_id)
    at = paging.after(page_args, "plans", _plan_key)  # ((part, due day or end), id)
    rows, last = plan_keyset.plans_after(
        db(), actor=actor, learner_id=learner_id, today=date.today(),
        after=None if at is None else (*at[0], at[1]), limit=page_args["limit"],
    )  # fmt: skip
    items = [
        {"id": r.id, "title": r.title, "due_on": r.due_on, **_state(r.state, r.evidence_kind)}
        for r in rows
    ]
    if last is None:
        return paging.keyset_body(items, "plans", None)
    return paging.keyset_body(items, "plans", (f"{last[0]} {last[1].isoformat()}", last[2]))


def _plan_key(text: str) -> tuple[str, date | datetime]:
    """Where a plans cursor says the page before ended: "open" and a due day, or "ended" and
    when; ValueError if neither."""
    part, _, value = text.partition(" ")
    if part == "open":
        return part, date.fromisoformat(value)
    if part == "ended":
        return part, datetime.fromisoformat(value)
    raise ValueError("not a place in the plans")


@bp.route("/plans/<int:plan_id>")
@operation("read")
@bp.response(200, PlanDetail)
def show_plan(plan_id: int) -> dict[str, Any]:
    """Show a plan

    What to do, by when, for which criteria, where it stands, the newest items written for it,
    how many there are and where to list them all."""
    return _detail(plan_id)


@bp.route("/registrations/<int:registration_id>/plans", methods=["POST"])
@operation("assess")
@bp.arguments(NewPlan)
@bp.response(201, PlanDetail)
def set_plan(args: dict[str, Any], registration_id: int) -> dict[str, Any]:
    """Set a learner a plan

    The registration's allocated assessor; not on a withdrawn registration; the due date not in
    the past nor more than five years away; criteria of the registration's standards; the kind
    of evidence asked for, if any, one of the evidence kinds. The learner is told, as when the
    plan is set on the pages."""
    with problems.request_fields(criteria="criterion_ids"):
        plan = plans.set_plan(
            db(), actor=api_actor(), registration_id=registration_id, title=args["title"],
            body=args["body"], criterion_ids=args["criterion_ids"], due_on=args["due_on"],
            evidence_kind=args["evidence_kind"],
        )  # fmt: skip
    return _detail(plan.id or 0)


@bp.route("/plans/<int:plan_id>", methods=["PATCH"])
@operation("assess")
@bp.arguments(PlanChange)
@bp.response(200, PlanDetail)
def change_plan(args: dict[str, Any], plan_id: int) -> dict[str, Any]:
    """Change a plan

    The fields sent, and only those: a field left out keeps its value (`evidence_kind` null
    asks for any kind). As on the plan's page "Change the plan": the registration's allocated
    assessor, an open plan, not on a withdrawn registration; the same checks as when a plan is
    set, except that a due date already past may be kept. The learner is told what changed
    that they see, as on the page. Refused with 422 naming the field, nothing changed; an empty
    body is refused too."""
    with problems.request_fields(criteria="criterion_ids"):
        plans.change_plan(db(), actor=api_actor(), plan_id=plan_id, changes=args)
    return _detail(plan_id)
