"""Rate limits (Flask-Limiter): per client address on the log-in (both steps), password-reset and witness forms
(and, for wrong passwords and codes, on the account pages that ask for them again), per
token on the JSON API (and, per token, on its requests to a witness as on the witness form); their numbers from the
configuration. Counts are kept in Redis when ``PORTFOLIO_REDIS_URL`` is
set (shared by every worker process), in memory otherwise. A refused request is answered 429
with a ``Retry-After`` header (and only a refused one: the limiter would put it on every answer).

Behind a reverse proxy every request comes from the proxy's address: set
``PORTFOLIO_PROXY_HOPS`` to the number of proxies so that Werkzeug's ``ProxyFix`` takes the
client's address from ``X-Forwarded-For`` (trusting only that many hops)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

LOG_IN = ("auth.login", "two_step.code")  # the password, and the code of two-step verification
# the account pages that ask for the password (or a code) again: changing the password, the
# password given again before making an API token, turning two-step verification off. Their
# wrong answers count in the log-in's failure limit, so a session taken over cannot guess there.
# Past the limit only the POSTs that check the password or code are refused: the button each
# page's form of them sends (None: every POST of the page is that form). The pages' other forms
# (turning two-step on, with a code of the new secret the page shows; making a token once the
# password was given) check nothing to guess and go on working
PASSWORD_AGAIN: dict[str, str | None] = {
    "account.settings": None,  # its only form changes the password (e-mail choices post elsewhere)
    "account.tokens": "confirm-submit",  # ConfirmSignInForm(prefix="confirm"), not TokenForm
    "two_step.settings": "off-turn_off",  # TwoStepOffForm(prefix="off"), not the "on-" form
}
WITNESS_API = "api_witness.ask_witness"


def init_app(app: Flask) -> None:
    """Give ``app`` its own limiter (its own counts) and put the limits on their views; call it
    once the blueprints are registered."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config.setdefault("RATELIMIT_STORAGE_URI", _storage(app)),
        key_prefix=app.config.setdefault("RATELIMIT_KEY_PREFIX", "portfolio"),
        headers_enabled=True,
    )
    # every log-in attempt from one address, and (against password spraying) its failed ones;
    # the password and the second step's code (two-step verification) count together
    attempts = limiter.shared_limit(
        lambda: _setting("LOGIN_RATE_LIMIT"), methods=["POST"], scope="login-attempts"
    )
    failures = limiter.shared_limit(
        lambda: _setting("LOGIN_FAILURE_LIMIT"), methods=["POST"], scope="login-failures",
        deduct_when=_failed,
    )  # fmt: skip
    for endpoint in LOG_IN:
        _on(app, endpoint, attempts)
        _on(app, endpoint, failures)
    # past the limit, their forms checking a password or code are refused as log-in is: the
    # same count (a shared limit's scope names its count), not the pages' other forms
    asked_again = limiter.shared_limit(
        lambda: _setting("LOGIN_FAILURE_LIMIT"), methods=["POST"], scope="login-failures",
        deduct_when=_failed, exempt_when=_checks_no_password,
    )  # fmt: skip
    for endpoint in PASSWORD_AGAIN:
        _on(app, endpoint, asked_again)
    # the JSON API: every operation, counted per token (delivery.web.api.handler.rate_key)
    from delivery.web.api import RESOURCES
    from delivery.web.api.handler import rate_key

    for module in RESOURCES:
        limiter.limit(lambda: _setting("API_RATE_LIMIT"), key_func=rate_key, scope="api")(module.bp)
    # requests that could send an e-mail (a well-formed address)
    _on(app, "account.forgot", limiter.limit(
        lambda: _setting("PASSWORD_RESET_RATE_LIMIT"), methods=["POST"], scope="password-reset",
        deduct_when=_reset_requested,
    ))  # fmt: skip
    # asking a witness (it sends an e-mail) and the witness's answer through the link
    for endpoint in ("evidence.witness_ask", "witness.answer"):
        _on(app, endpoint, limiter.limit(
            lambda: _setting("WITNESS_RATE_LIMIT"), methods=["POST"], scope=endpoint,
        ))  # fmt: skip
    # and through the API, counted per token (beside the API's own limit)
    _on(app, WITNESS_API, limiter.limit(
        lambda: _setting("WITNESS_RATE_LIMIT"), key_func=rate_key, methods=["POST"],
        scope=WITNESS_API,
    ))  # fmt: skip
    # the limiter's after-request hook runs last of the app's (its own, and any other) and
    # sets Retry-After on every answer it counts, a 200 too; only a refusal says when to retry
    app.after_request_funcs.setdefault(None, []).insert(0, _retry_after_only_when_refused)
    if not any(app.config.get(f"RATELIMIT_{key}") for key in ("DEFAULT", "APPLICATION", "META")):
        _only_where_limited(
            app,
            limiter,
            {
                *LOG_IN,
                *PASSWORD_AGAIN,
                "account.forgot",
                "evidence.witness_ask",
                "witness.answer",
                WITNESS_API,
            },
            {m.bp.name for m in RESOURCES},
        )


