"""Log-in sessions kept on the server.

The browser's cookie holds ``<token>.<tag>``: a random token naming a :class:`LoginSession` row
(the row keeps only its SHA-256) and an HMAC of the token under the person's session secret.
Nothing of the password hash is in it. A session stops working when it is ended (log-out, "log
out everywhere", a password change), when it has been idle too long, or when the person's session
secret changes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select, update

from portfolio.errors import Invalid
from portfolio.models import LoginSession, Notification, Person
from portfolio.models.base import utcnow
from portfolio.models.people import new_session_secret, roles_of
from portfolio.services import audit
from portfolio.services.actors import Actor
from portfolio.services.passwords import verify_password

# how often a session's "last seen" time is written, at most: not a write per request
TOUCH_EVERY = timedelta(minutes=1)
# how long a person's ended (or long unused) sessions are kept, for "where you were logged in"
KEEP = timedelta(days=30)
# how long a sign-in (a log-in, a VLE launch, or the password given again) counts as recent for
# what a taken-over session must not do alone: making an API token ("sudo mode")
RECENT = timedelta(minutes=15)
NOT_RECENT = (
    "Give your password again to make a token: you signed in more than 15 minutes ago. "
    "If you open the portfolio from your VLE, open it from the VLE again instead."
)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _tag(secret: str, token: str) -> str:
    return hmac.new(secret.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def can_log_in(person: Person | None) -> bool:
    """Active, not removed, and with a password set: an account without one never logs in."""
    return person is not None and _may_log_in(
        person.active, person.removed_at, person.password_hash
    )


def _may_log_in(active: bool, removed_at: datetime | None, password_hash: str | None) -> bool:
    return bool(active and removed_at is None and password_hash)


def start(session: Session, *, person: Person) -> str:
    """Begin a session for ``person`` (already authenticated); the value for their cookie."""
    assert person.id is not None
    if not can_log_in(person):
        raise ValueError("this account cannot log in")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    _forget_old(session, person_id=person.id, before=now - KEEP)
    session.add(
        LoginSession(
            token_hash=digest(token), person_id=person.id, created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return f"{token}.{_tag(person.session_secret, token)}"


def _forget_old(session: Session, *, person_id: int, before: datetime) -> None:
    """Delete the person's sessions that ended, or were last used, before ``before``."""
    session.exec(
        delete(LoginSession).where(
            col(LoginSession.person_id) == person_id,
            or_(col(LoginSession.ended_at) < before, col(LoginSession.last_seen_at) < before),
        )
    )


def _row(session: Session, cookie: str) -> LoginSession | None:
    token, _, _tag_given = cookie.partition(".")
    if not token:
        return None
    return session.exec(
        select(LoginSession).where(LoginSession.token_hash == digest(token))
    ).first()


@dataclass(frozen=True)
class Resumed:
    actor: Actor
    session_id: int
    unread: int | None = None  # their unread notifications, when read with the session (peek)


def resume(make_session: Callable[[], Session], *, cookie: str, idle: timedelta) -> Resumed | None:
    """Who the cookie's session belongs to, or None once it has ended (it may end here, when it
    was idle longer than ``idle``). Runs in its own short transaction, committed only when it
    wrote: "last seen" is written at most once a minute, not on every request."""
    with make_session() as session:
        found, wrote = _resume(session, cookie=cookie, idle=idle)
        if wrote:
            session.commit()
    return found


def peek(session: Session, *, cookie: str, idle: timedelta) -> tuple[Resumed | None, bool]:
    """What :func:`resume` would answer, read in ``session`` without writing, and whether it
    would write (its "last seen" is due, or it ends the session as idle): then call
    :func:`resume` instead. One plain row, no ORM objects: this runs on every request; the same
    statement counts the person's unread notifications (every page's header shows them)."""
    token, _, tag = cookie.partition(".")
    if not token:
        return None, False
    found: Any = session.connection().execute(_PEEK, {"digest": digest(token)}).first()
    if found is None:
        return None, False
    sid, ended, seen, pid, name, roles, active, removed, hashed, secret, unread = found
    if ended is not None or not _may_log_in(active, removed, hashed):
        return None, False
    if not hmac.compare_digest(tag.encode(), _tag(secret, token).encode()):
        return None, False
    if utcnow() - seen >= min(TOUCH_EVERY, idle):
        return None, True
    return Resumed(Actor(id=pid, name=name, roles=roles_of(roles)), sid, int(unread)), False


_PEEK = (
    sa_select(
        col(LoginSession.id),
        col(LoginSession.ended_at),
        col(LoginSession.last_seen_at),
        col(Person.id),
        col(Person.name),
        col(Person.roles),
        col(Person.active),
        col(Person.removed_at),
        col(Person.password_hash),
        col(Person.session_secret),
        sa_select(func.count())
        .select_from(Notification)
        .where(col(Notification.person_id) == Person.id, col(Notification.read_at).is_(None))
        .scalar_subquery(),
    )
    .join(Person, col(Person.id) == LoginSession.person_id)
    .where(col(LoginSession.token_hash) == bindparam("digest"))
)


