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


def registration_page(
    registration_id: int, form: PageForm, template: str, kinds: dict[str, type[PageForm]]
) -> tuple[str, int]:
    """A registration's own page holding a pair of forms (``kinds``: the template's name for
    each, and its class), ``form`` among them as sent (a refusal shown again), the others new."""
    found = registrations.list_registrations(
        db(), zone=centre_zone(), actor=actor(), registration_id=registration_id
    )
    if not found:
        abort(404)
    forms = {
        name: form if isinstance(form, kind) else kind(row=registration_id)
        for name, kind in kinds.items()
    }
    return render_template(template, row=found[0], **forms), status_of(*forms.values())


def _page(registration_id: int, form: PageForm) -> tuple[str, int]:
    kinds = {"withdraw": WithdrawForm, "reinstate": ReinstateForm}
    return registration_page(registration_id, form, "admin/withdrawal.html", kinds)


def done(learner_id: int, message: str) -> Response:
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
            return done(reg.learner_id, f"Recorded that the learner {said}.")
    return _page(registration_id, form)


@bp.route("/registrations/<int:registration_id>/reinstate", methods=["POST"])
@page(ADMIN)
def reinstate(registration_id: int) -> tuple[str, int] | Response:
    form = ReinstateForm(row=registration_id)
    if form.validate_on_submit():
        with errors_on(form):
            reg = withdrawals.reinstate(db(), actor=actor(), registration_id=registration_id)
            return done(reg.learner_id, "Reinstated the registration.")
    return _page(registration_id, form)
