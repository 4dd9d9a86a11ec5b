"""Health check for load balancers and the README's first look: the database answers, its schema
is current, and a file can be written to (and removed from) the file store."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from delivery.schema import schema_state
from delivery.web.context import extension, file_store
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
    # a small file written to the file store and removed again: uploads fail when this does
    try:
        store_error = file_store().problem()
    except Exception as exc:  # noqa: BLE001 - a store that cannot even be made is unhealthy
        store_error = f"{type(exc).__name__}: {exc}"
    ok = bool(schema["up_to_date"]) and store_error is None
    body: dict[str, object] = {
        "status": "ok" if ok else "error",
        "database": True,
        "schema": schema,
        "files": store_error is None,
    }
    if store_error is not None:
        body["files_error"] = store_error
    return jsonify(body), 200 if ok else 503
