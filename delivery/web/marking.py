"""The marking queue: what an assessor's learners submitted that awaits a decision, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template, request

from delivery.web.context import actor, db
from delivery.web.handler import page
from mappings.assessment.queue import marking_queue
from portfolio.models import Person
from portfolio.services import access

bp = Blueprint("marking", __name__)


@bp.route("/marking")
@page("assessor")
def index() -> str:
    learner_id = request.args.get("learner", type=int)
    learner = None
    if learner_id is not None:
        access.require_assessor(db(), actor(), learner_id)
        learner = db().get(Person, learner_id)
    queue = marking_queue(
        db(),
        actor=actor(),
        page=request.args.get("page", 1, type=int) or 1,
        learner_id=learner_id,
    )
    return render_template(
        "marking/index.html", queue=queue, learner=learner, now=datetime.now(UTC)
    )
