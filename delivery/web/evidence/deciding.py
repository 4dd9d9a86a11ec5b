"""The assessor's forms on an item's page: decisions on its claims (one claim, or several at once
with the warning before saving) and the VACSR judgement. The routes are on the evidence blueprint
(``evidence.decide``, ``evidence.decide_all``, ``evidence.judge``)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from sqlmodel import col, select
from werkzeug.wrappers import Response

from delivery.web import context
from delivery.web.context import actor, db
from delivery.web.evidence.forms import (
    ClaimDecisionForm,
    DecisionForm,
    DecisionsForm,
    JudgementForm,
)
from delivery.web.evidence.views import _item_page, bp
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from mappings.assessment import claims, deciders
from mappings.assessment.models import Claim
from portfolio.errors import Conflict, Invalid
from portfolio.models import Evidence
from portfolio.services import access


def _assessed(evidence_id: int) -> Evidence:
    """The item, if the actor is its learner's assessor (404 or 403 otherwise)."""
    item = db().get(Evidence, evidence_id)
    if item is None:
        abort(404)
    access.require_assessor(db(), actor(), item.learner_id)
    return item


@bp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@page()
def decide(claim_id: int) -> tuple[str, int] | Response:
    deciders.require_decider(db(), actor=actor(), claim_id=claim_id)  # the claim's registration's
    evidence_id = db().get_one(Claim, claim_id).evidence_id
    form = DecisionForm(row=claim_id)
    if form.validate_on_submit():
        with errors_on(form):
            claims.decide(
                db(),
                actor=actor(),
                claim_id=claim_id,
                expected_revision=form.expected_revision,
                decision=form.decision.data or "",
                method=form.method.data or "",
                feedback=form.feedback.data or "",
            )
            flash("Decision recorded.", "success")
            anchor = f"#claim-{claim_id}"
            return redirect(url_for("evidence.detail", evidence_id=evidence_id) + anchor)
    return _item_page(evidence_id, failed=form)


@bp.route("/evidence/<int:evidence_id>/decisions", methods=["POST"])
@page()
def decide_all(evidence_id: int) -> tuple[str, int] | Response:
    """Accept or refer several claims of the item at once, each with its own method and
    feedback, in one transaction. A method that will not count for its criterion is warned of
    before anything is saved ("Check", or the first "Record decisions"); saving again with the
    same choices saves anyway."""
    _assessed(evidence_id)
    form = DecisionsForm()
    ids = (
        db()
        .exec(select(Claim.id).where(Claim.evidence_id == evidence_id).order_by(col(Claim.id)))
        .all()
    )
    rows = {cid or 0: ClaimDecisionForm(row=cid) for cid in ids}
    shown: list[PageForm] = [form, *rows.values()]
    valid = form.validate_on_submit()
    valid = all([row.validate() for row in rows.values()]) and valid  # every row's errors
    if not valid:
        return _item_page(evidence_id, failed=shown)
    choices = [
        claims.DecisionChoice(
            claim_id=row.row or 0,
            expected_revision=row.expected_revision,
            decision=row.decision.data or "",
            method=row.method.data or "",
            feedback=row.feedback.data or "",
        )
        for row in rows.values()
        if row.chosen
    ]
    if not choices:
        form.fail(Invalid(claims.NOTHING_CHOSEN))
        return _item_page(evidence_id, failed=shown)
    warned = claims.method_warnings(db(), actor=actor(), evidence_id=evidence_id, choices=choices)
    pairs = form.pairs(warned, {c.claim_id: c.method.strip().upper() for c in choices})
    if form.check.data or not pairs <= form.seen:
        form.warnings = warned
        form.checked = not warned
        form.confirmed.data = ",".join(sorted(pairs))
        return _item_page(evidence_id, failed=shown)
    try:
        made = claims.decide_many(db(), actor=actor(), evidence_id=evidence_id, choices=choices)
    except claims.DecisionsRefused as refused:
        context.undo()  # one refused claim saves none
        for claim_id, error in refused.errors.items():
            rows[claim_id].fail(error)
        return _item_page(evidence_id, failed=shown)
    except (Invalid, Conflict) as error:
        context.undo()
        form.fail(error)
        return _item_page(evidence_id, failed=shown)
    flash(f"{len(made)} decision{'s' if len(made) != 1 else ''} recorded.", "success")
    return redirect(url_for("evidence.detail", evidence_id=evidence_id) + "#criteria-heading")


@bp.route("/evidence/<int:evidence_id>/judgement", methods=["POST"])
@page()
def judge(evidence_id: int) -> tuple[str, int] | Response:
    _assessed(evidence_id)
    form = JudgementForm()
    if form.validate_on_submit():
        with errors_on(form):
            claims.judge(
                db(),
                actor=actor(),
                evidence_id=evidence_id,
                flags=form.flags,
                note=form.note.data or "",
            )
            flash("VACSR judgement recorded.", "success")
            anchor = "#vacsr-heading"
            return redirect(url_for("evidence.detail", evidence_id=evidence_id) + anchor)
    return _item_page(evidence_id, failed=form)
