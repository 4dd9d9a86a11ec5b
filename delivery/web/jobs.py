"""Background work for administrators: what failed (export jobs, attachment readings, and RQ's
failed jobs when Redis carries the work), how much is waiting, and a way to run a failure again."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import SubmitField

from delivery.web.context import actor, after_commit, db
from delivery.web.evidence.readings import start
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from exports import failures
from portfolio.errors import Invalid

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


class AgainForm(PageForm):
    submit = SubmitField("Try again")


def _page(form: AgainForm) -> tuple[str, int]:
    found = failures.failures(db(), actor=actor(), redis_url=current_app.config.get("REDIS_URL"))
    return render_template("admin/jobs.html", found=found, form=form), form.status


@bp.route("")
@page("admin")
def index() -> tuple[str, int]:
    return _page(AgainForm(formdata=None))


@bp.route("/readings/<int:attachment_id>/again", methods=["POST"])
@page("admin")
def reading_again(attachment_id: int) -> tuple[str, int] | Response:
    form = AgainForm()
    if form.validate_on_submit():
        with errors_on(form):
            failures.retry_reading(db(), actor=actor(), attachment_id=attachment_id)
            after_commit(lambda: start([attachment_id]))
            flash("The attachment will be read again.", "success")
            return redirect(url_for("jobs.index"))
    return _page(form)


@bp.route("/queued/<job_id>/again", methods=["POST"])
@page("admin")
def queued_again(job_id: str) -> tuple[str, int] | Response:
    form = AgainForm()
    redis_url = current_app.config.get("REDIS_URL")
    if form.validate_on_submit():
        with errors_on(form):
            if not redis_url:
                raise Invalid("Background work runs in the web server here: there is no queue.")
            failures.requeue_rq(actor=actor(), redis_url=redis_url, job_id=job_id)
            flash("The job was put back in its queue.", "success")
            return redirect(url_for("jobs.index"))
    return _page(form)
