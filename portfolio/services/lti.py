"""LTI 1.3 records: registered platforms, who a launch is, and nonces used once.

A launch never creates an account and never says on its own who someone is: the platform's
signed id_token (checked in :mod:`portfolio.services.lti_tokens`) is matched to an existing
account here, first by the stored subject (the platform's issuer and its ``sub`` for the person),
else by e-mail, and the subject is then stored so that later launches find the same account even
after the e-mail changed on either side.

The token proves who someone is *in that platform*; the e-mail is only what the platform says.
So an e-mail links an account only under the rule the centre chose for that platform
(``LtiPlatform.email_links``): learner accounts only (the default), learners and staff (a VLE
whose addresses the centre itself controls), or nothing; an administrator's account never. Any
other account is linked by an administrator (:func:`link_subject`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import LtiLink, LtiNonce, LtiPlatform, Person
from portfolio.models.base import utcnow
from portfolio.models.lti import EMAIL_LINKS, STAFF_ROLES
from portfolio.services import audit
from portfolio.services.actors import Actor
from portfolio.services.logins import can_log_in
from portfolio.services.people import normalise_email

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class LaunchRefused(PermissionDenied):
    """A launch that does not log anyone in; the message says why in plain words."""


# ---------------------------------------------------------------- platforms


@dataclass(frozen=True)
class PlatformRow:
    id: int
    name: str
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    token_url: str
    jwks_url: str
    linked_people: int
    email_links: str  # EMAIL_LINKS
    email_links_words: str


EMAIL_LINK_WORDS = {
    "none": "Nobody (an administrator links each person)",
    "learners": "Learners only",
    "staff": "Learners, assessors and IQAs",
}


def _url(value: str, what: str, field: str) -> str:
    """An https address (http only on this machine, for trying things out)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    local = parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS
    if not parts.netloc or not (parts.scheme == "https" or local) or len(value) > 500:
        raise Invalid(f"The {what} must be an https:// address.", field=field)
    return value


def _text(value: str, what: str, field: str, longest: int = 255) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"Give the {what}.", field=field)
    if len(value) > longest or any(ord(c) < 32 for c in value):
        raise Invalid(f"The {what} is not valid (at most {longest} characters).", field=field)
    return value


def add_platform(
    session: Session,
    *,
    actor: Actor,
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: list[str],
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    email_links: str = "learners",
) -> LtiPlatform:
    """Register a platform (administrators only); its launches are then accepted.
    ``email_links`` is which unlinked accounts its launches may link by e-mail (EMAIL_LINKS)."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators register VLE platforms.")
    if email_links not in EMAIL_LINKS:
        raise Invalid(
            "Choose whose accounts this VLE may find by e-mail address.", field="email_links"
        )
    deployments = sorted({_text(d, "deployment id", "deployment_ids") for d in deployment_ids})
    if not deployments:
        raise Invalid("Give at least one deployment id.", field="deployment_ids")
    platform = LtiPlatform(
        name=_text(name, "name", "name", 200),
        issuer=_text(issuer, "issuer", "issuer"),
        client_id=_text(client_id, "client id", "client_id"),
        deployment_ids="\n".join(deployments),
        auth_login_url=_url(auth_login_url, "authentication request URL", "auth_login_url"),
        token_url=_url(token_url, "access token URL", "token_url"),
        jwks_url=_url(jwks_url, "public keyset URL", "jwks_url"),
        email_links=email_links,
    )
    taken = session.exec(
        select(LtiPlatform.id).where(
            LtiPlatform.issuer == platform.issuer, LtiPlatform.client_id == platform.client_id
        )
    ).first()
    if taken is not None:
        raise Invalid(
            "A platform with this issuer and client id is registered already.", field="client_id"
        )
    session.add(platform)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="lti.platform_add",
        subject_type="lti_platform",
        subject_id=platform.id,
        data={
            "issuer": platform.issuer,
            "client_id": platform.client_id,
            "email_links": platform.email_links,
        },
    )
    return platform


def remove_platform(session: Session, *, actor: Actor, platform_id: int) -> LtiPlatform:
    """Stop accepting a platform's launches (administrators only). The people's stored subjects
    are kept, keyed by issuer, so registering the platform again finds them."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators remove VLE platforms.")
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise Invalid("There is no such platform.", field="platform")
    session.delete(platform)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="lti.platform_remove",
        subject_type="lti_platform",
        subject_id=platform_id,
        data={"issuer": platform.issuer, "client_id": platform.client_id},
    )
    return platform


