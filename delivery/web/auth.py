"""Log-in and log-out, and who the browser's session cookie belongs to.

Flask-Login keeps ``<token>.<tag>`` in the signed cookie (see :mod:`portfolio.services.logins`):
a server-side session, never anything of the password hash. Log-out ends that session on the
server, so a copy of the cookie stops working too."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from delivery.web import limits, second_step
from delivery.web.context import db, extension
from delivery.web.forms import LoginForm
from delivery.web.handler import SAFE_METHODS, page
from portfolio.models import Person
from portfolio.services import audit, logins, two_step
from portfolio.services.actors import Actor
from portfolio.services.people import Delays, authenticate

bp = Blueprint("auth", __name__)

# anything but a plain local path: control characters (CR, LF, tab...), backslashes, spaces
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
_LINE_BREAK = re.compile(r"[\r\n]")  # a header split: refused outright (400), never followed


class LoggedIn:
    """What Flask-Login keeps for a request: the actor, their session's cookie value and, when
    the look-up counted them, their unread notifications (None: count them when asked)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, actor: Actor, cookie: str, unread: int | None = None) -> None:
        self.actor = actor
        self.cookie = cookie
        self.unread = unread

    def get_id(self) -> str:
        return self.cookie


def load_user(cookie: str) -> LoggedIn | None:
    """The person whose live session the cookie names (Flask-Login's user loader)."""
    idle = timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    if request.method in SAFE_METHODS:
        # read in the request's own session (no second connection a request); "last seen",
        # due once a minute, is written by resume in its own transaction, as below, once the
        # request's read-only one has let go (it then reads what resume wrote)
        found, due = logins.peek(db(), cookie=cookie, idle=idle)
        if not due:
            return LoggedIn(found.actor, cookie, found.unread) if found else None
        db().rollback()
    # a writer's request takes the write lock at its first statement (SQLite): the visitor is
    # looked up, and "last seen" written, in a transaction of its own before that
    found = logins.resume(extension().session_factory, cookie=cookie, idle=idle)
    return LoggedIn(found.actor, cookie) if found else None


def log_in(person: Person) -> None:
    """Begin a server-side session for ``person`` and give this browser its cookie; the session
    this browser had before (someone else's, perhaps) ends, and any two-step state with it."""
    before = current_user._get_current_object()
    if isinstance(before, LoggedIn):
        logins.end(db(), cookie=before.cookie)
    second_step.forget()
    # a new form token too: one given before (to whoever had the browser, or planted with a
    # cookie by someone who fetched it first) sends no form of the person now logged in
    field = str(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    cookie.pop(field, None)
    g.pop(field, None)
    login_user(LoggedIn(Actor.of(person), logins.start(db(), person=person)))


def log_out() -> None:
    """End the session this browser holds, whoever's it is: on the server (a copy of the cookie
    stops working too), in the cookie, and any two-step state with it."""
    user = current_user._get_current_object()
    if isinstance(user, LoggedIn):
        logins.end(db(), cookie=user.cookie)
    logout_user()
    second_step.forget()


def local_path(target: str | None) -> bool:
    """Whether ``target`` is a plain path on this site, safe to redirect to: it starts with one
    "/" and has no second one after it, no backslash (a browser reads "/\\host" as "//host",
    another site), no control character, space or CR/LF (a header split), no scheme
    ("javascript:") and no host. The one check of every address taken from elsewhere (log-in's
    ``next``, a notification's link)."""
    if not target or _UNSAFE.search(target) or not target.startswith("/") or target[1:2] == "/":
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the home page: never another site, never
    a header split by CR/LF (those were a 500 before)."""
    return target if target and local_path(target) else url_for("home.index")


def delays() -> Delays:
    """The waits of an account after failed log-ins, from the configuration."""
    conf = current_app.config
    return Delays(
        after=int(conf["LOGIN_DELAY_AFTER"]),
        first=int(conf["LOGIN_DELAY_SECONDS"]),
        longest=int(conf["LOGIN_DELAY_MAX_SECONDS"]),
    )


def wrong_answer_given(person_id: int) -> None:
    """A wrong password or code given again on an account page (after :func:`errors_on` rolled
    the page's transaction back): it counts towards the client address's failure limit, and
    towards the account's wait as a failed log-in does, written in a transaction of its own, as
    the page answers 422 and commits nothing, so a stolen session guessing from many addresses
    meets the account's wait."""
    limits.note_failed_login()
    two_step.count_failure(extension().session_factory, person_id=person_id, delays=delays())


@bp.route("/login", methods=["GET", "POST"])
@page(public=True)
def login() -> tuple[str, int] | Response:
    """A failed attempt is answered 200 and committed too: it counts towards the account's wait
    and the client address's failure limit."""
    _ = current_user.is_authenticated  # look the visitor up before this request's transaction
    if _LINE_BREAK.search(request.args.get("next", "")):
        abort(400, "The address to go to after logging in is not valid: it holds a line break.")
    form = LoginForm()
    if form.validate_on_submit():
        session = db()
        person = authenticate(
            session,
            email=form.email.data or "",
            password=form.password.data or "",
            delays=delays(),
        )
        if person is not None and two_step.is_on(session, person_id=person.id or 0):
            return second_step.begin(person)  # the session begins once their code is right
        if person is not None:
            audit.record(
                session,
                actor=person,
                action="auth.login",
                subject_type="person",
                subject_id=person.id,
            )
            log_in(person)
            if second_step.require_setup(person):  # the centre's rule, for staff without it
                return redirect(url_for("two_step.settings"))
            return redirect(safe_next(request.args.get("next")))
        limits.note_failed_login()
        flash(
            "That e-mail and password do not match an active account. After several failed "
            "attempts an account can only be tried again after a short wait.",
            "error",
        )
    return render_template("login.html", form=form), form.status


@bp.route("/logout", methods=["POST"])
@page()
def logout() -> Response:
    log_out()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
