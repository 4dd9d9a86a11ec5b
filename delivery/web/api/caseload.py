"""``GET /api/v1/caseload``: the token's person's own learners as assessor and/or IQA, with where
each registration stands (as the caseload page shows it), paged by keyset."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields as f
from marshmallow import validate as v

from delivery.web.api import paging, problems
from delivery.web.api.handler import api_actor, operation
from delivery.web.api.schemas import paged
from delivery.web.context import db
from delivery.web.words import centre_zone
from mappings.assessment.caseload import CaseloadEntry, entries_after
from portfolio.services.registration_rows import CASELOAD_ROLES

bp = Blueprint("api_caseload", __name__, url_prefix="/api/v1",
               description="Your caseload: the learners you assess or quality-assure.")  # fmt: skip
problems.on(bp)
STATES = ("active", "on a break", "completed", "withdrawn", "learner erased")


class CaseloadArgs(ma.Schema):
    role = f.String(
        load_default=None, validate=v.OneOf(CASELOAD_ROLES),
        metadata={"description": "Only the learners you hold as this (for a person who is both "
                                 "assessor and IQA); without it, both."},
    )  # fmt: skip


class Learner(ma.Schema):
    id = f.Integer(required=True, metadata={"description": "The registration's id."})
    learner_id = f.Integer(required=True)
    learner = f.String(required=True)
    framework_id = f.Integer(required=True)
    framework = f.String(required=True)
    standards = f.List(f.String(), required=True)
    cohort_id = f.Integer(allow_none=True, required=True)
    cohort = f.String(required=True)
    start_date = f.Date(required=True)
    planned_end = f.Date(required=True)
    roles = f.List(
        f.String(validate=v.OneOf(CASELOAD_ROLES)), required=True,
        metadata={"description": "What you are to this learner: assessor, iqa, or both."},
    )  # fmt: skip
    state = f.String(
        required=True, validate=v.OneOf(STATES),
        metadata={"description": "active, on a break, completed, withdrawn, or learner erased "
                                 "(ended with the erasure of the learner's personal data)."},
    )  # fmt: skip
    withdrawn_on = f.Date(allow_none=True, required=True)
    on_break_since = f.Date(allow_none=True, required=True)
    completed_on = f.Date(
        allow_none=True, required=True,
        metadata={"description": "The day the last of its standards was signed off (in the "
                                 "centre's time zone), once every one is; null otherwise."},
    )  # fmt: skip
    met = f.Integer(required=True, metadata={"description": "criteria met"})
    total = f.Integer(required=True, metadata={"description": "criteria of its standards"})
    percent = f.Integer(required=True, metadata={"description": "met of total, in whole %"})
    awaiting_claims = f.Integer(required=True, metadata={"description": "awaiting a decision"})
    rag = f.String(
        allow_none=True, required=True, validate=v.OneOf(("red", "amber", "green")),
        metadata={"description": "red (behind plan), amber (slipping) or green (on track), as "
                                 "the caseload page says it; null once completed, withdrawn or "
                                 "ended, which the page shows instead."},
    )  # fmt: skip


def _learner(entry: CaseloadEntry) -> dict[str, Any]:
    r = entry.registration
    return {
        "id": r.id, "learner_id": r.learner_id, "learner": r.learner,
        "framework_id": r.framework_id, "framework": r.framework, "standards": r.standards,
        "cohort_id": r.cohort_id, "cohort": r.cohort, "start_date": r.start_date,
        "planned_end": r.planned_end, "roles": list(entry.roles), "state": r.state,
        "withdrawn_on": r.withdrawn_at, "on_break_since": r.break_since,
        "completed_on": r.completed_on, "met": entry.met, "total": entry.total,
        "percent": entry.percent, "awaiting_claims": entry.awaiting_claims, "rag": entry.rag,
    }  # fmt: skip


@bp.route("/caseload")
@operation("read")
@bp.arguments(CaseloadArgs, location="query")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paged(Learner, "CaseloadPage"))
def caseload(args: dict[str, Any], page_args: dict[str, Any]) -> dict[str, Any]:
    """List your learners

    The registrations you are allocated as assessor and as IQA (with `role`, as that one only),
    by the learner's name, each with where it stands as the caseload page shows it: criteria
    met, claims awaiting a decision, RAG while the learner is learning, and whether they are on
    a break, completed or withdrawn. For assessors and IQAs; anyone else is refused (403), and
    so is a `role` the person does not hold. Paged by keyset (the cursor holds the last one's
    learner and id): every page costs what the first does, however many learners there are."""
    sort = f"caseload:{args['role'] or 'all'}"
    found, last = entries_after(
        db(), actor=api_actor(), role=args["role"], after=paging.after(page_args, sort,
        paging.learner_key), limit=page_args["limit"], today=date.today(), zone=centre_zone(),
    )  # fmt: skip
    return paging.registrations_body([_learner(e) for e in found], sort, last)
