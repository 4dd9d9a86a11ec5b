"""Adding a comment to the conversation on an item (the route is on the evidence blueprint:
``evidence.comment``)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from delivery.web.context import actor, db
from delivery.web.evidence.forms import CommentForm
from delivery.web.evidence.views import _item_page, bp
from delivery.web.forms import errors_on
from delivery.web.handler import page
from portfolio.services import comments


@bp.route("/evidence/<int:evidence_id>/comments", methods=["POST"])
@page()
def comment(evidence_id: int) -> tuple[str, int] | Response:
    comments.check_may_comment(db(), actor=actor(), evidence_id=evidence_id)
    form = CommentForm()
    if form.validate_on_submit():
        with errors_on(form):
            comments.add(db(), actor=actor(), evidence_id=evidence_id, body=form.body.data or "")
            flash("Your comment is added.", "success")
            return redirect(url_for("evidence.detail", evidence_id=evidence_id, _anchor="comments"))
    return _item_page(evidence_id, failed=form)
