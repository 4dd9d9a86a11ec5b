"""Internal quality assurance, read only: an IQA's sampling cycles, a cycle's samples, and one
sample with the decisions and evidence behind it (for the cycle's IQA, or an EQA with a live
grant to it, as on the pages)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields as f
from sqlmodel import col, select

from delivery.web.api import problems
from delivery.web.api.handler import api_actor, operation, require_role
from delivery.web.context import db
from mappings.quality.cycles import get_cycle, list_cycles
from mappings.quality.models import Sample
from mappings.quality.samples import sample_view

bp = Blueprint("api_quality", __name__, url_prefix="/api/v1/iqa",
               description="IQA sampling cycles and samples (read only).")  # fmt: skip
problems.on(bp)


class CycleOut(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    time_zone = f.String(
        required=True,
        metadata={
            "description": "Whose days start_date and end_date are (an IANA name): the cycle "
            "holds the decisions and sign-offs from midnight at the start of its first day to "
            "midnight after its last in this zone, the centre's when the cycle was created. "
            "UTC for a cycle created before the zone was kept with it (migration 0056)."
        },
    )
    samples = f.Integer(required=True)
    reviewed = f.Integer(required=True)
    disagreements = f.Integer(required=True)


class CycleList(ma.Schema):
    items = f.List(f.Nested(CycleOut), required=True)


class SampleOut(ma.Schema):
    id = f.Integer(required=True)
    kind = f.String(required=True, metadata={"description": "interim or summative"})
    learner_id = f.Integer(required=True)
    assessor_id = f.Integer(required=True)
    registration_id = f.Integer(required=True)
    signoff_id = f.Integer(allow_none=True, required=True)
    reasons = f.List(f.String(), required=True)
    added_by = f.String(required=True)
    dropped = f.Boolean(required=True)


class CycleDetail(CycleOut):
    sample_list = f.List(f.Nested(SampleOut), required=True, data_key="sample_items")


class DecisionLine(ma.Schema):
    id = f.Integer(required=True)
    criterion = f.String(required=True)
    evidence_ref = f.String(required=True)
    evidence_title = f.String(required=True)
    old_status = f.String(required=True)
    new_status = f.String(required=True)
    method = f.String(required=True)
    feedback = f.String(required=True)
    at = f.DateTime(required=True)
    actor_name = f.String(required=True)
    version = f.Integer(required=True)
    superseded = f.Boolean(required=True)
    origin = f.String(required=True)  # "Suggested by the engine (strong)", or ""


class EvidenceLine(ma.Schema):
    id = f.Integer(required=True)
    ref = f.String(required=True)
    title = f.String(required=True)
    kind = f.String(required=True)
    activity_date = f.Date(required=True)
    frozen = f.Boolean(required=True)


class SampleDetail(ma.Schema):
    sample = f.Nested(SampleOut, required=True)
    cycle_id = f.Integer(required=True)
    learner_name = f.String(required=True)
    assessor_name = f.String(required=True)
    standard_code = f.String(required=True)
    standard_title = f.String(required=True)
    review_outcome = f.String(allow_none=True, required=True)
    decisions = f.List(f.Nested(DecisionLine), required=True)
    evidence = f.List(f.Nested(EvidenceLine), required=True)


def _cycle(row: Any) -> dict[str, Any]:
    c = row.cycle
    return {"id": c.id, "name": c.name, "start_date": c.start_date, "end_date": c.end_date,
            "time_zone": c.time_zone or "UTC", "samples": row.samples, "reviewed": row.reviewed,
            "disagreements": row.disagreements}  # fmt: skip


@bp.route("/cycles")
@operation("read")
@bp.response(200, CycleList)
def cycles() -> dict[str, Any]:
    """List your sampling cycles

    The token's person's own cycles as IQA, newest first, with their counts."""
    return {"items": [_cycle(r) for r in list_cycles(db(), require_role("iqa"))]}


@bp.route("/cycles/<int:cycle_id>")
@operation("read")
@bp.response(200, CycleDetail)
def cycle(cycle_id: int) -> dict[str, Any]:
    """Show a sampling cycle with its samples"""
    actor = api_actor()
    found = get_cycle(db(), actor, cycle_id)
    row = next(r for r in list_cycles(db(), actor) if r.cycle.id == found.id)
    samples = (
        db()
        .exec(select(Sample).where(Sample.cycle_id == cycle_id).order_by(col(Sample.position)))
        .all()
    )
    return {**_cycle(row), "sample_list": list(samples)}


@bp.route("/samples/<int:sample_id>")
@operation("read")
@bp.response(200, SampleDetail)
def sample(sample_id: int) -> dict[str, Any]:
    """Show one sample

    The decisions and evidence behind it, and the IQA's review outcome if reviewed."""
    view = sample_view(db(), actor=api_actor(), sample_id=sample_id)
    return {
        "sample": view.sample, "cycle_id": view.cycle.id, "learner_name": view.learner_name,
        "assessor_name": view.assessor_name, "standard_code": view.standard_code,
        "standard_title": view.standard_title,
        "review_outcome": view.review.outcome if view.review else None,
        "decisions": list(view.decisions), "evidence": list(view.evidence),
    }  # fmt: skip
