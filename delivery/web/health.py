"""Health check for load balancers and the README's first look."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from delivery.schema import schema_state
from delivery.web.context import extension
from delivery.web.handler import page

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@page(public=True)
def healthz() -> tuple[Response, int]:
    engine = extension().engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        schema = schema_state(engine)
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return jsonify(status="error", database=False, error=type(exc).__name__), 503
    ok = bool(schema["up_to_date"])
    body = {"status": "ok" if ok else "error", "database": True, "schema": schema}
    return jsonify(body), 200 if ok else 503
