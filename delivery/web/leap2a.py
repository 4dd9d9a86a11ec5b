"""Leap2A: a learner's portfolio downloaded as a Leap2A zip (the learner, or an administrator),
and a Leap2A file uploaded by a learner as draft evidence."""

from __future__ import annotations

import tempfile

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask import send_file as flask_send_file
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import SubmitField

from delivery.web.context import actor, db, file_store
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from exports.leap2a import default_name, import_leap2a, write_leap2a

bp = Blueprint("leap2a", __name__)

SHOWN_WARNINGS = 20


class ImportForm(PageForm):
    file = FileField(
        "Leap2A file (.zip or .xml)", validators=[FileRequired("Choose a file to import.")]
    )
    submit = SubmitField("Import as drafts")


@bp.route("/learners/<int:learner_id>/leap2a.zip")
@page()
def download(learner_id: int) -> Response:
    spool = tempfile.TemporaryFile(dir=current_app.instance_path)  # noqa: SIM115 - sent, then closed
    try:
        write_leap2a(db(), file_store(), learner_id, spool, actor=actor())
    except BaseException:
        spool.close()  # refused or failed: nothing to send
        raise
    spool.seek(0)
    response = flask_send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=default_name(learner_id),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _page(form: ImportForm) -> tuple[str, int]:
    html = render_template(
        "evidence/import.html", form=form, max_mb=current_app.config["MAX_UPLOAD_MB"]
    )
    return html, form.status


@bp.route("/evidence/import", methods=["GET", "POST"])
@page("learner")
def upload() -> tuple[str, int] | Response:
    """A learner imports a Leap2A file (from Mahara, or exported here) as their own drafts."""
    me = actor()
    form = ImportForm()
    if form.validate_on_submit():
        with errors_on(form):
            report = import_leap2a(
                db(),
                file_store(),
                actor=me,
                learner_id=me.id,
                data=form.file.data.read(),
                max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
            )
            flash(report.message, "success")
            for warning in report.warnings[:SHOWN_WARNINGS]:
                flash(warning, "warning")
            if len(report.warnings) > SHOWN_WARNINGS:
                flash(f"… and {len(report.warnings) - SHOWN_WARNINGS} more warnings.", "warning")
            return redirect(url_for("evidence.index", status="draft"))
    return _page(form)
