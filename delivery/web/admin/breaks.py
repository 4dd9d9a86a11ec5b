"""Administrator pages putting a registration on a break in learning, and ending the break.
The person page holds the forms; a refused one is shown again on the registration's own break
page. Its routes are on the administrator blueprint."""

from __future__ import annotations

from werkzeug.wrappers import Response

from delivery.web.admin.forms import BreakForm, EndBreakForm
from delivery.web.admin.views import ADMIN, bp
from delivery.web.admin.withdrawals import done, registration_page
from delivery.web.context import actor, db
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from portfolio.services import breaks
from portfolio.words import day_words


def _page(registration_id: int, form: PageForm) -> tuple[str, int]:
    kinds = {"start": BreakForm, "end": EndBreakForm}
    return registration_page(registration_id, form, "admin/break.html", kinds)


@bp.route("/registrations/<int:registration_id>/break", methods=["GET", "POST"])
@page(ADMIN)
def start_break(registration_id: int) -> tuple[str, int] | Response:
    form = BreakForm(row=registration_id)
    if form.validate_on_submit():
        with errors_on(form):
            reg = breaks.start_break(
                db(),
                actor=actor(),
                registration_id=registration_id,
                reason=form.reason.data or "",
                until=form.until.data,
            )
            since = day_words(reg.break_since or reg.start_date)
            return done(reg.learner_id, f"Recorded a break in learning from {since}.")
    return _page(registration_id, form)


@bp.route("/registrations/<int:registration_id>/break/end", methods=["POST"])
@page(ADMIN)
def end_break(registration_id: int) -> tuple[str, int] | Response:
    form = EndBreakForm(row=registration_id)
    if form.validate_on_submit():
        with errors_on(form):
            reg = breaks.end_break(db(), actor=actor(), registration_id=registration_id)
            return done(
                reg.learner_id,
                f"Ended the break: the planned end is now {day_words(reg.planned_end)}.",
            )
    return _page(registration_id, form)
