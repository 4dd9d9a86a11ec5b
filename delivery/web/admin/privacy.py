"""Administrator pages for personal data: a person's subject-access archive, erasure on request,
and the retention rules with what is due to go."""

from __future__ import annotations

import tempfile
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask import send_file as flask_send_file
from werkzeug.wrappers import Response
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from delivery.web.context import actor, db, file_store
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from delivery.web.words import centre_zone
from exports.subject_access import write_subject_access
from mappings.privacy import retention
from mappings.privacy.requests import erase_person
from portfolio.models import Person

bp = Blueprint("privacy", __name__, url_prefix="/admin")
ADMIN = "admin"


class EraseForm(PageForm):
    sure = BooleanField(
        "Yes, erase this person's personal data. This cannot be undone.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    erase = SubmitField("Erase personal data")


class ApplyForm(PageForm):
    sure = BooleanField(
        "Yes, erase the content and files of this evidence now. This cannot be undone.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    apply = SubmitField("Erase now")


def _person(person_id: int) -> Person:
    target = db().get(Person, person_id)
    if target is None:
        abort(404)
    return target


@bp.route("/people/<int:person_id>/subject-access", methods=["POST"])
@page(ADMIN)
def subject_access(person_id: int) -> Response:
    """Everything held about the person, as one zip (the request is recorded in the trail)."""
    _person(person_id)
    spool = tempfile.TemporaryFile(dir=current_app.instance_path)  # noqa: SIM115 - sent, then closed
    try:
        write_subject_access(
            db(),
            file_store(),
            person_id,
            spool,
            actor=actor(),
            centre=str(current_app.config.get("CENTRE_NAME") or ""),
            zone=centre_zone(),
        )
    except BaseException:
        spool.close()  # refused or failed: nothing to send
        raise
    spool.seek(0)
    response = flask_send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"subject-access-{person_id}-{date.today().isoformat()}.zip",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _erased_words(emptied: int, kept: int) -> str:
    """ "2 evidence items emptied; 1 kept behind their sign-offs until the retention period ends"."""
    items = "evidence item" if emptied == 1 else "evidence items"
    said = f"{emptied} {items} emptied" if emptied else "no evidence emptied"
    if kept:
        said += f"; {kept} kept behind their sign-offs until the retention period ends"
    return said + "."


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@page(ADMIN)
def erase(person_id: int) -> tuple[str, int] | Response:
    """What erasing the person would do, and the confirmation that does it."""
    target = _person(person_id)
    form = EraseForm()
    if form.validate_on_submit():
        with errors_on(form):
            done = erase_person(
                db(), actor=actor(), person_id=person_id, store=file_store(), zone=centre_zone()
            )
            flash(
                f"Their personal data was erased: {_erased_words(done.erased.items, done.kept_items)}",
                "success",
            )
            return redirect(url_for("admin.person", person_id=person_id))
    plan = None
    if target.erased_at is None and target.id != actor().id:
        plan = erase_person(
            db(), actor=actor(), person_id=person_id, store=None, dry_run=True
        ).as_dict()
    return render_template("admin/erase.html", person=target, plan=plan, form=form), form.status


@bp.route("/retention", methods=["GET", "POST"])
@page(ADMIN)
def retention_page() -> tuple[str, int] | Response:
    """The rules in force and the learners whose evidence is past its keeping time; erasing it
    now (the daily job does the same)."""
    rules = retention.Rules.from_config(current_app.config)
    form = ApplyForm()
    if form.validate_on_submit():
        with errors_on(form):
            done = retention.apply(
                db(), actor=actor(), rules=rules, store=file_store(), zone=centre_zone()
            )
            flash(
                f"Erased the content of {done.erased.items} evidence item(s) and "
                f"{done.erased.files} file(s) of {len(done.due)} learner(s).",
                "success",
            )
            return redirect(url_for("privacy.retention_page"))
    due = retention.due(db(), rules, zone=centre_zone())
    return render_template(
        "admin/retention.html",
        rules=rules,
        frameworks=sorted(rules.frameworks.items()),
        due=due,
        form=form,
    ), form.status
