"""Personal access tokens for the JSON API: made, listed and revoked by their owner (or by the
command line, as the system), and resolved to the person they act for.

A token's secret is ``pat_`` and 43 random URL-safe characters (256 bits); only its SHA-256 is
stored, and the secret is returned once, when the token is made. A token acts as its person with
the roles they have at each request, limited by its scopes; it stops working when revoked, when
it expires, or when the person can no longer log in (inactive or removed)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import ApiToken, Person
from portfolio.models.base import utcnow
from portfolio.services import audit, logins
from portfolio.services.actors import Actor
from portfolio.words import moment_words

PREFIX = "pat_"
# what a token may do: reading is its own scope; each kind of change has one
SCOPES: dict[str, str] = {
    "read": "Read what you may see: frameworks, evidence, claims, coverage, sign-offs, IQA",
    "evidence": "Write, upload and submit your evidence; comment on evidence and ask witnesses",
    "assess": "Claim criteria and record assessment decisions",
    "admin": "Administration: people, cohorts, registrations and framework imports",
}
# the roles whose work a scope's operations do: an EQA or an IQA alone only reads
SCOPE_ROLES: dict[str, frozenset[str]] = {
    "evidence": frozenset({"learner", "assessor"}),
    "assess": frozenset({"learner", "assessor"}),
    "admin": frozenset({"admin"}),
}
MAX_NAME = 100
MAX_DAYS = 366
# how often "last used" is written, at most: not a write per request
TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its secret: the only time the secret is known."""

    token: ApiToken
    secret: str


def scopes_for(roles: Iterable[str]) -> dict[str, str]:
    """The scopes worth offering a person with ``roles``: reading, and each kind of change one of
    their roles makes (the token form offers these; the API checks the roles on every call)."""
    held = set(roles)
    return {s: said for s, said in SCOPES.items() if s not in SCOPE_ROLES or held & SCOPE_ROLES[s]}


def check_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise Invalid(
            f"Unknown scope “{unknown[0]}”: choose from {', '.join(SCOPES)}.", field="scopes"
        )
    if not chosen:
        raise Invalid("Choose at least one scope.", field="scopes")
    return chosen


def create(
    session: Session,
    *,
    actor: Actor,
    person_id: int,
    name: str,
    scopes: Iterable[str],
    days: int | None = None,
    login: str | None = None,
) -> NewToken:
    """A new token for ``person_id``: a person makes their own; the system (command line) may
    make one for anyone who can log in. Its scopes are those one of the person's roles uses
    (:func:`scopes_for`), whoever makes it: another is refused. A person makes one only from a
    recent sign-in: ``login``, their browser's session, began (log-in, VLE launch) or had the
    password given again less than 15 minutes ago (:func:`logins.signed_in_recently`): a token
    outlives log-out everywhere and a password change, so a taken-over session is not enough."""
    if actor.id not in (0, person_id):
        raise PermissionDenied("You may only make tokens for yourself.")
    person = session.get(Person, person_id)
    if person is None or person.removed_at is not None or not person.active:
        raise NotFound("No such active person.")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"Give the token a name of 1 to {MAX_NAME} characters.", field="name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise Invalid(f"A token lasts 1 to {MAX_DAYS} days.", field="days")
    chosen = check_scopes(scopes)
    offered = scopes_for(person.role_set)
    unused = [s for s in chosen if s not in offered]
    if unused:
        # the page offers only these; the command line is held to the same rule here
        raise Invalid(
            f"{person.name} has no role that uses the “{unused[0]}” scope: "
            f"choose from {', '.join(offered)}.",
            field="scopes",
        )
    if actor.id and not logins.signed_in_recently(session, login=login, person_id=actor.id):
        raise Invalid(logins.NOT_RECENT)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        person_id=person_id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:12],
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="token.create",
        subject_type="person",
        subject_id=person_id,
        data={"token": token.id, "name": name, "scopes": chosen, "days": days},
    )
    return NewToken(token=token, secret=secret)


def list_for(session: Session, *, actor: Actor, person_id: int | None = None) -> list[ApiToken]:
    """A person's tokens (their own; the system: anyone's, or everyone's with no person)."""
    if actor.id and person_id not in (None, actor.id):
        raise PermissionDenied("You may only see your own tokens.")
    query = select(ApiToken).order_by(col(ApiToken.id))
    wanted = person_id if person_id is not None else (actor.id or None)
    if wanted is not None:
        query = query.where(ApiToken.person_id == wanted)
    return list(session.exec(query))


def revoke(session: Session, *, actor: Actor, token_id: int) -> ApiToken:
    """The token stops working at once. Revoking a revoked token changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or (actor.id and token.person_id != actor.id):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="token.revoke",
            subject_type="person",
            subject_id=token.person_id,
            data={"token": token.id},
        )
    return token


def state(token: ApiToken, now: datetime | None = None) -> str:
    """active, revoked or expired."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def state_words(token: ApiToken, zone: ZoneInfo, now: datetime | None = None) -> str:
    """The token's state as the tokens page and `portfolio tokens list` say it: "works until
    3 Jan 2027, 14:05" (in ``zone``), "works", "revoked" or "expired"."""
    found = state(token, now)
    if found != "active":
        return found
    return f"works until {moment_words(token.expires_at, zone)}" if token.expires_at else "works"


@dataclass(frozen=True)
class Bearer:
    """Who a presented token acts for, and what it may do."""

    actor: Actor
    token_id: int
    scopes: frozenset[str]


def _token_of(session: Session, secret: str) -> tuple[ApiToken, Person] | None:
    """The token whose secret is ``secret`` (by its digest), with its person; None if none."""
    found = session.exec(
        select(ApiToken, Person)
        .join(Person, col(Person.id) == ApiToken.person_id)
        .where(ApiToken.token_hash == digest(secret))
    ).first()
    return (found[0], found[1]) if found is not None else None


def resolve(make_session: Callable[[], Session], *, secret: str) -> Bearer | None:
    """The token ``secret`` names, if it works; None otherwise. Runs in its own short
    transaction, committed only when it wrote: "last used" is written at most once a minute."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    with make_session() as session:
        found = _token_of(session, secret)
        if found is None:
            return None
        token, person = found
        now = utcnow()
        if state(token, now) != "active" or not person.active or person.removed_at is not None:
            return None
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            token.last_used_at = now
            session.add(token)
            session.commit()
        return Bearer(actor=Actor.of(person), token_id=token.id or 0, scopes=token.scope_set)


def refusal(make_session: Callable[[], Session], *, secret: str) -> tuple[str, datetime | None]:
    """Why ``secret`` does not work, once :func:`resolve` refused it, for the answer to say:
    ("unknown", None), ("expired", when), ("revoked", when) or ("inactive", None), its person
    deactivated or removed. Only someone holding the secret learns this of its token."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return "unknown", None
    with make_session() as session:
        found = _token_of(session, secret)
    if found is None:
        return "unknown", None
    token, person = found
    if token.revoked_at is not None:
        return "revoked", token.revoked_at
    if state(token) == "expired":
        return "expired", token.expires_at
    return (
        ("inactive", None)
        if not person.active or person.removed_at is not None
        else ("unknown", None)
    )
