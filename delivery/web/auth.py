"""Log-in and log-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from delivery.web.context import db
from delivery.web.forms import LoginForm
from delivery.web.handler import page
from portfolio.services import audit
from portfolio.services.people import authenticate

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@page(public=True)
def login() -> tuple[str, int] | Response:
    """A failed attempt is answered 200 and committed too: it counts towards the lock-out."""
    form = LoginForm()
    if form.validate_on_submit():
        session = db()
        person = authenticate(
            session,
            email=form.email.data or "",
            password=form.password.data or "",
            max_failures=int(current_app.config["LOGIN_MAX_FAILURES"]),
            lock_minutes=int(current_app.config["LOGIN_LOCK_MINUTES"]),
        )
        if person is not None:
            audit.record(
                session,
                actor=person,
                action="auth.login",
                subject_type="person",
                subject_id=person.id,
            )
            from delivery.web import LoggedIn

            login_user(LoggedIn(person))
            return redirect(_safe_next(request.args.get("next")))
        flash(
            "That e-mail and password do not match an active account, or the account is "
            "locked for a while after repeated failures.",
            "error",
        )
    return render_template("login.html", form=form), form.status


@bp.route("/logout", methods=["POST"])
@page()
def logout() -> Response:
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
