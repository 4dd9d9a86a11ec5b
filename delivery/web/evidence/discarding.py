"""Discarding a draft its author no longer wants (routes on the evidence blueprint): a page that
says what goes, a tick box to confirm, then the evidence list with "Draft “X” discarded." The
service (:mod:`mappings.assessment.discard`) checks who may and refuses anything submitted."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from delivery.web.context import actor, db, file_store
from delivery.web.evidence.views import bp
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from mappings.assessment.discard import discard as discard_draft
from mappings.assessment.discard import discarded_words
from portfolio.models import Person
from portfolio.services import evidence as service


class DiscardForm(PageForm):
    sure = BooleanField(
        "Yes, discard this draft: its text, files and ticked criteria go, and it cannot be "
        "brought back.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    discard = SubmitField("Discard this draft")


@bp.route("/evidence/<int:evidence_id>/discard", methods=["GET", "POST"])
@page()
def discard(evidence_id: int) -> tuple[str, int] | Response:
    item = service.for_author(db(), actor(), evidence_id)
    form = DiscardForm()
    if form.validate_on_submit():
        with errors_on(form):
            done = discard_draft(db(), actor=actor(), evidence_id=evidence_id, store=file_store())
            flash(discarded_words(done.title), "success")
            if done.learner_id == actor().id:
                return redirect(url_for("evidence.index"))
            return redirect(url_for("evidence.learner_index", learner_id=done.learner_id))
    version = service.current_version(db(), item)
    learner = db().get(Person, item.learner_id)
    page_html = render_template(
        "evidence/discard.html",
        form=form,
        item=item,
        learner=learner,
        files=len(service.attachments_of(db(), version.id or 0)),
        own=item.learner_id == actor().id,
    )
    return page_html, form.status
