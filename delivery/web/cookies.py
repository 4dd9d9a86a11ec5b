"""The browser's signed session cookie, checked once rather than on every request.

A browser sends the same cookie with request after request; Flask checks its signature (a key
derivation and an HMAC), then inflates and parses it, every time: a tenth of a page's fixed cost.
:class:`RememberingSessions` keeps what it found in the cookies it checked last, by their exact
text, so a cookie seen before is not checked again. What it keeps obeys the same rules as a
fresh check: a cookie older than the sessions' lifetime is refused, a new secret key (or a
fallback key taken away) means every cookie is checked again, and a session holding a changeable
value (a list of flashed messages) is never kept (its value could be changed in place).

:func:`remember_form_tokens` does the same for the form token every page's log-out button
carries: signed once per session rather than on every page (the tokens never expire,
``WTF_CSRF_TIME_LIMIT`` is None, so an earlier signature of the same token is as good).

In production every cookie's name starts ``__Host-`` (:func:`host_only`): a browser keeps such a
cookie only when it is ``Secure``, on ``Path=/`` and without ``Domain``, so no other site of the
centre's domain (a sibling subdomain) can plant a cookie of that name or overwrite ours, as it
could with ``Domain=.example.org``. Outside production (plain http) the names are the plain
ones: a browser refuses a ``__Host-`` cookie that is not ``Secure``."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, current_app, g, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

KEPT = 4096  # cookies remembered; all forgotten at once when full
HOST_ONLY = "__Host-"
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


def host_only(name: str) -> str:
    """``name`` as this app names its cookie: with the ``__Host-`` prefix in production (the
    cookie must then be ``Secure``, on ``Path=/``, without ``Domain``), plain otherwise."""
    production = current_app.config.get("ENV") == "production"
    return HOST_ONLY + name if production else name


def host_only_cookies() -> dict[str, Any]:
    """Production's settings of Flask's session cookie and Flask-Login's remember cookie:
    ``__Host-`` names, on every path, for this host alone. No log-in is remembered (the
    remember cookie is never set), but Flask-Login reads a cookie of that name whenever the
    session names no one: it must be one no sibling subdomain could have set either."""
    return {
        "SESSION_COOKIE_NAME": HOST_ONLY + "session",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_NAME": HOST_ONLY + "remember_token",
        "REMEMBER_COOKIE_PATH": "/",
        "REMEMBER_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


def remember_form_tokens(app: Flask) -> None:
    """Templates' ``csrf_token()``: the signed token of this session's form token, signed once
    (per secret key) while tokens do not expire, else Flask-WTF's own on every call."""
    signed: dict[tuple[str, str], str] = {}

    def csrf_token() -> str:
        conf = current_app.config
        field = conf.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        raw = session.get(field)
        if field in g or not isinstance(raw, str) or conf.get("WTF_CSRF_TIME_LIMIT") is not None:
            return str(generate_csrf())
        key = (raw, str(conf.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key))
        token = signed.get(key)
        if token is None:
            token = signed[key] = str(generate_csrf())
            if len(signed) > KEPT:
                signed.clear()
        else:
            setattr(g, field, token)  # a form made later in the request carries the same
        return token

    # Flask-WTF offers its own both ways: as a global and from a context processor
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
