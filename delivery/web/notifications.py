"""The person's own notifications: a list, marking one or all read, and the count in the header."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from delivery.web.context import actor, db
from delivery.web.forms import PageForm
from delivery.web.handler import page
from portfolio.services import notifications

bp = Blueprint("notifications", __name__)


class ReadForm(PageForm):
    """A button: no fields but the CSRF token."""


@bp.route("/notifications", endpoint="index")
@page()
def index() -> str:
    rows = notifications.list_for(db(), actor=actor())
    return render_template("notifications.html", rows=rows, form=ReadForm(formdata=None))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@page()
def read(notification_id: int) -> Response:
    """Mark one read and go where it points (a path on this site), else back to the list."""
    if not ReadForm().validate_on_submit():
        return redirect(url_for("notifications.index"))
    row = notifications.mark_read(db(), actor=actor(), notification_id=notification_id)
    local = row.link.startswith("/") and not row.link.startswith("//")
    return redirect(row.link if local else url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@page()
def read_all() -> Response:
    if ReadForm().validate_on_submit():
        notifications.mark_all_read(db(), actor=actor())
    return redirect(url_for("notifications.index"))
