"""An invitation to set one's password, for a person an administrator added: a set-your-password
link on the reset mechanism (:mod:`portfolio.services.resets`: single use, only a hash of its token
kept) that works for :data:`LIFETIME`, with words of welcome naming the centre and the person's
roles. The caller e-mails it once its transaction has committed. "Invite again" is refused within
:data:`AGAIN_AFTER` of the last link, so a double click or an impatient administrator sends one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, PasswordReset, Person
from portfolio.models.base import utcnow
from portfolio.services import audit, resets
from portfolio.services.actors import Actor
from portfolio.words import local

LIFETIME = timedelta(days=7)
AGAIN_AFTER = timedelta(minutes=5)


def invite(session: Session, *, actor: Actor, person_id: int) -> tuple[Person, str]:
    """A new invitation link's token for the person (an administrator's act, audited)."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator invites people.")
    person = session.get(Person, person_id)
    if person is None or person.id is None:
        raise NotFound("No such person.")
    if person.removed_at is not None or not person.active or not person.email:
        raise Invalid(f"{person.name} cannot log in: no invitation is sent.")
    latest = session.exec(
        select(func.max(PasswordReset.created_at)).where(PasswordReset.person_id == person.id)
    ).one()
    now = utcnow()
    if latest is not None and now - _aware(latest) < AGAIN_AFTER:
        raise Invalid(
            f"A link was sent to {person.name} moments ago: wait a few minutes before "
            "inviting them again."
        )
    token = resets.new_link(session, person_id=person.id, lifetime=LIFETIME)
    audit.record(
        session, actor=actor, action="person.invited", subject_type="person", subject_id=person.id
    )
    return person, token


def _aware(when: datetime) -> datetime:
    """SQLite gives back naive times: they were written in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def invited_on(session: Session, person_id: int, *, zone: ZoneInfo) -> date | None:
    """The day the person was last invited, in the centre's ``zone`` (one statement, on the
    trail's subject index)."""
    when = session.exec(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.subject_type == "person",
            AuditEntry.subject_id == person_id,
            AuditEntry.action == "person.invited",
        )
    ).one()
    return local(when, zone).date() if when is not None else None


def message(*, name: str, centre: str, roles: str, link: str) -> tuple[str, str]:
    """The invitation's subject and body."""
    body = (
        f"Hello {name},\n\n"
        f"Welcome to the competence portfolio of {centre}. An administrator has added you ("
        f"{roles}). To choose your password and log in, open this link:\n\n"
        f"{link}\n\n"
        f"The link works once, for {LIFETIME.days} days. If it has expired, ask your centre's "
        "administrator to invite you again.\n"
    )
    return f"Your account at {centre}: set your password", body
