"""Coverage pages: a learner's progress, one standard's grid with sign-off, a cohort's progress."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from delivery.web.badges import signing_key, site
from delivery.web.context import actor, db
from delivery.web.coverage import caseload, overview
from delivery.web.coverage.chart_data import cohort_chart, learner_progress_chart
from delivery.web.forms import PageForm, errors_on, status_of
from delivery.web.handler import page
from delivery.web.nav import around
from delivery.web.words import centre_zone
from exports.badges import issue as badges
from mappings.assessment import plan_reads
from mappings.assessment import signoff as signoffs
from mappings.assessment.declarations import ASSESSOR_WORDING
from portfolio.models import Person
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import access

bp = Blueprint("coverage", __name__)


class SignOffForm(PageForm):
    summary = TextAreaField(
        "Summary of your judgement",
        validators=[DataRequired(message="Write a summary of your judgement."), Length(max=20_000)],
    )
    feedback = TextAreaField("Feedback to the learner", validators=[Optional(), Length(max=20_000)])
    assessor_declaration = BooleanField(
        ASSESSOR_WORDING,  # the exact words stored on the sign-off and printed on its record
        validators=[DataRequired(message="Tick your declaration as assessor to sign off.")],
    )
    sign = SubmitField("Sign off this standard")


class ReopenForm(PageForm):
    reason = TextAreaField(
        "Reason for reopening",
        validators=[DataRequired(message="Give the reason for reopening."), Length(max=20_000)],
    )
    reopen = SubmitField("Reopen this standard")


@bp.route("/learners/<int:learner_id>/progress", endpoint="learner")
@page()
def learner_page(learner_id: int) -> str:
    person = db().get(Person, learner_id)
    if person is None:
        abort(404)
    rows = overview.learner_progress(db(), actor=actor(), learner_id=learner_id)
    assessing = "assessor" in access.relation(db(), actor(), learner_id)
    return render_template(
        "coverage/learner.html",
        learner=person,
        rows=rows,
        badges=badges.learner_badges(db(), actor=actor(), learner_id=learner_id),
        own=learner_id == actor().id,
        records={k: KINDS[k] for k in ASSESSOR_KINDS} if assessing else {},
        assessing=assessing,
        plans=plan_reads.plans_paged(
            db(), actor=actor(), learner_id=learner_id, today=date.today()
        ),
        evidence_link=around("evidence.detail", "evidence_id"),
        progress_chart=learner_progress_chart(
            db(),
            learner_id=learner_id,
            counted=set().union(*(r.counted for r in rows)),
            zone=centre_zone(),
        ),
    )


def _registration() -> int | None:
    """The registration a standard's page is of (``?registration=``): a learner on two versions
    of a framework holds its codes twice. Without it, the learner's first holding the code."""
    return request.args.get("registration", type=int)


def _back(learner_id: int, code: str) -> Response:
    return redirect(
        url_for("coverage.standard", learner_id=learner_id, code=code, registration=_registration())
    )


def _standard(
    learner_id: int,
    code: str,
    *,
    signoff_form: SignOffForm | None = None,
    reopen_form: ReopenForm | None = None,
) -> tuple[str, int]:
    """The page of one standard; a form given is shown again with its errors."""
    page_data = overview.standard_page(
        db(), actor=actor(), learner_id=learner_id, code=code, registration_id=_registration()
    )
    badge = None
    if page_data.signoff is not None:
        badge = badges.badge_of_signoff(db(), actor=actor(), signoff_id=page_data.signoff.id)
    html = render_template(
        "coverage/standard.html",
        page=page_data,
        badge=badge,
        # a blank form only where the page shows it (most grids show neither: building one
        # was a tenth of the page's time); the template reads a missing one as no problem
        signoff_form=signoff_form
        or (SignOffForm(formdata=None) if page_data.panel == "form" else None),
        reopen_form=reopen_form or (ReopenForm(formdata=None) if page_data.can_reopen else None),
        evidence_link=around("evidence.detail", "evidence_id"),
    )
    return html, status_of(signoff_form, reopen_form)


@bp.route("/learners/<int:learner_id>/standards/<code>", endpoint="standard")
@page()
def standard_view(learner_id: int, code: str) -> tuple[str, int]:
    return _standard(learner_id, code)


@bp.route("/learners/<int:learner_id>/standards/<code>/signoff", methods=["POST"])
@page()
def signoff(learner_id: int, code: str) -> Response | tuple[str, int]:
    standing = signoffs.standing_to_sign(
        db(), actor=actor(), learner_id=learner_id, code=code, registration_id=_registration()
    )
    form = SignOffForm()
    if form.validate_on_submit():
        with errors_on(form):
            result = signoffs.sign_off_standing(
                db(),
                actor=actor(),
                standing=standing,
                standard_code=code,
                summary=form.summary.data or "",
                feedback=form.feedback.data or "",
                assessor_declaration=bool(form.assessor_declaration.data),
            )
            # the learner's Open Badge, in the same transaction as the sign-off it stands for
            badges.issue(
                db(),
                actor=actor(),
                signoff_id=result.signoff.id or 0,
                key=signing_key(),
                site=site(),
            )
            flash(
                f"{code} is signed off (document {result.signoff.document_id}); "
                "the learner's Open Badge is issued.",
                "success",
            )
            return _back(learner_id, code)
    return _standard(learner_id, code, signoff_form=form)


@bp.route("/learners/<int:learner_id>/standards/<code>/reopen", methods=["POST"])
@page()
def reopen(learner_id: int, code: str) -> Response | tuple[str, int]:
    current = signoffs.signoff_to_reopen(
        db(), actor=actor(), learner_id=learner_id, code=code, registration_id=_registration()
    )
    form = ReopenForm()
    if form.validate_on_submit():
        with errors_on(form):
            signoffs.reopen_standard(
                db(), actor=actor(), current=current, code=code, reason=form.reason.data or ""
            )
            flash(f"{code} is reopened; the reason is logged.", "success")
            return _back(learner_id, code)
    return _standard(learner_id, code, reopen_form=form)


@bp.route("/cohorts/<int:cohort_id>/progress", endpoint="cohort")
@page()
def cohort_page(cohort_id: int) -> str:
    page = caseload.cohort_progress(db(), actor=actor(), cohort_id=cohort_id)
    return render_template("coverage/cohort.html", page=page, chart=cohort_chart(page))
