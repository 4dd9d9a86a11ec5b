"""Issuing a badge for a sign-off, and finding badges.

Everything a badge says is read here from the database: the sign-off record (who signed, when,
which standard), the learner, the standard and its criteria, the framework; the issuer is the
centre. Nothing from a form or a file chooses any of it. Only the assessor who signed the
standard off (when they sign) or the system (``portfolio badges issue``) issues a badge, and
only for a sign-off that still stands.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from exports.badges import credential as vc
from exports.badges import jose, status
from exports.badges.models import Badge
from mappings.assessment.models import SignOff
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Criterion, Framework, Person, Registration, Standard
from portfolio.models.base import utcnow
from portfolio.services import access, audit
from portfolio.services.actors import SYSTEM, person_id
from portfolio.services.people import Actor


@dataclass(frozen=True)
class Site:
    """Where the centre's site is and what it is called: the addresses badges name."""

    base_url: str  # e.g. https://portfolio.example (no trailing slash)
    centre_name: str

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def issuer(self) -> vc.Issuer:
        return vc.Issuer(url=self.url("/badges/issuer"), name=self.centre_name, home=self.url("/"))

    def credential_url(self, credential_uuid: str) -> str:
        return self.url(f"/badges/{credential_uuid}")

    def status_list_url(self, number: int) -> str:
        return self.url(f"/badges/status/{number}")

    def achievement_url(self, standard_id: int) -> str:
        return self.url(f"/badges/achievements/{standard_id}")


def _uri(value: object) -> str:
    """``value`` when it is a web address (a CASE URI is one), else ""."""
    address = value.strip() if isinstance(value, str) else ""
    return address if address.startswith(("https://", "http://")) else ""


def _case_uri(*places: object) -> str:
    """The first CASE URI found: a record's ``urn`` (the CASE importer keeps the CFDocument's
    or CFItem's ``uri`` there) or ``uri``/``case_uri`` of its extra data."""
    for place in places:
        if isinstance(place, dict):
            found = _uri(place.get("case_uri")) or _uri(place.get("uri"))
        else:
            found = _uri(place)
        if found:
            return found
    return ""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def alignments(
    site: Site, framework: Framework, standard: Standard, criteria: list[Criterion]
) -> tuple[vc.Alignment, ...]:
    """The framework, the standard and each criterion as alignment targets: their CASE URIs
    where the framework has them, else this site's pages of the framework and the standard."""
    case = _mapping((framework.extra or {}).get("case"))
    items = _mapping(case.get("items"))
    fw_name = f"{framework.title} (v{framework.version})"
    fw_case = _case_uri(case, framework.urn)
    std_case = _case_uri(items.get(standard.code), standard.urn)
    std_page = site.url(f"/frameworks/{framework.id}/standards/{quote(standard.code)}")
    found = [
        vc.Alignment(
            name=framework.title,
            url=fw_case or site.url(f"/frameworks/{framework.id}"),
            framework=fw_name,
            code=framework.code,
        ),
        vc.Alignment(
            name=f"{standard.code} {standard.title}",
            url=std_case or std_page,
            framework=fw_name,
            code=standard.urn or standard.code,
            case=bool(std_case),
        ),
    ]
    for c in criteria:
        c_case = _case_uri(
            getattr(c, "extra", None), items.get(f"{standard.code}/{c.code}"), items.get(c.code)
        )
        found.append(
            vc.Alignment(
                name=f"{c.code} {c.text}",
                url=c_case or f"{std_page}#crit-{quote(c.code)}",
                framework=fw_name,
                code=f"{standard.code} {c.code}",
                case=bool(c_case),
            )
        )
    return tuple(found)


def _next_entry(session: Session) -> tuple[int, int]:
    """The next free (list, index) of the revocation list: entries are given out in order,
    after the last one used. SQLite's write transaction holds other issuers back; on PostgreSQL
    a transaction-scoped advisory lock does, until the badge is committed."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7160002)"))
    last = session.exec(
        select(Badge.status_list, Badge.status_index)
        .order_by(col(Badge.status_list).desc(), col(Badge.status_index).desc())
        .limit(1)
    ).first()
    if last is None:
        return 1, 0
    number, index = last
    return (number, index + 1) if index + 1 < status.LIST_SIZE else (number + 1, 0)


def achievement_facts(session: Session, standard: Standard, site: Site) -> vc.AchievementFacts:
    """The standard as an achievement, read from the framework's records."""
    framework = session.get(Framework, standard.framework_id)
    assert framework is not None
    criteria = list(
        session.exec(
            select(Criterion)
            .where(Criterion.standard_id == standard.id)
            .order_by(col(Criterion.position), col(Criterion.id))
        )
    )
    return vc.AchievementFacts(
        url=site.achievement_url(standard.id or 0),
        code=standard.code,
        title=standard.title,
        description=standard.overview or standard.title,
        criteria=tuple((c.code, c.text) for c in criteria),
        version=standard.version,
        alignments=alignments(site, framework, standard, criteria),
    )


def achievement_of(session: Session, *, standard_id: int, site: Site) -> dict[str, Any]:
    """The public ``Achievement`` of a standard (what its badges' ``achievement.id`` names)."""
    standard = session.get(Standard, standard_id)
    if standard is None:
        raise NotFound("No such standard.")
    return vc.achievement(achievement_facts(session, standard, site), site.issuer)


