"""The site's icon at ``/favicon.ico``, where browsers and feed readers ask for it unbidden (pages
name ``static/favicon.svg`` themselves, in ``base.html``). No database, no log-in."""

from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.wrappers import Response

from delivery.web.handler import page

bp = Blueprint("icon", __name__)


@bp.route("/favicon.ico")
@page(public=True)
def favicon() -> Response:
    response = current_app.send_static_file("favicon.svg")
    response.mimetype = "image/svg+xml"
    return response
