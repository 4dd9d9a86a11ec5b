"""The one shape of every API operation: a bearer token, its scope, then the page handler.

``@operation("read")`` puts an operation through :func:`delivery.web.handler.page` (one commit
after an unsafe request that succeeded, a rollback otherwise, writers waiting their turn, NUL
characters refused) after authenticating the request by its ``Authorization: Bearer`` header
alone: a session cookie never authenticates the API, so the API needs no CSRF token and a page
open in a browser cannot be made to call it. The token acts as its person with the roles they
have now; the services check what that person may see and do, exactly as for the pages."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from delivery.web.api import checking
from delivery.web.api.problems import MissingScope, NotJson, Unauthorized
from delivery.web.context import extension
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.errors import PermissionDenied
from portfolio.services import tokens
from portfolio.services.actors import Actor
from portfolio.words import day_words, local

F = TypeVar("F", bound=Callable[..., Any])
ERRORS = {
    "401": "UNAUTHORIZED",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "429": "TOO_MANY_REQUESTS",
}


def _secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> tokens.Bearer:
    """The token this request carries, or Unauthorized (401)."""
    found: tokens.Bearer | None = g.get("api_bearer")
    if found is not None:
        return found
    secret = _secret()
    if secret is None:
        raise Unauthorized(
            "This API needs a personal access token: send it as 'Authorization: Bearer <token>'. "
            "Make one on Your account, then API tokens (/account/tokens)."
        )
    found = tokens.resolve(extension().session_factory, secret=secret)
    if found is None:
        raise Unauthorized(_refused(secret))
    g.api_bearer = found
    return found


MAKE_ONE = "Make a new one on Your account, then API tokens (/account/tokens)."


def _refused(secret: str) -> str:
    """Why the token sent does not work, in words, and what to do."""
    why, when = tokens.refusal(extension().session_factory, secret=secret)
    if why in ("expired", "revoked") and when is not None:
        day = day_words(local(when, centre_zone()).date())
        return f"This token {'expired' if why == 'expired' else 'was revoked'} on {day}. {MAKE_ONE}"
    if why == "inactive":
        return (
            "This token's person can no longer use the site (their account was deactivated or "
            "removed), so neither can their tokens: ask the centre's administrator."
        )
    return (
        "The token is not one this site gave out (check that it was copied whole, from "
        f"'pat_' on), or it was deleted. {MAKE_ONE}"
    )


def api_actor() -> Actor:
    """Who the request's token acts for (once :func:`operation` has authenticated it)."""
    return authenticate().actor


def rate_key() -> str:
    """What the API's rate limit counts by: the token (by a hash of what was sent, so that it
    is known before the database is asked), or the client's address when there is none."""
    secret = _secret()
    if secret is None:
        return "addr:" + get_remote_address()
    return "token:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[:32]


def _not_json_body() -> bool:
    """Whether the request sends a body that is not JSON (form fields, text...): webargs would
    read it as no fields at all, refusing each required one as missing and letting an
    operation whose fields are all optional go ahead. No body at all is read as ``{}``."""
    if request.is_json:
        return False
    return bool(request.mimetype or request.content_length)


def operation(scope: str) -> Callable[[F], F]:
    """Mark a view as an API operation needing ``scope``: bearer token, scope, one commit."""
    if scope not in tokens.SCOPES:
        raise ValueError(f"unknown scope {scope}")

    def wrap(view: F) -> F:
        doc = deepcopy(getattr(view, "_apidoc", {}))
        reads_json = any(
            p.get("in") == "json" for p in doc.get("arguments", {}).get("parameters", [])
        )

        @wraps(view)
        def authorised(*args: Any, **kwargs: Any) -> Any:
            bearer = authenticate()
            if scope not in bearer.scopes:
                raise MissingScope(scope)
            if reads_json and _not_json_body():
                raise NotJson(request.mimetype)
            answer = view(*args, **kwargs)
            if current_app.testing:  # every answer checked against the document in tests
                checking.check(answer)
            return answer

        handled: Any = page(public=True)(authorised)
        handled.page_access = f"api token with scope {scope}"
        handled.api_scope = scope
        manual = doc.setdefault("manual_doc", {})
        manual.setdefault("security", [{"bearerAuth": [scope]}])
        responses = manual.setdefault("responses", {})
        for status, name in ERRORS.items():
            responses.setdefault(status, name)
        if reads_json:
            responses.setdefault("415", "UNSUPPORTED_MEDIA_TYPE")
        handled._apidoc = doc
        return handled  # type: ignore[no-any-return]

    return wrap


def require_role(role: str) -> Actor:
    """The token's person, who must hold ``role`` now (as ``@page(role)`` requires of a page)."""
    actor = api_actor()
    if not actor.has(role):
        raise PermissionDenied(f"Only people with the {role} role may do this.")
    return actor