def unlink(session: Session, *, actor: Actor, person_id: int) -> int:
    """Forget a person's stored subjects (administrators only): their next launch is matched by
    e-mail again. For a link made in error. How many were forgotten."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators unlink people from VLEs.")
    rows = list(session.exec(select(LtiLink).where(LtiLink.person_id == person_id)))
    for row in rows:
        session.delete(row)
    session.flush()
    if rows:
        audit.record(
            session,
            actor=actor,
            action="lti.unlink",
            subject_type="person",
            subject_id=person_id,
            data={"subjects": [f"{r.issuer} {r.subject}" for r in rows]},
        )
    return len(rows)


def link_subject(
    session: Session, *, actor: Actor, person_id: int, platform_id: int, subject: str
) -> LtiLink:
    """Link a person of a platform (its ``sub`` for them, e.g. Moodle's user id) to an account
    here (administrators only): how staff accounts, and anyone on a platform that links nobody
    by e-mail, are linked. Their launches then open this account whatever e-mail they bring."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators link people to VLEs.")
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise Invalid("There is no such platform.", field="platform")
    person = session.get(Person, person_id)
    if person is None or person.removed_at is not None:
        raise Invalid("There is no such person.", field="person")
    subject = _text(subject, "VLE user id (subject)", "subject")
    taken = session.exec(
        select(LtiLink).where(LtiLink.issuer == platform.issuer, LtiLink.subject == subject)
    ).first()
    if taken is not None:
        raise Invalid("This VLE user is linked already; unlink them first.", field="subject")
    row = LtiLink(issuer=platform.issuer, subject=subject, person_id=person_id)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="lti.link",
        subject_type="person",
        subject_id=person_id,
        data={"platform": platform.name, "subject": f"{platform.issuer} {subject}"},
    )
    return row


def link_subject_by_email(
    session: Session, *, actor: Actor, email: str, platform_id: int, subject: str
) -> Person:
    """:func:`link_subject` for the person with this e-mail address (the administrator's page)."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators link people to VLEs.")
    address = normalise_email(email)
    person = session.exec(
        select(Person).where(func.lower(Person.email) == address, col(Person.removed_at).is_(None))
    ).first()
    if not address or person is None or person.id is None:
        raise Invalid("There is no account here with that e-mail address.", field="email")
    link_subject(
        session, actor=actor, person_id=person.id, platform_id=platform_id, subject=subject
    )
    return person


def list_platforms(session: Session) -> list[PlatformRow]:
    links = (
        select(LtiLink.issuer, func.count(col(LtiLink.id)).label("n"))
        .group_by(col(LtiLink.issuer))
        .subquery()
    )
    rows = session.exec(
        select(LtiPlatform, links.c.n)
        .join(links, links.c.issuer == LtiPlatform.issuer, isouter=True)
        .order_by(col(LtiPlatform.name), col(LtiPlatform.id))
    ).all()
    return [
        PlatformRow(
            id=p.id or 0,
            name=p.name,
            issuer=p.issuer,
            client_id=p.client_id,
            deployment_ids=tuple(p.deployments),
            auth_login_url=p.auth_login_url,
            token_url=p.token_url,
            jwks_url=p.jwks_url,
            linked_people=int(n or 0),
            email_links=p.email_links,
            email_links_words=EMAIL_LINK_WORDS[p.email_links],
        )
        for p, n in rows
    ]


def find_platform(session: Session, *, issuer: str, client_id: str | None) -> LtiPlatform:
    """The platform a login request names; refused when unknown or ambiguous."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = list(session.exec(query.limit(2)))
    if not found:
        raise LaunchRefused(
            "This VLE is not registered here. Ask your centre's administrator to add it."
        )
    if len(found) > 1:
        raise LaunchRefused(
            "This VLE is registered more than once here and did not say which registration "
            "it uses (no client id). Ask your centre's administrator."
        )
    return found[0]


# ---------------------------------------------------------------- nonces


def use_nonce(session: Session, *, issuer: str, nonce: str, expires_at: datetime) -> None:
    """Record a launch's nonce; refused if it was used before (a replayed launch). Nonces
    whose launch has expired are forgotten: their tokens are refused as expired anyway."""
    now = utcnow()
    session.exec(delete(LtiNonce).where(col(LtiNonce.expires_at) < now))
    key = hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
    replay = LaunchRefused(
        "This launch was used already. Go back to your course and open the link again."
    )
    if session.exec(select(LtiNonce.id).where(LtiNonce.nonce_hash == key)).first() is not None:
        raise replay
    try:
        with session.begin_nested():
            session.add(LtiNonce(nonce_hash=key, used_at=now, expires_at=expires_at))
            session.flush()
    except IntegrityError:  # the same launch at the same moment elsewhere
        raise replay from None


# ---------------------------------------------------------------- people


