"""Health checks. ``/healthz``: the process answers (liveness; touches nothing else, so a database
outage does not get every web process restarted). ``/readyz``: ready for traffic (the database
answers, its schema is current, a file can be written to and removed from the file store, and
Redis answers when it is configured)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from delivery.schema import schema_state
from delivery.web.context import extension, file_store
from delivery.web.handler import page

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@page(public=True)
def healthz() -> tuple[Response, int]:
    return jsonify(status="ok"), 200


@bp.route("/readyz")
@page(public=True)
def readyz() -> tuple[Response, int]:
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
    redis_error = _redis_problem(current_app.config.get("REDIS_URL"))
    ok = bool(schema["up_to_date"]) and store_error is None and redis_error is None
    body: dict[str, object] = {
        "status": "ok" if ok else "error",
        "database": True,
        "schema": schema,
        "files": store_error is None,
    }
    if store_error is not None:
        body["files_error"] = store_error
    if current_app.config.get("REDIS_URL"):
        body["redis"] = redis_error is None
    if redis_error is not None:
        body["redis_error"] = redis_error
    return jsonify(body), 200 if ok else 503


def _redis_problem(url: str | None) -> str | None:
    """None when Redis answers (or none is configured), else why not."""
    if not url:
        return None
    from redis import Redis

    try:
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"{type(exc).__name__}: {exc}"
    return None