def _only_where_limited(
    app: Flask, limiter: Limiter, endpoints: set[str], blueprints: set[str]
) -> None:
    """Run the limiter's request hooks only for the views it limits: with no limit for every
    request (no ``RATELIMIT_DEFAULT``, ``_APPLICATION`` or ``_META``), its look-ups on every
    other page find nothing, at a cost paid by every request."""

    def applies() -> bool:
        return request.endpoint in endpoints or request.blueprint in blueprints

    def before(hook: Any) -> Callable[[], Any]:
        return lambda: hook() if applies() else None

    def after(hook: Any) -> Callable[[Response], Response]:
        return lambda response: hook(response) if applies() else response

    def teardown(hook: Any) -> Callable[[Any], Any]:
        return lambda exc: hook(exc) if applies() else None

    def ours(hook: Any) -> bool:  # a bound method of the limiter, or a partial given it
        return getattr(hook, "__self__", None) is limiter or (
            isinstance(hook, partial) and limiter in hook.args
        )

    lists: list[tuple[dict[Any, list[Any]], Callable[[Any], Any]]] = [
        (app.before_request_funcs, before),
        (app.after_request_funcs, after),
        (app.teardown_request_funcs, teardown),
    ]
    for hooks, guard in lists:
        found = hooks.get(None, [])
        found[:] = [guard(hook) if ours(hook) else hook for hook in found]


def _retry_after_only_when_refused(response: Response) -> Response:
    """Drop ``Retry-After`` from an answer that is neither 429 (too many requests) nor 503
    (unavailable): Flask-Limiter adds it, with the X-RateLimit-* counts, to every answer of a
    limited view. Registered first of the app's after-request hooks, so it runs last."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def _on(app: Flask, endpoint: str, limit: Any) -> None:
    """Wrap the view of ``endpoint`` in ``limit``, as the ``@limiter.limit`` decorator would (a
    limiter made per app cannot decorate at import time)."""
    app.view_functions[endpoint] = limit(app.view_functions[endpoint])


def _storage(app: Flask) -> str:
    """Redis when configured, so that every worker process shares the counts; memory otherwise.
    An app made for tests (TESTING) counts in memory, its own, unless told otherwise: counts
    left in a shared Redis by one test must not refuse another's log-ins."""
    redis_url = app.config.get("REDIS_URL")
    return str(redis_url) if redis_url and not app.testing else "memory://"


def wait_words() -> str:
    """How long the client refused now must wait, in words ("about 3 minutes")."""
    reset_at = max(
        (limit.reset_at for limiter in current_app.extensions.get("limiter", ())
         if (limit := limiter.current_limit) is not None and limit.breached),
        default=None,
    )  # fmt: skip
    if reset_at is None:
        return "a few minutes"
    seconds = max(1, int(reset_at - time.time()))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"about {round(seconds / 60)} minutes"


def _setting(key: str) -> str:
    return str(current_app.config[key])


def note_failed_login() -> None:
    """Mark this request as a failed log-in: it counts towards the per-address failure limit
    (on the views of :data:`LOG_IN` and :data:`PASSWORD_AGAIN`)."""
    g.login_failed = True


def _failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


def _checks_no_password() -> bool:
    """Whether this POST of an account page (:data:`PASSWORD_AGAIN`) is one of its forms that
    check no password or code: its form's button is not the one of the form that does, read as
    the form reads it (WTForms takes an empty value, or ``false``, as not pressed)."""
    button = PASSWORD_AGAIN.get(request.endpoint or "")
    return button is not None and request.form.get(button, "") in ("", "false")


def note_reset_request() -> None:
    """Mark this request as a (well-formed) request for a password-reset e-mail."""
    g.reset_requested = True


def _reset_requested(_response: Response) -> bool:
    return bool(g.get("reset_requested"))