def facts_of(
    session: Session, signoff: SignOff, site: Site, entry: tuple[int, int], cred_uuid: str
) -> vc.BadgeFacts:
    """What the badge of ``signoff`` says, all of it from the records."""
    registration = session.get(Registration, signoff.registration_id)
    standard = session.get(Standard, signoff.standard_id)
    assert registration is not None and standard is not None
    learner = session.get(Person, registration.learner_id)
    assert learner is not None
    return vc.BadgeFacts(
        credential_url=site.credential_url(cred_uuid),
        issuer=site.issuer,
        learner_name=learner.name,
        learner_email=learner.email,
        salt=secrets.token_hex(8),
        achievement=achievement_facts(session, standard, site),
        signed_at=signoff.signed_at,
        status_list_url=site.status_list_url(entry[0]),
        status_index=entry[1],
    )


def issue(
    session: Session, *, actor: Actor, signoff_id: int, key: Ed25519PrivateKey, site: Site
) -> Badge:
    """Issue the badge of a standing sign-off: built from the records, signed with the
    centre's key, stored with its place in the revocation list. Flushes, never commits."""
    signoff = session.get(SignOff, signoff_id)
    if signoff is None:
        raise NotFound("No such sign-off.")
    if actor is not SYSTEM and signoff.assessor_id != actor.id:
        raise PermissionDenied("Only the assessor who signed the standard off issues its badge.")
    if signoff.status != "signed":
        raise Invalid("This sign-off was reopened: it has no badge until it is signed again.")
    if session.exec(select(Badge.id).where(Badge.signoff_id == signoff_id)).first() is not None:
        raise Conflict("This sign-off already has its badge.")
    entry = _next_entry(session)
    cred_uuid = str(uuid.uuid4())
    facts = facts_of(session, signoff, site, entry, cred_uuid)
    token = jose.sign(vc.credential(facts), key)
    registration = session.get(Registration, signoff.registration_id)
    assert registration is not None
    badge = Badge(
        signoff_id=signoff_id,
        learner_id=registration.learner_id,
        credential_uuid=cred_uuid,
        status_list=entry[0],
        status_index=entry[1],
        key_id=jose.key_id(key),
        token=token,
        issued_at=utcnow(),
        issued_by=person_id(actor),
    )
    session.add(badge)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="badge.issue",
        subject_type="badge",
        subject_id=badge.id,
        data={"signoff": signoff_id, "credential": cred_uuid, "status_index": entry[1]},
    )
    return badge


def issue_missing(session: Session, *, key: Ed25519PrivateKey, site: Site) -> list[Badge]:
    """Badges for every standing sign-off that has none (those signed before badges existed);
    the system issues them."""
    have = select(Badge.signoff_id)
    ids = session.exec(
        select(SignOff.id)
        .where(SignOff.status == "signed", col(SignOff.id).not_in(have))
        .order_by(col(SignOff.id))
    ).all()
    return [issue(session, actor=SYSTEM, signoff_id=i or 0, key=key, site=site) for i in ids]


def revoked_indexes(session: Session, number: int) -> list[int]:
    """The entries of revocation list ``number`` that are revoked: their sign-off was reopened."""
    return list(
        session.exec(
            select(Badge.status_index)
            .join(SignOff, col(SignOff.id) == Badge.signoff_id)
            .where(Badge.status_list == number, SignOff.status != "signed")
            .order_by(col(Badge.status_index))
        )
    )


def status_lists(session: Session) -> int:
    """How many revocation lists are in use (at least one is always served)."""
    return max(1, session.exec(select(func.max(Badge.status_list))).one() or 0)


@dataclass(frozen=True)
class BadgeRow:
    """One of a learner's badges, as their pages list it."""

    credential_uuid: str
    code: str
    title: str
    signed_at: datetime
    withdrawn_at: datetime | None  # when the sign-off was reopened; None while it stands
    withdrawn: bool


def learner_badges(session: Session, *, actor: Actor, learner_id: int) -> list[BadgeRow]:
    """A learner's badges, newest first, for those who may see the portfolio."""
    access.require_view(session, actor, learner_id)
    rows = session.exec(
        select(Badge.credential_uuid, Standard.code, Standard.title, SignOff)
        .join(SignOff, col(SignOff.id) == Badge.signoff_id)
        .join(Standard, col(Standard.id) == SignOff.standard_id)
        .where(Badge.learner_id == learner_id)
        .order_by(col(Badge.issued_at).desc(), col(Badge.id).desc())
    ).all()
    return [
        BadgeRow(
            credential_uuid=cred,
            code=code,
            title=title,
            signed_at=signoff.signed_at,
            withdrawn_at=signoff.reopened_at,
            withdrawn=signoff.status != "signed",
        )
        for cred, code, title, signoff in rows
    ]


def badge_to_download(session: Session, *, actor: Actor, credential_uuid: str) -> Badge:
    """A badge for the learner or staff who may see the portfolio; strangers are told nothing."""
    badge = session.exec(select(Badge).where(Badge.credential_uuid == credential_uuid)).first()
    if badge is None:
        raise NotFound("No such badge.")
    access.require_view(session, actor, badge.learner_id)
    return badge


def badge_of_signoff(session: Session, *, actor: Actor, signoff_id: int) -> Badge | None:
    """The badge issued for a sign-off (None if it has none), for those who may see it."""
    badge = session.exec(select(Badge).where(Badge.signoff_id == signoff_id)).first()
    if badge is not None:
        access.require_view(session, actor, badge.learner_id)
    return badge


def status_list_token(session: Session, *, number: int, key: Ed25519PrivateKey, site: Site) -> str:
    """Revocation list ``number`` as a signed ``BitstringStatusListCredential`` (a VC-JWT),
    made from the sign-offs' state as it is now."""
    if not 1 <= number <= status_lists(session):
        raise NotFound("No such status list.")
    listed = vc.status_list_credential(
        url=site.status_list_url(number),
        issuer=site.issuer,
        encoded_list=status.encode(revoked_indexes(session, number)),
        valid_from=utcnow(),
    )
    return jose.sign(listed, key)