def _resume(session: Session, *, cookie: str, idle: timedelta) -> tuple[Resumed | None, bool]:
    token, _, tag = cookie.partition(".")
    if not token:
        return None, False
    found = session.exec(  # one statement per request: the session and its person
        select(LoginSession, Person)
        .join(Person, col(Person.id) == LoginSession.person_id)
        .where(LoginSession.token_hash == digest(token))
    ).first()
    if found is None:
        return None, False
    row, person = found
    if row.ended_at is not None or row.id is None or not can_log_in(person):
        return None, False
    if not hmac.compare_digest(tag.encode(), _tag(person.session_secret, token).encode()):
        return None, False
    now = utcnow()
    if now - row.last_seen_at > idle:
        _end(session, row, "idle", now)
        return None, True
    wrote = now - row.last_seen_at >= TOUCH_EVERY
    if wrote:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return Resumed(Actor.of(person), row.id), wrote


def _live(session: Session, *, login: str | None, person_id: int) -> LoginSession | None:
    """The live session the cookie value ``login`` names, when it is ``person_id``'s (its tag
    under their session secret is right and the person may log in); None otherwise."""
    token, _, tag = (login or "").partition(".")
    if not token:
        return None
    found = session.exec(
        select(LoginSession, Person)
        .join(Person, col(Person.id) == LoginSession.person_id)
        .where(LoginSession.token_hash == digest(token))
    ).first()
    if found is None:
        return None
    row, person = found
    if row.ended_at is not None or person.id != person_id or not can_log_in(person):
        return None
    if not hmac.compare_digest(tag.encode(), _tag(person.session_secret, token).encode()):
        return None
    return row


def signed_in_recently(session: Session, *, login: str | None, person_id: int) -> bool:
    """Whether the live session ``login`` (the browser's cookie value) is ``person_id``'s and
    began, or had the password given again, less than :data:`RECENT` ago. A VLE launch begins
    a new session, so a recent launch counts."""
    row = _live(session, login=login, person_id=person_id)
    if row is None:
        return False
    signed = max(row.created_at, row.confirmed_at or row.created_at)
    return utcnow() - signed < RECENT


def waiting_words(person: Person, now: datetime | None = None) -> str | None:
    """While the account waits after repeated failed log-ins (``locked_until``), the refusal of
    the account pages that ask for the password or a code again, as log-in tries none then: the
    wait in words. None once it is over."""
    now = now or utcnow()
    if person.locked_until is None or person.locked_until <= now:
        return None
    seconds = int((person.locked_until - now).total_seconds()) + 1
    wait = (
        f"{seconds} second{'s' if seconds != 1 else ''}"
        if seconds < 90
        else (f"about {-(-seconds // 60)} minutes")
    )
    return (
        f"Too many wrong passwords or codes were given for your account: wait {wait}, "
        "then try again."
    )


def password_again(
    session: Session, *, actor: Actor, login: str | None, password: str
) -> LoginSession:
    """The first half of giving the password again for a recent sign-in: the live session
    ``login`` of the actor, whose ``password`` is right. Only
    :func:`portfolio.services.two_step.confirm_sign_in` calls it, which asks a person with
    two-step verification on for a code as well, then calls :func:`confirmed`."""
    row = _live(session, login=login, person_id=actor.id)
    person = session.get(Person, actor.id)
    if row is None or person is None:
        raise Invalid(NOT_RECENT + " Log in again.")
    if (wait := waiting_words(person)) is not None:  # no password is tried while it waits
        raise Invalid(wait, field="password")
    if not verify_password(person.password_hash, password):
        raise Invalid("That is not your password.", field="password")
    return row


def confirmed(
    session: Session, *, actor: Actor, row: LoginSession, second_step: str | None = None
) -> None:
    """The session ``row`` counts as a recent sign-in for :data:`RECENT` from now (recorded in
    the audit trail, ``auth.confirm``, with how the second step was passed when it was asked)."""
    row.confirmed_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="auth.confirm", subject_type="person", subject_id=actor.id,
        data={"second_step": second_step} if second_step else None,
    )  # fmt: skip


def _end(session: Session, row: LoginSession, why: str, now: datetime) -> None:
    row.ended_at = now
    row.ended_why = why
    session.add(row)
    session.flush()


def end(session: Session, *, cookie: str) -> None:
    """Log-out: the session ends; the cookie (and any copy of it) no longer works."""
    row = _row(session, cookie)
    if row is not None and row.ended_at is None:
        _end(session, row, "logout", utcnow())


def end_all(session: Session, *, person: Person, why: str = "everywhere") -> int:
    """End every session of ``person`` and give them a new session secret; how many ended."""
    person.session_secret = new_session_secret()
    session.add(person)
    result = session.exec(
        update(LoginSession)
        .where(col(LoginSession.person_id) == person.id, col(LoginSession.ended_at).is_(None))
        .values(ended_at=utcnow(), ended_why=why)
    )
    session.flush()
    return int(result.rowcount or 0)


def log_out_everywhere(session: Session, *, actor: Actor) -> int:
    """The actor ends every one of their own sessions (recorded in the audit trail)."""
    person = session.get(Person, actor.id)
    if person is None:
        return 0
    ended = end_all(session, person=person)
    audit.record(
        session,
        actor=actor,
        action="auth.logout_everywhere",
        subject_type="person",
        subject_id=person.id,
        data={"sessions": ended},
    )
    return ended


def open_sessions(session: Session, *, person_id: int, idle: timedelta) -> list[LoginSession]:
    """The person's sessions that still work, most recently used first."""
    query = (
        select(LoginSession)
        .where(
            LoginSession.person_id == person_id,
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.last_seen_at) >= utcnow() - idle,
        )
        .order_by(col(LoginSession.last_seen_at).desc())
    )
    return list(session.exec(query))
