"""People, roles and log-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, literal, or_
from sqlmodel import Session, col, select, update

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import LtiLink, PasswordReset, Person, TwoStep
from portfolio.models.base import utcnow
from portfolio.models.lti import STAFF_ROLES
from portfolio.models.people import ROLES
from portfolio.paging import Paged, clamp, past
from portfolio.services import audit, logins, registration_holds
from portfolio.services.actors import SYSTEM as SYSTEM  # re-exported: callers import it from here
from portfolio.services.actors import Actor as Actor
from portfolio.services.passwords import hash_password, verify_password

NAME_MAX = 200  # Person.name
EMAIL_MAX = 320  # Person.email
SITE_MAX = 200  # Person.site
# C0 and C1 controls, and the Unicode marks that reorder text or hide characters when shown
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Top-level names for mail inside a centre's own network (RFC 6762 .local; RFC 6761 .test and
# .localhost). email_validator refuses them as special-use whatever its options, so the rest of
# such an address is checked under a neutral name instead.
_INTERNAL_TOP = ("local", "test", "localhost")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def first_control(text: str) -> str | None:
    """The first character of ``text`` that :func:`without_controls` would take out, if any."""
    found = _CONTROLS.search(text)
    return found.group() if found else None


def without_controls(text: str) -> str:
    """``text`` on one line, without the characters :func:`check_name` refuses (for text from
    outside that is kept as it is said, such as the name of another centre)."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def check_name(name: str) -> str:
    """A person's name as it is kept: stripped; :class:`Invalid` when empty, longer than
    ``NAME_MAX`` or holding control characters (anything that could fake a line or a layout)."""
    name = name.strip()
    if not name:
        raise Invalid("A name is required.", field="name")
    if len(name) > NAME_MAX:
        raise Invalid(f"A name may be at most {NAME_MAX} characters.", field="name")
    if _CONTROLS.search(name):
        raise Invalid("A name may not hold control characters.", field="name")
    return name


def check_email(email: str) -> str:
    """An e-mail address as it is kept: trimmed, in lower case; :class:`Invalid` (field
    ``email``) when it is not a well-formed address. The one rule for every address an account
    is given (the administrator's pages, the CSV import, the API, the command line, bundles):
    the syntax of RFC 5322 and 6531 as email_validator checks it, a domain with a dot, no quoted
    names or IP addresses, and no look-up in the DNS (centres' internal domains are accepted)."""
    email = normalise_email(email)
    if len(email) > EMAIL_MAX or _CONTROLS.search(email):
        raise Invalid(f"“{without_controls(email)[:80]}” is not an e-mail address.", field="email")
    local, _at, domain = email.rpartition("@")
    top = domain.rsplit(".", 1)
    checked = f"{local}@{top[0]}.example" if len(top) == 2 and top[1] in _INTERNAL_TOP else email
    try:
        validate_email(checked, check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).replace("email address", "e-mail address")
        raise Invalid(f"“{email}” is not an e-mail address: {reason}", field="email") from None
    return email


def parse_roles(roles: str | list[str] | tuple[str, ...]) -> list[str]:
    items = roles.split(",") if isinstance(roles, str) else list(roles)
    chosen = sorted({r.strip().lower() for r in items if r.strip()})
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise Invalid(
            f"Unknown role(s): {', '.join(unknown)}. Roles are: {', '.join(ROLES)}.", field="roles"
        )
    if not chosen:
        raise Invalid("A person needs at least one role.", field="roles")
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
        site=check_site(site),
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


def check_site(site: str) -> str:
    """An assessment site's name as it is kept: stripped; :class:`Invalid` when empty, too long
    or holding control characters."""
    site = site.strip()
    if not site:
        raise Invalid("A site is required.", field="site")
    if len(site) > SITE_MAX or _CONTROLS.search(site):
        raise Invalid(
            f"A site is at most {SITE_MAX} characters, without control characters.", field="site"
        )
    return site


