"""Password reset by an e-mailed link: single use, expiring; only a hash of its token is kept.

Asking for a link answers the same whether or not the address belongs to an account; accounts
that cannot log in (removed, inactive, or with no password set) get no link."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select, update

from portfolio.errors import Invalid
from portfolio.models import PasswordReset, Person
from portfolio.models.base import utcnow
from portfolio.services import audit, logins
from portfolio.services.actors import SYSTEM, Actor
from portfolio.services.people import normalise_email, replace_password

EXPIRED = "This link has expired or has already been used. Ask for a new one."


def request_link(session: Session, *, email: str, lifetime: timedelta) -> tuple[Person, str] | None:
    """A new link's token for the account with this address, or None when there is none that
    can log in (the caller answers the same either way)."""
    person = session.exec(
        select(Person).where(func.lower(Person.email) == normalise_email(email))
    ).first()
    if person is None or person.id is None or not logins.can_log_in(person):
        return None
    token = new_link(session, person_id=person.id, lifetime=lifetime)
    audit.record(
        session,
        actor=SYSTEM,
        action="person.password_reset_requested",
        subject_type="person",
        subject_id=person.id,
    )
    return person, token


def new_link(session: Session, *, person_id: int, lifetime: timedelta) -> str:
    """Store a new link for the person (a hash of its token) and give its token; the caller
    decides who may have one and records why (a reset asked for, an invitation)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordReset(
            token_hash=logins.digest(token),
            person_id=person_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def _live(session: Session, token: str) -> tuple[PasswordReset, Person] | None:
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == logins.digest(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    person = session.get(Person, row.person_id)
    # an invitation (portfolio.services.invitations) is for someone with no password yet: the
    # account need only be active and not removed; a reset is only ever sent to one with one
    if person is None or not person.active or person.removed_at is not None:
        return None
    return row, person


def link_works(session: Session, *, token: str) -> bool:
    return _live(session, token) is not None


def complete(session: Session, *, token: str, password: str) -> Person:
    """Set the new password through the link; the link (and any other of the person's) is used
    up and all the person's sessions end."""
    found = _live(session, token)
    if found is None:
        raise Invalid(EXPIRED)
    row, person = found
    # the link used up first, by a write that only one of two requests using it at once can make
    # (PostgreSQL: the second waits for the first and then finds it used)
    claimed = session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.id) == row.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Invalid(EXPIRED)
    replace_password(session, person, password)  # uses up the person's other links too
    audit.record(
        session,
        actor=Actor.of(person),
        action="person.password_reset_by_link",
        subject_type="person",
        subject_id=person.id,
    )
    return person


def message(*, name: str, link: str, lifetime: timedelta) -> tuple[str, str]:
    """The e-mail's subject and body."""
    minutes = int(lifetime.total_seconds() // 60)
    body = (
        f"Hello {name},\n\n"
        "Someone (we hope you) asked to set a new password for your Competence Portfolio "
        "account. To choose one, open this link:\n\n"
        f"{link}\n\n"
        f"The link works once, for {minutes} minutes. If you did not ask for it, ignore this "
        "e-mail: your password stays as it is.\n"
    )
    return "Set a new password for your portfolio account", body
