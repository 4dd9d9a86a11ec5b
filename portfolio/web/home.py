"""The home page: what each role should look at first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from portfolio.web.context import actor

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> str:
    return render_template("home.html", me=actor())