def update_person(
    session: Session,
    *,
    actor: Actor,
    person_id: int,
    name: str,
    email: str,
    roles: str | list[str],
    site: str,
) -> Person:
    """Correct a person's name, e-mail (the log-in), roles and site (administrators only), by
    the rules of :func:`create_person`. Losing a role is allowed: access reads roles at each
    request, so a former assessor simply stops assessing; an administrator cannot take away
    their own admin role. One ``person.update`` audit entry holds the old and new values."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators change people's details.")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    if person.erased_at is not None:
        raise Invalid("This person's personal data was erased; their details cannot be changed.")
    wanted = {
        "name": check_name(name),
        "email": check_email(email),
        "roles": ",".join(parse_roles(roles)),
        "site": check_site(site),
    }
    if person_id == actor.id and "admin" not in wanted["roles"].split(","):
        raise Invalid("You cannot take away your own administrator role.", field="roles")
    other = session.exec(
        select(Person.id).where(func.lower(Person.email) == wanted["email"], Person.id != person_id)
    ).first()
    if other is not None:
        raise Invalid(f"Another account already has the e-mail {wanted['email']}.", field="email")
    changes = {
        key: {"old": getattr(person, key), "new": value}
        for key, value in wanted.items()
        if getattr(person, key) != value
    }
    if not changes:
        return person
    was_staff = bool(person.role_set & STAFF_ROLES)
    if "name" in changes:  # their registrations' stored summaries are sorted by the name
        registration_holds.hold_learners(session, [person_id])
    for key, change in changes.items():
        setattr(person, key, change["new"])
    if "email" in changes:  # a link e-mailed to the old address no longer sets the password
        _use_up_links(session, person)
    unlinked = (
        _unlink_vles(session, person) if not was_staff and person.role_set & STAFF_ROLES else 0
    )
    session.add(person)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="person.update",
        subject_type="person",
        subject_id=person_id,
        data={**changes, "vle_links_removed": unlinked} if unlinked else changes,
    )
    return person


def _unlink_vles(session: Session, person: Person) -> int:
    """A learner becoming staff loses their VLE links: a VLE may have linked them by the e-mail
    address it sent, which it may do for learners only; an administrator links staff again."""
    links = session.exec(select(LtiLink).where(LtiLink.person_id == person.id)).all()
    for link in links:
        session.delete(link)
    return len(links)


def set_password(session: Session, *, actor: Actor, person_id: int, password: str) -> None:
    """Give a person a new password (an administrator, or the person); every session of theirs
    ends."""
    if not (actor.has("admin") or actor.id == person_id):
        raise PermissionDenied("Only administrators reset other people's passwords.")
    person = session.get(Person, person_id)
    if person is None:
        raise Invalid("No such person.")
    replace_password(session, person, password)
    audit.record(
        session,
        actor=actor,
        action="person.password_reset",
        subject_type="person",
        subject_id=person_id,
    )


def replace_password(session: Session, person: Person, password: str) -> None:
    """Set a checked new password; the failure count is cleared, every session ends and every
    reset or invitation link still waiting is used up (one e-mailed earlier must not replace it)."""
    if len(password) < 8:
        raise Invalid("A password needs at least 8 characters.", field="password")
    if len(password) > 256:
        raise Invalid("A password can have at most 256 characters.", field="password")
    person.password_hash = hash_password(password)
    person.failed_logins = 0
    person.locked_until = None
    session.add(person)
    logins.end_all(session, person=person, why="password")
    _use_up_links(session, person)


def _use_up_links(session: Session, person: Person) -> None:
    """Every reset or invitation link of the person still waiting stops working."""
    session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.person_id) == person.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=utcnow())
    )


def change_own_password(session: Session, *, actor: Actor, current: str, new: str) -> Person:
    """A person changes their own password, giving the current one; all their sessions end (the
    caller starts a new one for the person's own browser)."""
    person = session.get(Person, actor.id)
    if person is None or not logins.can_log_in(person):
        raise PermissionDenied("This account cannot change its password.")
    if (wait := logins.waiting_words(person)) is not None:  # no password is tried while it waits
        raise Invalid(wait, field="current")
    if not verify_password(person.password_hash, current):
        raise Invalid("That is not your current password.", field="current")
    replace_password(session, person, new)
    audit.record(
        session,
        actor=actor,
        action="person.password_change",
        subject_type="person",
        subject_id=person.id,
    )
    return person


def _listed(query: Any, search: str | None) -> Any:
    """``query`` of people not removed, by name; ``search`` keeps those whose name or e-mail
    holds it (``%`` and ``_`` are characters, not wildcards)."""
    query = query.where(col(Person.removed_at).is_(None)).order_by(col(Person.name))
    words = (search or "").strip().lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            func.lower(Person.name).like(pattern, escape="\\")
            | func.lower(Person.email).like(pattern, escape="\\")
        )
    return query


def _with_two_step() -> Any:
    """Each person with whether they have two-step verification on, in one statement."""
    return select(Person, col(TwoStep.person_id).is_not(None)).outerjoin(
        TwoStep, col(TwoStep.person_id) == Person.id
    )


def _holding(query: Any, *roles: str) -> Any:
    """``query`` of those who hold any of ``roles``, judged in SQL (roles are stored
    comma-separated)."""
    held = literal(",") + col(Person.roles) + literal(",")
    return query.where(or_(*(held.like(f"%,{role},%") for role in roles)))


def people_with_role(session: Session, *roles: str) -> list[Person]:
    """People not removed who hold any of ``roles``, by name, in one statement that reads only
    them (for the few: assessors, IQAs, EQAs; never every person to keep some)."""
    return list(session.exec(_holding(_listed(select(Person), None), *roles)))


