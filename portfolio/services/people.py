"""People, roles and log-in."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Person
from portfolio.models.base import utcnow
from portfolio.models.people import ROLES
from portfolio.services import audit
from portfolio.services.actors import SYSTEM as SYSTEM  # re-exported: callers import it from here
from portfolio.services.actors import Actor as Actor
from portfolio.services.passwords import hash_password, verify_password

NAME_MAX = 200  # Person.name
EMAIL_MAX = 320  # Person.email
# C0 and C1 controls, and the Unicode marks that reorder text or hide characters when shown
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def without_controls(text: str) -> str:
    """``text`` on one line, without the characters :func:`check_name` refuses (for text from
    outside that is kept as it is said, such as the name of another centre)."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def check_name(name: str) -> str:
    """A person's name as it is kept: stripped; :class:`Invalid` when empty, longer than
    ``NAME_MAX`` or holding control characters (anything that could fake a line or a layout)."""
    name = name.strip()
    if not name:
        raise Invalid("A name is required.")
    if len(name) > NAME_MAX:
        raise Invalid(f"A name may be at most {NAME_MAX} characters.")
    if _CONTROLS.search(name):
        raise Invalid("A name may not hold control characters.")
    return name


def check_email(email: str) -> str:
    """An e-mail address as it is kept: normalised; :class:`Invalid` when it is not one."""
    email = normalise_email(email)
    if "@" not in email or len(email) < 3:
        raise Invalid(f"'{email}' is not an e-mail address.")
    if len(email) > EMAIL_MAX or _CONTROLS.search(email) or any(c.isspace() for c in email):
        raise Invalid(f"{email!r} is not an e-mail address.")
    return email


def parse_roles(roles: str | list[str] | tuple[str, ...]) -> list[str]:
    items = roles.split(",") if isinstance(roles, str) else list(roles)
    chosen = sorted({r.strip().lower() for r in items if r.strip()})
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise Invalid(f"Unknown role(s): {', '.join(unknown)}. Roles are: {', '.join(ROLES)}.")
    if not chosen:
        raise Invalid("A person needs at least one role.")
    return chosen


def create_person(
    session: Session,
    *,
    actor: Actor,
    name: str,
    email: str,
    roles: str | list[str],
    password: str | None = None,
    site: str = "Main site",
) -> Person:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators create people.")
    name = check_name(name)
    email = check_email(email)
    exists = session.exec(select(Person.id).where(func.lower(Person.email) == email)).first()
    if exists is not None:
        raise Invalid(f"Someone with e-mail {email} already exists.")
    if password is not None and len(password) < 8:
        raise Invalid("A password needs at least 8 characters.")
    person = Person(
        name=name,
        email=email,
        roles=",".join(parse_roles(roles)),
        password_hash=hash_password(password) if password else "",
        site=site,
    )
    session.add(person)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="person.create",
        subject_type="person",
        subject_id=person.id,
        data={"email": email, "roles": person.roles},
    )
    return person


def set_password(session: Session, *, actor: Actor, person_id: int, password: str) -> None:
    if not (actor.has("admin") or actor.id == person_id):
        raise PermissionDenied("Only administrators reset other people's passwords.")
    if len(password) < 8:
        raise Invalid("A password needs at least 8 characters.")
    person = session.get(Person, person_id)
    if person is None:
        raise Invalid("No such person.")
    person.password_hash = hash_password(password)
    person.failed_logins = 0
    person.locked_until = None
    session.add(person)
    audit.record(
        session,
        actor=actor,
        action="person.password_reset",
        subject_type="person",
        subject_id=person_id,
    )


def list_people(session: Session, *, role: str | None = None) -> list[Person]:
    query = select(Person).where(col(Person.removed_at).is_(None)).order_by(col(Person.name))
    people = list(session.exec(query))
    return [p for p in people if role is None or p.has_role(role)]


def authenticate(
    session: Session, *, email: str, password: str, max_failures: int = 5, lock_minutes: int = 15
) -> Person | None:
    """The person whose credentials these are, or None. Repeated failures lock the account."""
    person = session.exec(
        select(Person).where(func.lower(Person.email) == normalise_email(email))
    ).first()
    now = utcnow()
    locked = person is not None and person.locked_until is not None and person.locked_until > now
    usable = person is not None and person.active and person.removed_at is None and not locked
    ok = verify_password(person.password_hash if usable and person else None, password)
    if person is None:
        return None
    if ok:
        person.failed_logins = 0
        person.locked_until = None
        session.add(person)
        return person
    if not locked:
        person.failed_logins += 1
        if person.failed_logins >= max_failures:
            person.locked_until = now + timedelta(minutes=lock_minutes)
            person.failed_logins = 0
        session.add(person)
    return None
