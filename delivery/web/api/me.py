"""``GET /api/v1/me``: who the token acts for, with which roles and scopes (a client's first call:
a learner's own id, for their evidence)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields as f

from delivery.web.api import problems
from delivery.web.api.handler import authenticate, operation

bp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="The token's person.")
problems.on(bp)


class Me(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)
    roles = f.List(f.String(), required=True)
    scopes = f.List(f.String(), required=True)
    token_id = f.Integer(required=True)


@bp.route("/me")
@operation("read")
@bp.response(200, Me)
def me() -> dict[str, Any]:
    """Who the token acts for

    The person's id, name and roles now, and the token's scopes."""
    bearer = authenticate()
    return {
        "id": bearer.actor.id,
        "name": bearer.actor.name,
        "roles": sorted(bearer.actor.roles),
        "scopes": sorted(bearer.scopes),
        "token_id": bearer.token_id,
    }
