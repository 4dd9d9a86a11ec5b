"""The administrator's Cohorts page: add a cohort, close a finished one (confirmed on a page of
its own, with a tick box) and reopen it. The open cohorts are listed first, the closed ones apart
below them. Its routes are on the administrator blueprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import CloseCohortForm, CohortForm, ReopenCohortForm
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import PageForm, errors_on, status_of
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.services import cohorts as cohort_service
from portfolio.services import registrations
from portfolio.words import count_words, local


@dataclass(frozen=True)
class CohortLine:
    id: int
    name: str
    site: str
    registrations: int
    closed_on: date | None  # the day it was closed, in the centre's time zone; None: open


def _lines() -> tuple[list[CohortLine], list[CohortLine]]:
    """The open cohorts and the closed ones, by name (one query)."""
    zone = centre_zone()
    lines = [
        CohortLine(
            id=r.id,
            name=r.name,
            site=r.site,
            registrations=r.registrations,
            closed_on=local(r.closed_at, zone).date() if r.closed_at else None,
        )  # fmt: skip
        for r in registrations.list_cohorts(db())
    ]
    return [c for c in lines if c.closed_on is None], [c for c in lines if c.closed_on]


def _page(form: CohortForm, sent: PageForm | None = None) -> tuple[str, int]:
    """The page, with ``sent`` (a refused Reopen) in its row and new forms elsewhere."""
    open_rows, closed_rows = _lines()

    def row_form(cohort_id: int) -> PageForm:
        if isinstance(sent, ReopenCohortForm) and sent.row == cohort_id:
            return sent
        return ReopenCohortForm(formdata=None, row=cohort_id)

    reopen_forms = {c.id: row_form(c.id) for c in closed_rows}
    # a refusal about a cohort no longer in that list (reopened meanwhile, or gone): atop the page
    unplaced = (
        sent if sent is not None and not any(f is sent for f in reopen_forms.values()) else None
    )
    html = render_template(
        "admin/cohorts.html", open_rows=open_rows, closed_rows=closed_rows, form=form,
        reopen_forms=reopen_forms, sent=sent, unplaced=unplaced,
    )  # fmt: skip
    return html, status_of(form, sent)


@bp.route("/cohorts", methods=["GET", "POST"])
@page(ADMIN)
def cohorts() -> tuple[str, int] | Response:
    form = CohortForm()
    if form.validate_on_submit():
        with errors_on(form):
            cohort = registrations.create_cohort(
                db(), actor=actor(), name=form.name.data or "", site=form.site.data or ""
            )
            flash(f"Added cohort “{cohort.name}”.", "success")
            return redirect(url_for("admin.cohorts"))
    return _page(form)


@bp.route("/cohorts/<int:cohort_id>/close", methods=["GET", "POST"])
@page(ADMIN)
def close_cohort(cohort_id: int) -> tuple[str, int] | Response:
    """A page that says what closing does, with a tick box to confirm (as removing a person
    does); Reopen, which undoes it, stays one click on the Cohorts page."""
    form = CloseCohortForm()
    if form.validate_on_submit():
        with errors_on(form):
            cohort = cohort_service.close_cohort(db(), actor=actor(), cohort_id=cohort_id)
            flash(f"Closed the cohort “{cohort.name}”: it is offered to no new registration; "
                  "its learners stay in it.", "success")  # fmt: skip
            return redirect(url_for("admin.cohorts"))
    row = cohort_service.cohort_row(db(), actor=actor(), cohort_id=cohort_id)
    closed_on = local(row.closed_at, centre_zone()).date() if row.closed_at else None
    one = row.registrations == 1
    held = (f"{count_words(row.registrations, 'registration')} {'is' if one else 'are'} in it "
            f"and {'stays' if one else 'stay'} there")  # fmt: skip
    html = render_template(
        "admin/close_cohort.html", form=form, cohort=row, closed_on=closed_on, held=held
    )
    return html, form.status


@bp.route("/cohorts/<int:cohort_id>/reopen", methods=["POST"])
@page(ADMIN)
def reopen_cohort(cohort_id: int) -> tuple[str, int] | Response:
    sent = ReopenCohortForm(row=cohort_id)
    if sent.validate_on_submit():
        with errors_on(sent):
            cohort = cohort_service.reopen_cohort(db(), actor=actor(), cohort_id=cohort_id)
            flash(f"Reopened the cohort “{cohort.name}”.", "success")
            return redirect(url_for("admin.cohorts"))
    return _page(CohortForm(formdata=None), sent)