def person_for_launch(
    session: Session, *, issuer: str, subject: str, email: str | None, email_links: str
) -> tuple[Person, bool]:
    """The account a launch is for, and whether its subject was linked now. The stored subject
    wins over the e-mail; the e-mail links an account only as the platform's ``email_links``
    allows, and an account already linked (to another person of the same platform, or on another
    platform) is never taken by e-mail: an administrator links it (:func:`link_subject`). Nothing is written here (see :func:`link`)."""
    link = session.exec(
        select(LtiLink).where(LtiLink.issuer == issuer, LtiLink.subject == subject)
    ).first()
    if link is not None:
        person = session.get(Person, link.person_id)
        if person is None:  # pragma: no cover - a foreign key holds it
            raise LaunchRefused(_UNKNOWN)
        return person, False
    address = normalise_email(email or "")
    if not address:
        raise LaunchRefused(
            "Your VLE did not send your e-mail address, so your portfolio account could not be "
            "found. Ask your centre's administrator."
        )
    person = session.exec(select(Person).where(func.lower(Person.email) == address)).first()
    if person is None:
        raise LaunchRefused(_UNKNOWN)
    _may_link_by_email(person, email_links)
    linked_on = set(session.exec(select(LtiLink.issuer).where(LtiLink.person_id == person.id)))
    if issuer in linked_on:
        raise LaunchRefused(
            "The portfolio account with your e-mail address is linked to someone else in your "
            "VLE. Ask your centre's administrator."
        )
    if linked_on:  # another VLE's e-mail never takes over an account one VLE has linked
        raise LaunchRefused(
            "The portfolio account with your e-mail address is already linked to an account in "
            "another VLE, so this VLE cannot open it by e-mail address. Ask your centre's "
            "administrator to link your account in this VLE to it."
        )
    return person, True


def _may_link_by_email(person: Person, email_links: str) -> None:
    """Refused unless the platform's rule lets its e-mail link this account. An administrator's
    account is refused later, whatever the rule, by :func:`destination`."""
    if person.has_role("admin"):
        return
    if email_links == "none":
        raise LaunchRefused(
            "This VLE does not link accounts by e-mail address. Ask your centre's administrator "
            "to link your VLE account to your portfolio account."
        )
    staff = bool(person.role_set & STAFF_ROLES)
    if staff and email_links != "staff":
        raise LaunchRefused(
            "Your e-mail address belongs to a staff account here, and this VLE may not open staff "
            "accounts by e-mail address. Ask your centre's administrator to link your VLE account "
            "to your portfolio account once; then the link opens it."
        )


_UNKNOWN = (
    "There is no portfolio account for you here. Launching from your VLE does not create "
    "accounts: ask your centre's administrator to add you with the e-mail address your VLE has."
)


@dataclass(frozen=True)
class Destination:
    """Where a launch takes someone: the name of the page, and the role it is opened as."""

    page: str  # "home" | "caseload"
    role: str


def destination(person: Person, *, staff: bool, learner: bool) -> Destination:
    """Where the launch goes, from the platform's role and the account's own roles; refused
    when they do not fit or the account may not log in. Administrators log in with their
    password: a launch never opens an administrator's account."""
    if not can_log_in(person):
        raise LaunchRefused(
            "Your portfolio account cannot be used at the moment (it is inactive, removed, or has "
            "no password yet). Ask your centre's administrator."
        )
    if person.has_role("admin"):
        raise LaunchRefused(
            "Administrators' accounts cannot be opened from a VLE. Log in with your password."
        )
    if staff and person.has_role("assessor"):
        return Destination("caseload", "assessor")
    if staff and person.has_role("iqa"):
        return Destination("caseload", "iqa")
    if learner and person.has_role("learner"):
        return Destination("home", "learner")
    said = "teacher" if staff else "learner" if learner else "neither a learner nor a teacher"
    raise LaunchRefused(
        f"Your VLE says you are {'a ' if staff or learner else ''}{said} in this course, but your "
        "portfolio account is not one. Ask your centre's administrator."
    )


def link(
    session: Session, *, person: Person, issuer: str, subject: str, platform: str, new: bool
) -> None:
    """Store (or touch) the person's subject and record the launch in the audit trail."""
    now = utcnow()
    if new:
        assert person.id is not None
        session.add(LtiLink(issuer=issuer, subject=subject, person_id=person.id, created_at=now))
    else:
        row = session.exec(
            select(LtiLink).where(LtiLink.issuer == issuer, LtiLink.subject == subject)
        ).one()
        row.last_launch_at = now
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor=person,
        action="lti.launch",
        subject_type="person",
        subject_id=person.id,
        data={"platform": platform, "linked_now": new},
    )
