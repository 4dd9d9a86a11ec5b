"""The home page: what each role should look at first; the learner confirms declarations here."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Length

from delivery.web.context import actor, db
from delivery.web.coverage.caseload_views import store_later, store_now
from delivery.web.evidence.views import ITEM_BADGES
from delivery.web.forms import PageForm, errors_on, per_row, status_of
from delivery.web.handler import page
from delivery.web.home import dashboard
from delivery.web.nav import around
from mappings.assessment import declarations
from portfolio.config import centre_unnamed, site_unaddressed

bp = Blueprint("home", __name__)

# (label, endpoint) of the administrator's pages, shown once the endpoint exists
ADMIN_LINKS = (
    ("The centre at a glance", "admin.index"),
    ("People", "admin.people"),
    ("Cohorts", "admin.cohorts"),
    ("Registrations", "admin.registrations"),
    ("Frameworks", "frameworks.index"),
)


class DeclareForm(PageForm):
    """The learner confirms the wording shown for one standard, over the evidence set shown."""

    evidence_set_sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    confirm = SubmitField("Confirm my declaration")


@bp.route("/")
@page()
def index() -> tuple[str, int]:
    return _home()


def _home(failed: DeclareForm | None = None) -> tuple[str, int]:
    me = actor()
    panels = dashboard.home(db(), actor=me, store=store_now)
    for panel in (panels.assessing, panels.assuring):
        if panel is not None and panel.pending:
            store_later(panel.role, me.id, list(panel.pending))
    admin_links = [
        (label, url_for(endpoint))
        for label, endpoint in ADMIN_LINKS
        if me.has("admin") and endpoint in current_app.view_functions
    ]
    awaiting = panels.learner.declarations if panels.learner else ()
    forms = per_row(DeclareForm, [a.standard_id for a in awaiting], failed)
    html = render_template(
        "home.html",
        me=me,
        panels=panels,
        admin_links=admin_links,
        centre_unnamed=bool(admin_links) and centre_unnamed(current_app.config),
        site_unaddressed=bool(admin_links) and site_unaddressed(current_app.config),
        declare_forms=forms,
        # a dozen links to evidence items: each built around its id, not by url_for each
        evidence_link=around("evidence.detail", "evidence_id") if panels.learner else None,
        item_badges=ITEM_BADGES,  # each item's decision state, badged as the evidence list does
    )
    return html, status_of(failed)


@bp.route("/declarations/<int:registration_id>/<code>", methods=["POST"])
@page("learner")
def declare(registration_id: int, code: str) -> Response | tuple[str, int]:
    declarations.require_learner(db(), actor=actor(), registration_id=registration_id)
    form = DeclareForm(row=_row_of(registration_id, code))
    if form.validate_on_submit():
        with errors_on(form):
            declarations.declare(
                db(),
                actor=actor(),
                registration_id=registration_id,
                standard_code=code,
                evidence_set_sha256=form.evidence_set_sha256.data or "",
            )
            flash(f"Your declaration for {code} is recorded.", "success")
            return redirect(url_for("home.index"))
    return _home(failed=form)


def _row_of(registration_id: int, code: str) -> int:
    """The row of the home page's list that this form belongs to (the standard's id)."""
    for item in declarations.awaiting_declarations(db(), learner_id=actor().id):
        if item.registration_id == registration_id and item.code == code:
            return item.standard_id
    return 0