def learner_by_email(session: Session, email: str, *, field: str = "learner_email") -> Person:
    """The learner whose log-in is ``email`` (any case, spaces around ignored). An address that is
    no one's, a removed account or a person without the learner role is refused (Invalid about
    ``field``)."""
    address = normalise_email(email)
    person = session.exec(select(Person).where(func.lower(Person.email) == address)).first()
    if person is None or not address:
        raise Invalid(f"No one has the log-in {address or '(empty)'}.", field=field)
    if person.removed_at is not None:
        raise Invalid(f"The account of {person.name} ({address}) was removed.", field=field)
    if not person.has_role("learner"):
        raise Invalid(f"{person.name} ({address}) does not have the learner role.", field=field)
    return person


def list_people_two_step(
    session: Session, *, role: str | None = None, search: str | None = None
) -> list[tuple[Person, bool]]:
    """People not removed, by name (``search`` keeps those whose name or e-mail holds it), each
    with whether they have two-step verification on, read in one statement."""
    rows = session.exec(_listed(_with_two_step(), search)).all()
    return [(p, bool(on)) for p, on in rows if role is None or p.has_role(role)]


def people_page(
    session: Session, *, search: str | None = None, page: int = 1, per_page: int = 50
) -> Paged[tuple[Person, bool]]:
    """Page ``page`` (past the end: the last) of the people :func:`list_people_two_step` lists,
    by name then id, each with whether two-step verification is on: one statement, with how many
    there are beside each row (a second only for a page past the end)."""
    query = (
        _listed(
            _with_two_step().add_columns(func.count().over()),
            search,
        )
        .order_by(col(Person.id))
        .limit(per_page)
    )
    page = min(max(1, page), 1_000_000)  # past the end is clamped below; this keeps the offset sane
    rows = session.exec(query.offset((page - 1) * per_page)).all()
    if not rows and page > 1:
        every = session.exec(
            select(func.count()).select_from(_listed(select(Person.id), search).subquery())
        ).one()
        page = clamp(page, int(every), per_page)
        rows = session.exec(query.offset((page - 1) * per_page)).all()
    total = int(rows[0][2]) if rows else 0
    listed = [(p, bool(on)) for p, on, _total in rows]
    return Paged(rows=listed, total=total, page=page, per_page=per_page)


def people_after(
    session: Session, *, role: str | None, after: tuple[str, int] | None, limit: int
) -> tuple[list[tuple[Person, bool]], tuple[str, int] | None]:
    """Up to ``limit`` of the people :func:`list_people_two_step` lists (by name, then id), those
    after ``after`` (the name and id of the last of the page before; None: from the start),
    and the name and id of the last of them while more follow (None at the end). A keyset page:
    one statement of ``limit + 1`` rows in the order of an index, however many people there are."""
    query = (
        _with_two_step()
        .where(col(Person.removed_at).is_(None))
        .order_by(col(Person.name), col(Person.id))
    )
    if role is not None:
        query = _holding(query, role)
    if after is not None:
        query = query.where(past([col(Person.name), col(Person.id)], after))
    rows = session.exec(query.limit(limit + 1)).all()
    shown = [(p, bool(on)) for p, on in rows[:limit]]
    return shown, ((shown[-1][0].name, shown[-1][0].id or 0) if len(rows) > limit else None)


@dataclass(frozen=True)
class Delays:
    """Progressive delays per account: after ``after`` failed log-ins in a row, the account
    cannot be tried for ``first`` seconds, doubling with each further failure up to ``longest``.
    The right password works again as soon as the wait is over."""

    after: int = 3
    first: int = 2
    longest: int = 300

    def wait(self, failures: int) -> timedelta | None:
        if failures < self.after:
            return None
        return timedelta(seconds=min(self.longest, self.first * 2 ** (failures - self.after)))


def authenticate(
    session: Session, *, email: str, password: str, delays: Delays | None = None
) -> Person | None:
    """The person whose credentials these are, or None. While an account waits after repeated
    failures, no password is tried for it (and the attempt does not count)."""
    delays = delays or Delays()
    person = session.exec(
        select(Person).where(func.lower(Person.email) == normalise_email(email))
    ).first()
    now = utcnow()
    waiting = person is not None and person.locked_until is not None and person.locked_until > now
    usable = logins.can_log_in(person) and not waiting
    ok = verify_password(person.password_hash if usable and person else None, password)
    if person is None or waiting:
        return None
    if ok:
        # with two-step verification on, the count clears once the second step is passed too:
        # a right password does not wipe out the wrong codes tried after it
        if session.get(TwoStep, person.id) is None:
            person.failed_logins = 0
            person.locked_until = None
            session.add(person)
        return person
    note_failure(session, person, delays, now)
    return None


def note_failure(session: Session, person: Person, delays: Delays, now: datetime) -> None:
    """Count a failed log-in (a wrong password or second-step code): the account waits once
    there have been enough in a row."""
    person.failed_logins += 1
    wait = delays.wait(person.failed_logins)
    person.locked_until = now + wait if wait else None
    session.add(person)
