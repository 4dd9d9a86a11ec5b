"""What this browser holds of two-step verification between requests, in its signed cookie.

After the right password, a person with two-step verification on is not logged in yet: the
cookie holds who passed the first step, when, and a tag under their session secret (a password
change or "log out everywhere" voids it), for :data:`PENDING_SECONDS`; their session begins once
their code is right (``delivery.web.two_step.code``). A secret being set up is kept here, not in
the database, until a code of it is confirmed. Under the centre's rule
(``PORTFOLIO_REQUIRE_TWO_STEP_FOR_STAFF``) a member of staff without it is marked at log-in, and
every page sends them to turn it on until they have (``delivery.web.handler``)."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, redirect, request, url_for
from flask import session as cookie
from werkzeug.wrappers import Response

from delivery.web.context import db
from portfolio.models import Person
from portfolio.services import two_step

PENDING = "two_step_pending"  # who passed the password step: {"id", "at", "tag"}
SETUP = "two_step_setup"  # the secret being set up, until a code of it is confirmed
REQUIRED = "two_step_required"  # the centre's rule: this member of staff must turn it on first
PENDING_SECONDS = 300


def _tag(person: Person, at: int) -> str:
    message = f"two-step:{person.id}:{at}".encode()
    return hmac.new(person.session_secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def begin(person: Person) -> Response:
    """The password was right and the person has two-step verification on: ask for the code."""
    at = int(time.time())
    cookie[PENDING] = {"id": person.id, "at": at, "tag": _tag(person, at)}
    return redirect(url_for("two_step.code", next=request.args.get("next")))


def require_setup(person: Person) -> bool:
    """At log-in: under the centre's rule, whether ``person`` must turn it on before anything
    else (then every page sends them to it until they have)."""
    obliged = bool(current_app.config.get("REQUIRE_TWO_STEP_FOR_STAFF")) and two_step.must_set_up(
        db(), person=person
    )
    if obliged:
        cookie[REQUIRED] = True
    return obliged


def setup_required() -> bool:
    """Whether this browser's person must still turn two-step verification on (the page
    handler sends them to it)."""
    return bool(cookie.get(REQUIRED))


def forget() -> None:
    """Forget every two-step state of this browser (a new log-in, a log-out)."""
    for key in (PENDING, SETUP, REQUIRED):
        cookie.pop(key, None)


def pending() -> Person | None:
    data = cookie.get(PENDING)
    if not isinstance(data, dict):
        return None
    pid, at, tag = data.get("id"), data.get("at"), data.get("tag")
    if not isinstance(pid, int) or not isinstance(at, int) or not isinstance(tag, str):
        return None
    if not 0 <= time.time() - at <= PENDING_SECONDS:
        return None
    person = db().get(Person, pid)
    if person is None or not hmac.compare_digest(tag.encode(), _tag(person, at).encode()):
        return None
    return person
