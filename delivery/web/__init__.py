"""The web layer: the only code that imports Flask."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_login import LoginManager, current_user
from markupsafe import Markup
from sqlalchemy.exc import OperationalError

from delivery.web import (
    account,
    auth,
    badges,
    exports,
    frameworks,
    health,
    icon,
    jobs,
    leap2a,
    limits,
    marking,
    notifications,
    plans,
    two_step,
    witness,
    words,
)
from delivery.web.admin import (
    breaks,  # noqa: F401 - its routes are on the admin blueprint
    bundles,  # noqa: F401 - its route is on the admin blueprint
    centre,  # noqa: F401 - its routes are on the admin blueprint
    cohorts,  # noqa: F401 - its routes are on the admin blueprint
)
from delivery.web.admin import lti as admin_lti  # noqa: F401 - its route is on the admin blueprint
from delivery.web.admin import privacy as admin_privacy
from delivery.web.admin import reallocation as admin_reallocation  # noqa: F401 - its route is on the admin blueprint
from delivery.web.admin import trail as admin_trail  # noqa: F401 - its routes are on the admin blueprint
from delivery.web.admin import views as admin
from delivery.web.admin import withdrawals as admin_withdrawals  # noqa: F401 - its routes are on the admin blueprint
from delivery.web.api.problems import http_problem, problem, wants_problem
from delivery.web.context import db
from delivery.web.coverage import caseload_views as caseload
from delivery.web.coverage import views as coverage
from delivery.web.evidence import (  # noqa: F401 - routes on the evidence blueprint
    comments,
    deciding,
    discarding,
    editor,
)
from delivery.web.evidence import views as evidence
from delivery.web.evidence import witness as witness_ask  # noqa: F401 - route on evidence
from delivery.web.forms import field_attrs
from delivery.web.home import views as home
from delivery.web.iqa import views as iqa
from delivery.web.lti import views as lti
from delivery.web.nav import nav_for
from delivery.web.words import centre_zone
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied, Unavailable
from portfolio.markdown import render_markdown
from portfolio.services.files import TooLarge, is_store_fault
from portfolio.services.notifications import unread_count

# Each page module has a Blueprint ``bp``; add a module here to mount it.
BLUEPRINT_MODULES = (
    auth,
    account,
    health,
    icon,
    home,
    evidence,
    admin,
    admin_privacy,
    frameworks,
    coverage,
    caseload,
    marking,
    exports,
    leap2a,
    iqa,
    notifications,
    jobs,
    badges,
    lti,
    witness,
    plans,
    two_step,
)


def register(app: Flask, login: LoginManager) -> None:
    login.user_loader(auth.load_user)

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(module.bp)
    # one click from a notification e-mail, without logging in: its signed token is the permission
    app.extensions["csrf"].exempt("delivery.web.notifications.unsubscribe")

    @app.context_processor
    def _nav() -> dict[str, Any]:
        user: Any = current_user
        if not user.is_authenticated:
            return {"nav_items": [], "unread_notifications": lambda: 0}
        known = getattr(user, "unread", None)  # counted with the log-in's look-up (a GET)
        return {
            "nav_items": nav_for(user.actor),
            "unread_notifications": (
                (lambda: known)
                if known is not None
                else lambda: unread_count(db(), actor=user.actor)
            ),
        }

    app.add_template_global(field_attrs)
    words.register(app)

    @app.template_filter("markdown")
    def _markdown(text: str) -> Markup:
        return render_markdown(text)

    @app.after_request
    def _headers(response: Any) -> Any:
        # each one unless the view set its own: one pass over the headers, not eight
        given = {name.lower() for name, _value in response.headers.items()}
        for name, lowered, value in SECURITY_HEADERS:
            if lowered not in given:
                response.headers.add(name, value)
        if "cache-control" not in given:  # pages hold personal data: never kept (a download
            response.headers.add("Cache-Control", "no-store")  # or static file says its own)
        if app.config.get("ENV") == "production" and "strict-transport-security" not in given:
            response.headers.add(*HSTS)  # the TLS proxy serves it: HTTPS only (docs/deploy.md)
        return response

    _register_error_pages(app)


def _register_error_pages(app: Flask) -> None:
    # The generic page, for failures that are not a form's: a form view shows a refusal of its
    # service call on the form itself (delivery.web.forms.errors_on).
    def _error(code: int, title: str, message: str, kept: Any = ()) -> Any:
        if wants_problem():  # an address under /api/v1 that no operation answered
            return problem(code, message, title=title)
        html = render_template("error.html", code=code, title=title, message=message, kept=kept)
        return html, code

    def _out_of_order(exc: Exception) -> Any:
        """Storage full or not writable (the file store's disk, the database's): 503 in plain
        words, and the text the person sent shown back so that it is not lost."""
        if not is_store_fault(exc):
            raise exc
        return _error(503, "Could not save", str(STORE_MESSAGE), _kept_input())

    app.register_error_handler(  # an EQA's access ended: the day in this app's time zone
        PermissionDenied, lambda e: _error(403, "Not allowed", e.said_in(centre_zone()))
    )
    app.register_error_handler(NotFound, lambda e: _error(404, "Not found", str(e)))
    app.register_error_handler(TooLarge, lambda e: _error(413, "File too large", str(e)))
    app.register_error_handler(Invalid, lambda e: _error(422, "Cannot do that", str(e)))
    app.register_error_handler(Conflict, lambda e: _error(409, "Changed by someone else", str(e)))
    app.register_error_handler(
        Unavailable, lambda e: _error(503, "Could not save", str(e), _kept_input())
    )
    app.register_error_handler(OSError, _out_of_order)
    app.register_error_handler(OperationalError, _out_of_order)
    app.register_error_handler(
        403, lambda e: _error(403, "Not allowed", "You may not see or change this.")
    )
    app.register_error_handler(404, lambda e: _error(404, "Not found", "There is nothing here."))
    app.register_error_handler(
        413,
        lambda e: _error(
            413,
            "File too large",
            f"Uploads may be at most {app.config['MAX_UPLOAD_MB']} MB. Nothing was saved.",
        ),
    )

    def _bad_request(exc: Any) -> Any:
        if wants_problem() and getattr(exc, "data", None):  # the API's reading of the body
            return http_problem(exc)
        return _error(400, "Bad request", getattr(exc, "description", "Bad request."))

    app.register_error_handler(400, _bad_request)
    app.register_error_handler(405, lambda e: http_problem(e) if wants_problem() else e)
    app.register_error_handler(
        429,
        lambda e: _error(
            429,
            "Too many attempts",
            "There have been too many attempts from your connection. Wait "
            f"{limits.wait_words()}, then try again.",
        ),
    )


SECURITY_HEADERS = tuple(
    (name, name.lower(), value)
    for name, value in (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        # no page uses these (evidence comes as uploaded files, no page takes photos or sound):
        # refused to the site and to anything an injected page could load
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), display-capture=(), payment=(), "
            "usb=(), serial=(), hid=(), midi=(), accelerometer=(), gyroscope=(), "
            "magnetometer=(), browsing-topics=()",
        ),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ),
    )
)
# production is reached through a TLS proxy only (a year; subdomains are the centre's own affair)
HSTS = ("Strict-Transport-Security", "max-age=31536000")
STORE_MESSAGE = (
    "Your changes could not be saved: the server's storage is full or cannot be written to. "
    "Nothing was saved. Please try again later, and tell your centre's administrator."
)
SECRET_FIELDS = frozenset({"csrf_token", "password", "new_password", "confirm", "current_password"})


def _kept_input() -> list[tuple[str, str]]:
    """The text fields of the request's form (no secrets, no empty ones), to show back."""
    if request.method in ("GET", "HEAD"):
        return []
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if value.strip() and name not in SECRET_FIELDS and "password" not in name
    ]
