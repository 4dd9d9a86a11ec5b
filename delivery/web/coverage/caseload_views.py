"""The caseload page: an assessor's (or IQA's) learners with progress and RAG, searched, sorted
and paged on the server."""

from __future__ import annotations

import threading
from datetime import date

from flask import Blueprint, after_this_request, current_app, render_template, request
from sqlmodel import Session
from werkzeug.wrappers import Response

from delivery.web.charts import Chart
from delivery.web.context import actor, db, extension
from delivery.web.coverage import caseload as service
from delivery.web.coverage.chart_data import assessor_decisions_chart
from delivery.web.handler import page
from delivery.web.nav import around
from delivery.web.words import centre_zone
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
        after=request.args.get("after", type=int),  # the row paged from, when a link says
        before=request.args.get("before", type=int),
        store=store_now,
        finished=request.args.get("show") == "finished",  # the completed and withdrawn apart
    )
    if found.pending:
        store_later(role, me.id, list(found.pending))
    switch = "iqa" if role == "assessor" else "assessor"
    chart = decisions_chart(me.id) if role == "assessor" and me.has("assessor") else None
    return render_template(
        "coverage/caseload.html",
        caseload=found,
        switch=switch if me.has(switch) else None,
        decisions_chart=chart,
        links={
            "coverage": around("coverage.learner", "learner_id"),
            "evidence": around("evidence.learner_index", "learner_id"),
            "marking": around("marking.index", "learner"),
        },
    )


WARM_WAIT = 30.0  # seconds a visit waits for the start's counts before it counts the year itself


def decisions_chart(assessor_id: int) -> Chart:
    """The assessor's decisions by month from the counts this process keeps: warmed at its start
    in the background (a visit meanwhile waits for them), then brought up to date a visit."""
    warming = current_app.extensions.get("portfolio.decision_counts.warm")
    if warming is not None:
        warming.wait(WARM_WAIT)
    return assessor_decisions_chart(
        db(),
        assessor_id=assessor_id,
        cache=current_app.extensions.setdefault("portfolio.decision_counts", {}),
        zone=centre_zone(),
    )


def store_now(registration_ids: list[int]) -> None:
    """Store the few summaries a caseload misses (or has from an earlier day) in a transaction
    of their own before the page reads on (the page's own transaction writes nothing): the
    page's read ends first, so that its next one sees them. Another visit storing the same
    ones at the same moment wins the race: this one reads what that one stored."""
    db().rollback()
    summaries.store_in_chunks(
        extension().session_factory, registration_ids, date.today(), zone=centre_zone()
    )


_running: set[tuple[str, int]] = set()  # caseloads whose backlog a thread of this process stores
_lock = threading.Lock()


def store_later(role: str, holder_id: int, registration_ids: list[int]) -> None:
    """Store a caseload's backlog of summaries (too many to work out before answering: the
    first visit of a day the nightly job has not reached yet, or after a framework's rules
    changed) after the page is answered: in tests on the request's connection, else in a
    thread of this process, one per caseload at a time."""
    today, zone = date.today(), centre_zone()
    if current_app.config.get("READINGS_INLINE"):
        factory = extension().session_factory

        @after_this_request
        def store(response: Response) -> Response:
            summaries.store_in_chunks(factory, registration_ids, today, zone=zone)
            return response

        return
    key = (role, holder_id)
    with _lock:
        if key in _running:
            return
        _running.add(key)
    engine = extension().engine

    def work() -> None:
        try:
            summaries.store_in_chunks(
                lambda: Session(engine, expire_on_commit=False), registration_ids, today, zone=zone
            )
        finally:
            with _lock:
                _running.discard(key)

    threading.Thread(target=work, name="caseload-summaries", daemon=True).start()
