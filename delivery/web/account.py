"""A person's own account: change the password, see and end their sessions, make and revoke
personal access tokens for the API; and the password reset by an e-mailed link for people who cannot log in."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from delivery.web import limits
from delivery.web.auth import delays, log_in, log_out, wrong_answer_given
from delivery.web.context import actor, db
from delivery.web.forms import (
    ChangePasswordForm,
    ConfirmSignInForm,
    ForgotPasswordForm,
    LogoutEverywhereForm,
    NewPasswordForm,
    RevokeTokenForm,
    TokenForm,
    errors_on,
    status_of,
    wrong_answer,
)
from delivery.web.handler import page
from delivery.web.outbox import reset_link, send_later
from delivery.web.words import centre_zone
from portfolio.models.notification import KINDS, MODES
from portfolio.services import logins, notifications, people, resets, two_step
from portfolio.services import tokens as api_tokens

bp = Blueprint("account", __name__)

SENT = (
    "If that address belongs to an account, we have sent it a link to set a new password. "
    "The link works once, for {minutes} minutes. Check your spam folder if it does not arrive."
)


@bp.route("/account", methods=["GET", "POST"])
@page()
def settings() -> tuple[str, int] | Response:
    me = actor()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with errors_on(form):
            person = people.change_own_password(
                db(), actor=me, current=form.current.data or "", new=form.password.data or ""
            )
            log_in(person)  # every session ended; this browser goes on in a new one
            flash("Your password is changed. You are logged out everywhere else.", "success")
            return redirect(url_for("account.settings"))
        if wrong_answer(form, "current"):  # a wrong current password counts as a failed log-in does
            wrong_answer_given(me.id)
    idle = timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    return render_template(
        "account/settings.html",
        form=form,
        everywhere=LogoutEverywhereForm(formdata=None),
        sessions=logins.open_sessions(db(), person_id=me.id, idle=idle),
        idle_minutes=int(idle.total_seconds() // 60),
        mail_choices=notifications.preferences(db(), actor=me),
        kinds=KINDS,
        modes=MODES,
        mail_on=bool(current_app.config.get("MAIL_HOST")),
    ), form.status


@bp.route("/account/logout-everywhere", methods=["POST"])
@page()
def logout_everywhere() -> Response:
    logins.log_out_everywhere(db(), actor=actor())
    logout_user()
    flash("You have logged out on every device and browser.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@page()
def tokens() -> tuple[str, int] | Response:
    """The person's API tokens; a new one's secret is shown here once, never again. Making one
    needs a recent sign-in: after 15 minutes the page asks for the password again (the
    ``confirm-`` form), and a code or a recovery code with it when two-step verification is on,
    before it offers the token form."""
    me = actor()
    login = _login()
    offered = api_tokens.scopes_for(me.roles)
    with_code = two_step.is_on(db(), person_id=me.id)
    confirm = ConfirmSignInForm(prefix="confirm")
    confirm.needs_code = with_code
    if confirm.submit.data:
        if confirm.validate_on_submit():
            with errors_on(confirm):
                how = two_step.confirm_sign_in(
                    db(), actor=me, login=login, password=confirm.password.data or "",
                    code=confirm.given if with_code else "", delays=delays(),
                )  # fmt: skip
                flash("Thank you: you can make a token for the next 15 minutes.", "success")
                if how == "recovery":
                    left = two_step.recovery_left(db(), person_id=me.id)
                    flash(f"You used a recovery code; it will not work again. {left} are left.",
                          "info")  # fmt: skip
                return redirect(url_for("account.tokens"))
        if wrong_answer(confirm, "password", "code"):  # counts as a failed log-in does
            wrong_answer_given(me.id)
        form = TokenForm(formdata=None, scopes=offered)
    else:
        form = TokenForm(scopes=offered)
        confirm = ConfirmSignInForm(formdata=None, prefix="confirm")
        confirm.needs_code = with_code
    made = None
    if not confirm.submit.data and form.validate_on_submit():
        with errors_on(form):
            made = api_tokens.create(
                db(),
                actor=me,
                person_id=me.id,
                name=form.name.data or "",
                scopes=form.scopes.data or [],
                days=form.days.data,
                login=login,
            )
            form = TokenForm(formdata=None, scopes=offered)
    recent = logins.signed_in_recently(db(), login=login, person_id=me.id)
    rows = api_tokens.list_for(db(), actor=me)
    zone = centre_zone()
    return render_template(
        "account/tokens.html",
        form=form,
        made=made,
        rows=[
            (
                t,
                api_tokens.state(t),
                api_tokens.state_words(t, zone),
                RevokeTokenForm(formdata=None, row=t.id),
            )
            for t in rows
        ],  # fmt: skip
        scopes=offered,
        scope_words=api_tokens.SCOPES,
        recent=recent,
        confirm=confirm,
    ), status_of(form, confirm)


def _login() -> str | None:
    """The cookie value of this browser's session (the services check it is the actor's)."""
    user = current_user._get_current_object()
    return getattr(user, "cookie", None)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@page()
def revoke_token(token_id: int) -> Response:
    token = api_tokens.revoke(db(), actor=actor(), token_id=token_id)
    flash(f"The token {token.name} is revoked: it no longer works.", "info")
    return redirect(url_for("account.tokens"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@page(public=True)
def forgot() -> tuple[str, int] | Response:
    _ = current_user.is_authenticated  # look the visitor up before this request's transaction
    lifetime = timedelta(minutes=int(current_app.config["PASSWORD_RESET_MINUTES"]))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        limits.note_reset_request()
        found = resets.request_link(db(), email=form.email.data or "", lifetime=lifetime)
        if found is not None:
            person, token = found
            link = reset_link(token)
            if link is not None:
                subject, body = resets.message(name=person.name, link=link, lifetime=lifetime)
                send_later(person.email, subject, body)
        minutes = int(lifetime.total_seconds() // 60)
        flash(SENT.format(minutes=minutes), "info")
        return redirect(url_for("auth.login"))
    return render_template("account/forgot.html", form=form), form.status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@page(public=True)
def reset(token: str) -> tuple[str, int] | Response:
    _ = current_user.is_authenticated  # look the visitor up before this request's transaction
    if not resets.link_works(db(), token=token):
        return _expired()
    form = NewPasswordForm()
    if form.validate_on_submit():
        with errors_on(form):
            resets.complete(db(), token=token, password=form.password.data or "")
            # the session this browser held ends as at log-out, even someone else's (the
            # person's own sessions all ended with the new password)
            log_out()
            flash("Your new password is set. Log in with it.", "success")
            return redirect(url_for("auth.login"))
    return render_template("account/reset.html", form=form), form.status


def _expired() -> tuple[str, int]:
    return render_template("account/expired.html", message=resets.EXPIRED), 410
