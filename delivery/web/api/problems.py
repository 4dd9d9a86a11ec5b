"""Errors of the JSON API as ``application/problem+json`` (RFC 9457): ``type``, ``title``,
``status`` and ``detail``, and for a refused input the fields at fault (``errors``: one entry per
field, ``field`` and ``detail``). Every refusal of a service (PermissionDenied, NotFound, Invalid,
Conflict, Unavailable), of the token (401, 403 for a missing scope), of the request itself (400,
404, 405, 413, 415, 422 from the schemas, 429) comes back in this one shape."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

import flask
from flask import Blueprint, current_app, json, request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from delivery.web.words import centre_zone
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied, Unavailable
from portfolio.services.files import TooLarge, is_store_fault

MEDIA_TYPE = "application/problem+json"
PREFIX = "/api/v1"
TYPES = "/api/v1/problems/"  # a problem's ``type``: this and its slug (docs/api.md lists them)
INVALID_TITLE = "Cannot do that"  # one title per type (RFC 9457): the schema's 422 and a rule's

SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid",
    429: "too-many-requests",
    500: "server-error",
    503: "unavailable",
}


class Unauthorized(Exception):
    """No token, or one that does not work (401)."""


class MissingScope(Exception):
    """The token works but lacks the scope this operation needs (403)."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"This token lacks the scope “{scope}” that this operation needs.")
        self.scope = scope


class NotJson(Exception):
    """A body an operation that reads JSON cannot read: sent as form fields, text... (415)."""

    def __init__(self, mimetype: str) -> None:
        sent = f"as {mimetype}" if mimetype else "with no Content-Type"
        super().__init__(
            f"The body is sent {sent}, but this operation reads JSON: send the fields as one "
            "JSON object, with Content-Type: application/json."
        )


def wants_problem() -> bool:
    """Whether this request is one of the API's (answered in problem+json, never a page)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPES + SLUGS.get(status, "error"),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow/webargs messages ({location: {field: [text]}} or {field: [text]}) as a flat
    list of {field, detail}; the location (json, query, files) is left out."""
    found: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key)
            if not prefix and name in ("json", "query", "form", "files", "headers", "path"):
                found.extend(field_errors(value, ""))
            else:
                found.extend(field_errors(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(messages, list | tuple):
        for value in messages:
            if isinstance(value, dict | list | tuple):
                found.extend(field_errors(value, prefix))
            else:
                found.append({"field": prefix or "(request)", "detail": str(value)})
    else:
        found.append({"field": prefix or "(request)", "detail": str(messages)})
    return found


def http_problem(exc: HTTPException) -> Response:
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    headers = dict(data.get("headers") or {})
    if code == 429:
        detail = (
            "Too many requests with this token. Wait as long as Retry-After says, then try again."
        )
        return problem(429, detail, headers=headers)
    if code == 400 and isinstance(messages, dict) and set(messages) == {"json"}:
        return _not_json(getattr(exc, "exc", None))
    if code == 405:
        headers["Allow"] = ", ".join(exc.valid_methods or [])  # type: ignore[attr-defined]
    if messages:
        return problem(
            code,
            "The request does not match the operation's schema.",
            title=INVALID_TITLE if code == 422 else None,
            errors=field_errors(messages),
            headers=headers,
        )
    detail = exc.description or HTTPStatus(code).phrase
    return problem(code, str(detail), headers=headers)


@contextmanager
def request_fields(**names: str) -> Iterator[None]:
    """A service's refusal naming its own field (the page's: ``criterion``) names the request's
    instead (``criterion_ids``), so a client's ``errors`` point at what it sent."""
    try:
        yield
    except Invalid as exc:
        if exc.field not in names:
            raise
        raise Invalid(str(exc), field=names[exc.field]) from exc


def _not_json(cause: object) -> Response:
    """webargs could not read the body as JSON (cut short, or form fields sent as JSON)."""
    where = f" ({cause})" if isinstance(cause, ValueError) else ""
    detail = (
        f"The body is not valid JSON{where}: send the fields as one JSON object, with "
        "Content-Type: application/json."
    )
    return _body_problem(400, detail, "Bad request")


def _body_problem(status: int, detail: str, title: str) -> Response:
    """A body the operation cannot read at all, named as the field at fault: ``(body)``."""
    return problem(status, detail, title=title, errors=[{"field": "(body)", "detail": detail}])


def _invalid(exc: Invalid) -> Response:
    errors = [{"field": exc.field, "detail": str(exc)}] if exc.field else None
    return problem(422, str(exc), title=INVALID_TITLE, errors=errors)


def _store(exc: Exception) -> Response:
    if not is_store_fault(exc):
        raise exc
    return problem(503, "The server's storage is full or cannot be written to. Nothing was saved.")


HANDLERS: list[tuple[Any, Any]] = [
    (Unauthorized, lambda e: problem(
        401, str(e), headers={"WWW-Authenticate": 'Bearer realm="portfolio"'}
    )),
    (MissingScope, lambda e: problem(
        403, str(e), title="Insufficient scope",
        headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{e.scope}"'},
    )),
    (PermissionDenied, lambda e: problem(403, e.said_in(centre_zone()), title="Not allowed")),
    (NotFound, lambda e: problem(404, str(e), title="Not found")),
    (TooLarge, lambda e: problem(413, str(e), title="File too large")),
    (NotJson, lambda e: _body_problem(415, str(e), "Send JSON")),
    (Invalid, _invalid),
    (Conflict, lambda e: problem(409, str(e), title="Changed by someone else")),
    (Unavailable, lambda e: problem(503, str(e), title="Could not save")),
    (OSError, _store),
    (HTTPException, http_problem),
]  # fmt: skip


class BodyParser(FlaskParser):
    """webargs' parser of a JSON body, which also answers a body nested too deeply for Python's
    JSON reader (thousands of ``[``: a RecursionError, a server error) as one it cannot read."""

    def load_json(self, req: flask.Request, schema: Any) -> Any:
        try:
            return super().load_json(req, schema)
        except RecursionError:
            deep = ValueError("its arrays and objects are nested too deeply")
            return self._handle_invalid_json_error(deep, req)  # type: ignore[arg-type]


BODY_PARSER = BodyParser()


def on(blueprint: Blueprint) -> None:
    """Answer every error raised in ``blueprint``'s operations as a problem; read its bodies
    with :class:`BodyParser` (set before its operations declare their arguments)."""
    blueprint.ARGUMENTS_PARSER = BODY_PARSER  # type: ignore[attr-defined]
    for exc, handler in HANDLERS:
        blueprint.register_error_handler(exc, handler)
