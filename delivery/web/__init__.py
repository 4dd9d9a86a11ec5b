"""The web layer: the only code that imports Flask."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_login import LoginManager, current_user
from markupsafe import Markup

from delivery.web import auth, exports, frameworks, health, notifications
from delivery.web.admin import views as admin
from delivery.web.context import db
from delivery.web.coverage import caseload_views as caseload
from delivery.web.coverage import views as coverage
from delivery.web.evidence import views as evidence
from delivery.web.forms import field_attrs
from delivery.web.home import views as home
from delivery.web.iqa import views as iqa
from delivery.web.nav import nav_for
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.markdown import render_markdown
from portfolio.models import Person
from portfolio.services.files import TooLarge
from portfolio.services.notifications import unread_count

# Each page module has a Blueprint ``bp``; add a module here to mount it.
BLUEPRINT_MODULES = (
    auth,
    health,
    home,
    evidence,
    admin,
    frameworks,
    coverage,
    caseload,
    exports,
    iqa,
    notifications,
)


class LoggedIn:
    """What Flask-Login keeps for a request: the actor, not a live database row."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, person: Person) -> None:
        from portfolio.services.people import Actor

        self.actor = Actor.of(person)
        self.session_token = person.password_hash[-16:]

    def get_id(self) -> str:
        return f"{self.actor.id}:{self.session_token}"


def register(app: Flask, login: LoginManager) -> None:
    @login.user_loader
    def _load(user_id: str) -> LoggedIn | None:
        ident, _, token = user_id.partition(":")
        if not ident.isdigit():
            return None
        person = db().get(Person, int(ident))
        if person is None or not person.active or person.removed_at is not None:
            return None
        # a password reset logs out every other session
        if person.password_hash[-16:] != token:
            return None
        return LoggedIn(person)

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(module.bp)

    @app.context_processor
    def _nav() -> dict[str, Any]:
        user: Any = current_user
        if not user.is_authenticated:
            return {"nav_items": [], "unread_notifications": lambda: 0}
        return {
            "nav_items": nav_for(user.actor),
            "unread_notifications": lambda: unread_count(db(), actor=user.actor),
        }

    app.add_template_global(field_attrs)

    @app.template_filter("markdown")
    def _markdown(text: str) -> Markup:
        return render_markdown(text)

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        return response

    # The generic page, for failures that are not a form's: a form view shows a refusal of its
    # service call on the form itself (delivery.web.forms.errors_on).
    def _error(code: int, title: str, message: str) -> tuple[str, int]:
        return render_template("error.html", code=code, title=title, message=message), code

    app.register_error_handler(PermissionDenied, lambda e: _error(403, "Not allowed", str(e)))
    app.register_error_handler(NotFound, lambda e: _error(404, "Not found", str(e)))
    app.register_error_handler(TooLarge, lambda e: _error(413, "File too large", str(e)))
    app.register_error_handler(Invalid, lambda e: _error(422, "Cannot do that", str(e)))
    app.register_error_handler(Conflict, lambda e: _error(409, "Changed by someone else", str(e)))
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
    app.register_error_handler(
        400, lambda e: _error(400, "Bad request", getattr(e, "description", "Bad request."))
    )
