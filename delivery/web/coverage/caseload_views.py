"""The caseload page: an assessor's (or IQA's) learners with progress and RAG, searched, sorted
and paged on the server."""

from __future__ import annotations

import threading
from datetime import date

from flask import Blueprint, after_this_request, current_app, render_template, request
from sqlmodel import Session
from werkzeug.wrappers import Response

from delivery.web.context import actor, db, extension
from delivery.web.coverage import caseload as service
from delivery.web.coverage.chart_data import assessor_decisions_chart
from delivery.web.handler import page
from mappings.assessment import summaries

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
        query=request.args.get("q", "")[:100],
        page=request.args.get("page", 1, type=int) or 1,
    )
    if found.worked_out:
        store_later(list(found.worked_out))
    switch = "iqa" if role == "assessor" else "assessor"
    chart = (
        assessor_decisions_chart(
            db(),
            assessor_id=me.id,
            cache=current_app.extensions.setdefault("portfolio.decision_counts", {}),
        )
        if role == "assessor" and me.has("assessor")
        else None
    )
    return render_template(
        "coverage/caseload.html",
        caseload=found,
        switch=switch if me.has(switch) else None,
        decisions_chart=chart,
    )


def store_later(registration_ids: list[int]) -> None:
    """Save the summaries this page had to work out, after it is answered (a page writes
    nothing itself): in tests on the request's connection, else in a thread of this process."""
    today = date.today()
    if current_app.config.get("READINGS_INLINE"):
        factory = extension().session_factory

        @after_this_request
        def store(response: Response) -> Response:
            summaries.store(factory, registration_ids, today)
            return response

        return
    engine = extension().engine
    threading.Thread(
        target=summaries.store,
        args=(lambda: Session(engine, expire_on_commit=False), registration_ids, today),
        name="caseload-summaries",
        daemon=True,
    ).start()
