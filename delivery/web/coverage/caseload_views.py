"""The caseload page: an assessor's (or IQA's) learners with progress and RAG, sortable."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from delivery.web.context import actor, db
from delivery.web.coverage import caseload as service
from delivery.web.coverage.chart_data import assessor_decisions_chart
from delivery.web.handler import page

bp = Blueprint("caseload", __name__)


@bp.route("/caseload")
@page()
def index() -> str:
    me = actor()
    role = request.args.get("role", "assessor")  # IQAs ask for theirs with ?role=iqa
    found = service.caseload(
        db(),
        actor=me,
        role=role,
        sort=request.args.get("sort", "name"),
        direction=request.args.get("dir", "asc"),
    )
    switch = "iqa" if role == "assessor" else "assessor"
    chart = (
        assessor_decisions_chart(db(), assessor_id=me.id)
        if role == "assessor" and me.has("assessor")
        else None
    )
    return render_template(
        "coverage/caseload.html",
        caseload=found,
        switch=switch if me.has(switch) else None,
        decisions_chart=chart,
    )
