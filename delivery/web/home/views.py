"""The home page: what each role should look at first."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from delivery.web.context import actor, db
from delivery.web.handler import page
from delivery.web.home import dashboard

bp = Blueprint("home", __name__)

# (label, endpoint) of the administrator's pages, shown once the endpoint exists
ADMIN_LINKS = (
    ("People", "admin.people"),
    ("Cohorts", "admin.cohorts"),
    ("Registrations", "admin.registrations"),
    ("Frameworks", "frameworks.index"),
)


@bp.route("/")
@page()
def index() -> str:
    me = actor()
    panels = dashboard.home(db(), actor=me)
    admin_links = [
        (label, url_for(endpoint))
        for label, endpoint in ADMIN_LINKS
        if me.has("admin") and endpoint in current_app.view_functions
    ]
    return render_template("home.html", me=me, panels=panels, admin_links=admin_links)
