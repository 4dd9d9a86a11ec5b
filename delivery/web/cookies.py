"""The browser's signed session cookie, checked once rather than on every request.

A browser sends the same cookie with request after request; Flask checks its signature (a key
derivation and an HMAC), then inflates and parses it, every time: a tenth of a page's fixed cost.
:class:`RememberingSessions` keeps what it found in the cookies it checked last, by their exact
text, so a cookie seen before is not checked again. What it keeps obeys the same rules as a
fresh check: a cookie older than the sessions' lifetime is refused, a new secret key (or a
fallback key taken away) means every cookie is checked again, and a session holding a changeable
value (a list of flashed messages) is never kept (its value could be changed in place)."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

KEPT = 4096  # cookies remembered; all forgotten at once when full
_PLAIN = (str, int, float, bool, type(None))


class RememberingSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, remembering the cookies already checked (one app's)."""

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], tuple[dict[str, Any], float]] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        text = request.cookies.get(self.get_cookie_name(app))
        if not text or not app.secret_key:
            return super().open_session(app, request)
        key = (text, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._known.get(key)
        if known is not None and time.time() - known[1] <= max_age:
            return self.session_class(known[0])  # a copy: the request may change its session
        signer = self.get_signing_serializer(app)
        assert signer is not None  # there is a secret key
        try:
            data, signed = signer.loads(text, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
            if len(self._known) >= KEPT:
                self._known.clear()
            self._known[key] = (data, signed.timestamp())
        return self.session_class(data)
