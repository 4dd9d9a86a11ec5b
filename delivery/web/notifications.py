"""The person's own notifications: a list, marking one or all read, the bell in the header; the
e-mail they choose for each kind (on their account page), and the one-click unsubscribe link of
every notification e-mail, which works without logging in."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from delivery.web.auth import local_path
from delivery.web.context import actor, db
from delivery.web.forms import PageForm
from delivery.web.handler import page
from portfolio.errors import Invalid, NotFound
from portfolio.services import notice_mail, notifications

bp = Blueprint("notifications", __name__)


class ReadForm(PageForm):
    """A button: no fields but the CSRF token."""


def _back() -> Response:
    """Back to the page of the list the form was on: its ``page`` field is taken only as a
    page number (digits), anything else is the first page; the address is built here, never
    taken from the form, so it cannot lead off the list."""
    value = request.form.get("page", "")
    page = int(value) if value.isascii() and value.isdigit() and len(value) < 9 else 1
    if page > 1:
        return redirect(url_for("notifications.index", page=page))
    return redirect(url_for("notifications.index"))


@bp.route("/notifications", endpoint="index")
@page()
def index() -> str:
    """A page of the person's notifications, newest first; "Next page" leads to older ones."""
    shown = notifications.page_for(
        db(), actor=actor(), page=request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "notifications.html", rows=shown.rows, paged=shown, form=ReadForm(formdata=None)
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@page()
def read(notification_id: int) -> Response:
    """Mark one read and go where it points (a path on this site), else back to the page of
    the list it was on."""
    if not ReadForm().validate_on_submit():
        return _back()
    row = notifications.mark_read(db(), actor=actor(), notification_id=notification_id)
    # a path on this site only (the one check log-in's "next" has): never "/\\host" or the like
    return redirect(row.link) if local_path(row.link) else _back()


@bp.route("/notifications/read-all", methods=["POST"])
@page()
def read_all() -> Response:
    if ReadForm().validate_on_submit():
        notifications.mark_all_read(db(), actor=actor())
    return _back()


@bp.route("/account/notifications", methods=["POST"])
@page()
def choose() -> Response:
    """The e-mail choices of the account page: one per kind the person's roles may bring."""
    if ReadForm().validate_on_submit():
        me = actor()
        modes = {
            k: request.form[f"mail-{k}"]
            for k in notifications.kinds_for(me)
            if f"mail-{k}" in request.form  # a kind left out stays as it was
        }
        notifications.set_preferences(db(), actor=me, modes=modes)
        flash("Your e-mail choices are saved.", "success")
    return redirect(url_for("account.settings", _anchor="email"))


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@page(public=True)
def unsubscribe(token: str) -> tuple[str, int] | str:
    """GET asks (a mail scanner opening the link changes nothing); POST stops the e-mail, from
    the page's button or the mail program's one-click unsubscribe. Exempt from the CSRF check
    (delivery.web.register): the signed token is the permission (RFC 8058)."""
    try:
        if request.method == "POST":
            person, what = notice_mail.unsubscribe(db(), secret=_secret(), value=token)
            return render_template("unsubscribed.html", done=True, person=person, what=what)
        person, what = notice_mail.what_token_stops(db(), secret=_secret(), value=token)
    except (Invalid, NotFound):
        return render_template("unsubscribed.html", invalid=True), 404
    return render_template("unsubscribed.html", done=False, person=person, what=what)
