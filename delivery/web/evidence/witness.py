"""Asking the witness of a testimony to confirm it (the route is on the evidence blueprint:
``evidence.witness_ask``): the link is e-mailed once the request has committed
(:mod:`delivery.web.evidence.witness_asking`, which the API's operation calls too)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from delivery.web.context import actor, db
from delivery.web.evidence import witness_asking
from delivery.web.evidence.views import _item_page, bp
from delivery.web.evidence.witness_panel import WitnessRequestForm
from delivery.web.forms import errors_on
from delivery.web.handler import page
from portfolio.services import witness


@bp.route("/evidence/<int:evidence_id>/witness", methods=["POST"])
@page()
def witness_ask(evidence_id: int) -> tuple[str, int] | Response:
    witness.may_ask(db(), actor=actor(), evidence_id=evidence_id)
    form = WitnessRequestForm()
    if form.validate_on_submit():
        with errors_on(form):
            sent = witness_asking.ask(
                db(), actor=actor(), evidence_id=evidence_id, email=form.email.data or ""
            )
            flash(sent.words, "success")
            return redirect(url_for("evidence.detail", evidence_id=evidence_id, _anchor="witness"))
    return _item_page(evidence_id, failed=form)
