"""Administrator pages recording a learner's withdrawal from a registration, and reinstating it.
The person page holds the forms; a refused one is shown again on the registration's own page.
Its routes are on the administrator blueprint."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import ReinstateForm, WithdrawForm
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import PageForm, errors_on, status_of
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.services import registrations, withdrawals


def _page(registration_id: int, form: PageForm) -> tuple[str, int]:
    found = registrations.list_registrations(
        db(), zone=centre_zone(), actor=actor(), registration_id=registration_id
    )
    if not found:
        abort(404)
    row = found[0]
    withdraw = form if isinstance(form, WithdrawForm) else WithdrawForm(row=registration_id)
    reinstate = form if isinstance(form, ReinstateForm) else ReinstateForm(row=registration_id)
    html = render_template("admin/withdrawal.html", row=row, withdraw=withdraw, reinstate=reinstate)
    return html, status_of(withdraw, reinstate)


def _done(learner_id: int, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("admin.person", person_id=learner_id))


@bp.route("/registrations/<int:registration_id>/withdraw", methods=["GET", "POST"])
@page(ADMIN)
def withdraw(registration_id: int) -> tuple[str, int] | Response:
    form = WithdrawForm(row=registration_id)
    if form.validate_on_submit():
        with errors_on(form):
            reg = withdrawals.withdraw(
                db(),
                actor=actor(),
                registration_id=registration_id,
                on=form.on.data or date.today(),
                reason=form.reason.data or "",
            )
            said = withdrawals.withdrawn_words(form.on.data or date.today(), None)
            return _done(reg.learner_id, f"Recorded that the learner {said}.")
    return _page(registration_id, form)


@bp.route("/registrations/<int:registration_id>/reinstate", methods=["POST"])
@page(ADMIN)
def reinstate(registration_id: int) -> tuple[str, int] | Response:
    form = ReinstateForm(row=registration_id)
    if form.validate_on_submit():
        with errors_on(form):
            reg = withdrawals.reinstate(db(), actor=actor(), registration_id=registration_id)
            return _done(reg.learner_id, "Reinstated the registration.")
    return _page(registration_id, form)
