"""The administrator's home (the centre's figures), the people list with search, and the bulk
import of people and registrations from a CSV file. Routes on the admin blueprint."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, SubmitField

from delivery.web.admin import invites
from delivery.web.admin.figures import centre_figures, staff_without_two_step
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.config import centre_unnamed, site_unaddressed
from portfolio.services.people_import import COLUMNS, ImportReport, example_codes, import_people
from portfolio.words import count_words


@bp.route("", endpoint="index")
@page(ADMIN)
def index() -> str:
    figures = centre_figures(db(), zone=centre_zone())
    # under the centre's rule that staff use two-step verification: those to chase
    rule = bool(current_app.config.get("REQUIRE_TWO_STEP_FOR_STAFF"))
    chase = staff_without_two_step(db()) if rule else None
    return render_template(
        "admin/index.html",
        figures=figures,
        chase=chase,
        centre_unnamed=centre_unnamed(current_app.config),
        site_unaddressed=site_unaddressed(current_app.config),
    )


class ImportForm(PageForm):
    """A file to check or import; after a clean check, ``content`` carries the same text back
    with the button that imports it (checked again in full: nothing in it is trusted)."""

    file = FileField("CSV file of people (and their registrations)")
    content = HiddenField()
    dry_run = BooleanField("Check only: show what would happen and write nothing", default=True)
    invite = BooleanField("E-mail each new person an invitation to set their password")
    upload = SubmitField("Check or import the file")

    def data_bytes(self) -> bytes | None:
        upload = self.file.data
        if upload is not None and getattr(upload, "filename", None):
            return bytes(upload.read())
        if self.content.data:
            return str(self.content.data).encode("utf-8")
        self.file.errors = [*self.file.errors, "Choose a CSV file."]
        return None


@bp.route("/people/import", endpoint="people_import", methods=["GET", "POST"])
@page(ADMIN)
def people_import() -> tuple[str, int] | Response:
    form = ImportForm(invite=invites.mail_on())  # on by default where e-mail is set up
    report: ImportReport | None = None
    status = 200
    data = form.data_bytes() if form.validate_on_submit() else None
    if data is not None:
        dry_run = bool(form.dry_run.data)
        with errors_on(form):
            report = import_people(db(), actor=actor(), data=data, dry_run=dry_run)
            if report.written:
                flash(
                    f"Imported {count_words(report.people_created, 'person', 'people')} and "
                    f"{count_words(report.registrations_created, 'registration')}. "
                    + invites.after_import(report.created_ids, bool(form.invite.data)),
                    "success",
                )
                return redirect(url_for("admin.people"))
            if report.errors:
                status = 422
    text = (
        data.decode("utf-8-sig", errors="replace") if data and report and not report.errors else ""
    )
    html = render_template(
        "admin/people_import.html",
        form=form,
        report=report,
        columns=COLUMNS,
        content=text,
        example=example_codes(db()),
        mail_on=invites.mail_on(),
        no_mail_site=invites.NO_MAIL_SITE,
    )
    return html, form.status if form.status != 200 else status
