"""Two-step verification: the second step of a log-in (``/login/code``) and the person's own page
for turning it on and off (``/account/two-step``); what the browser holds between the steps is
in :mod:`delivery.web.second_step`."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from delivery.web import limits
from delivery.web.auth import delays, log_in, safe_next, wrong_answer_given
from delivery.web.context import actor, db
from delivery.web.forms import (
    SecondStepForm,
    TwoStepOffForm,
    TwoStepOnForm,
    errors_on,
    wrong_answer,
)
from delivery.web.handler import page
from delivery.web.second_step import PENDING, REQUIRED, SETUP, pending, setup_required
from portfolio.models import Person
from portfolio.services import audit, two_step

bp = Blueprint("two_step", __name__)

WRONG = (
    "That code does not match, or it was used already (each code works once). Type the next "
    "code your app shows, or a recovery code."
)


@bp.route("/login/code", methods=["GET", "POST"])
@page(public=True)
def code() -> tuple[str, int] | Response:
    """A wrong code is answered 200 and committed: it counts towards the account's wait and the
    client address's failure limit, as a wrong password does. A secret the server cannot
    decrypt is told in words (recovery codes, or an administrator's reset), never a 5xx; the
    account's wait does not grow, the address's failure limit counts it."""
    _ = current_user.is_authenticated  # look the visitor up before this request's transaction
    person = pending()
    if person is None:
        if cookie.pop(PENDING, None) is not None:
            flash("The time to type your code ran out. Log in again.", "info")
        return redirect(url_for("auth.login", next=request.args.get("next")))
    form = SecondStepForm()
    if form.validate_on_submit():
        try:
            found = two_step.complete_log_in(
                db(), person_id=person.id or 0, code=form.given, delays=delays()
            )
        except two_step.Unreadable as refused:  # the keys changed: not the person's doing
            limits.note_failed_login()
            flash(str(refused), "error")
            return render_template("two_step/code.html", form=form), 200
        if found is not None:
            person, how = found
            audit.record(
                db(), actor=person, action="auth.login", subject_type="person",
                subject_id=person.id, data={"second_step": how},
            )  # fmt: skip
            log_in(person)
            if how == "recovery":
                left = two_step.recovery_left(db(), person_id=person.id or 0)
                flash(
                    f"You used a recovery code; it will not work again. {left} are left. If "
                    "your phone is lost, turn two-step verification off and on again on your "
                    "account page: you get a new secret and new recovery codes.",
                    "info",
                )
            return redirect(safe_next(request.args.get("next")))
        limits.note_failed_login()
        flash(WRONG + " After several wrong codes you must wait a little to try again.", "error")
    return render_template("two_step/code.html", form=form), form.status


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG, scaled by the style sheet (``svg.qr``)."""
    drawn = segno.make(uri, error="m").svg_inline(
        scale=1, omitsize=True, svgclass="qr", lineclass=None, dark="#000", light="#fff",
        title="QR code for your authenticator app",
    )  # fmt: skip
    # segno's own markup: modules drawn as one path, and the title above (nothing of a person's
    # text appears in it as text)
    return Markup(drawn.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1))  # noqa: S704


@bp.route("/account/two-step", methods=["GET", "POST"])
@page()
def settings() -> tuple[str, int] | Response:
    me = actor()
    on_form, off_form = TwoStepOnForm(prefix="on"), TwoStepOffForm(prefix="off")
    codes: list[str] | None = None
    if on_form.turn_on.data and on_form.validate_on_submit():
        with errors_on(on_form):
            codes = two_step.turn_on(
                db(), actor=me, secret=str(cookie.get(SETUP, "")), code=on_form.code.data or ""
            )
            cookie.pop(SETUP, None)
            cookie.pop(REQUIRED, None)
    if off_form.turn_off.data and off_form.validate_on_submit():
        with errors_on(off_form):
            two_step.turn_off(
                db(),
                actor=me,
                code=off_form.given,
                password=off_form.password.data or "",
                staff_rule=bool(current_app.config.get("REQUIRE_TWO_STEP_FOR_STAFF")),
            )
            flash("Two-step verification is off: you log in with your password alone.", "info")
            return redirect(url_for("two_step.settings"))
        if wrong_answer(off_form, "password", "code"):  # as a failed log-in
            wrong_answer_given(me.id)
    person = db().get(Person, me.id)
    assert person is not None
    on = codes is not None or two_step.is_on(db(), person_id=me.id)
    secret = str(cookie.get(SETUP, ""))
    if not on and not two_step.is_secret(secret):
        secret = cookie[SETUP] = two_step.new_secret()
    issuer = str(current_app.config["CENTRE_NAME"])
    qr = "" if on else qr_svg(two_step.setup_uri(secret, email=person.email, issuer=issuer))
    status = on_form.status if on_form.status != 200 else off_form.status
    return render_template(
        "two_step/settings.html",
        on=on,
        codes=codes,
        required=setup_required(),
        left=two_step.recovery_left(db(), person_id=me.id) if on else 0,
        secret=two_step.grouped(secret) if not on else "",
        qr=qr,
        on_form=on_form,
        off_form=off_form,
    ), status
