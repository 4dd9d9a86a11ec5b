"""Is this badge genuine, and does it still stand? The answer in plain words.

Anyone may ask, without logging in: the token's signature is checked against the centre's key
set, then the centre's record of the badge says whether its sign-off still stands (a reopened
sign-off revokes the badge; the public status list says the same). What is shown comes from
the signed token, never from the person asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from exports.badges import jose
from exports.badges.models import Badge
from mappings.assessment.models import SignOff
from portfolio.errors import NotFound

State = Literal["valid", "revoked", "invalid"]
HEADLINES: dict[State, str] = {
    "valid": "This badge is genuine and stands: the centre signed it and has not withdrawn it.",
    "revoked": "This badge was withdrawn: the centre reopened the sign-off it was issued for.",
    "invalid": "This badge cannot be trusted.",
}


@dataclass(frozen=True)
class Verdict:
    state: State
    reason: str = ""
    achievement: str = ""  # "SE03 Title", as the token says
    learner: str = ""
    issuer: str = ""
    issued: datetime | None = None
    revoked: datetime | None = None
    credential_uuid: str = ""

    @property
    def headline(self) -> str:
        return HEADLINES[self.state]


def _name_of(subject: dict[str, Any]) -> str:
    for identity in subject.get("identifier") or []:
        if isinstance(identity, dict) and identity.get("identityType") == "name":
            return str(identity.get("identityHash", ""))
    return ""


def _described(claims: dict[str, Any]) -> dict[str, Any]:
    subject = claims.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer = claims.get("issuer") or {}
    valid_from = str(claims.get("validFrom", ""))
    try:
        issued: datetime | None = datetime.fromisoformat(valid_from.replace("Z", "+00:00"))
    except ValueError:
        issued = None
    return {
        "achievement": " ".join(
            p for p in (achievement.get("humanCode"), achievement.get("name")) if p
        ),
        "learner": _name_of(subject),
        "issuer": issuer.get("name", "") if isinstance(issuer, dict) else str(issuer),
        "issued": issued,
    }


def verify_token(session: Session, token: str, keys: dict[str, Any]) -> Verdict:
    """The verdict on a pasted or stored VC-JWT (a byte order mark and spaces around it, as
    editors on Windows save a file, are not part of it)."""
    token = token.strip().removeprefix("\ufeff").strip()
    try:
        checked = jose.check(token, keys)
    except jose.BadToken as exc:
        return Verdict(state="invalid", reason=str(exc))
    claims = checked.claims
    described = _described(claims)
    cred_uuid = str(claims.get("jti") or claims.get("id") or "").rsplit("/", 1)[-1]
    row = session.exec(
        select(Badge, SignOff)
        .join(SignOff, col(SignOff.id) == Badge.signoff_id)
        .where(Badge.credential_uuid == cred_uuid)
    ).first()
    if row is None:
        return Verdict(
            state="invalid",
            reason="It carries this centre's signature, but the centre has no record of issuing "
            "it.",
            **described,
        )
    badge, signoff = row
    entry = (claims.get("credentialStatus") or {}).get("statusListIndex")
    if entry != str(badge.status_index):
        return Verdict(
            state="invalid",
            reason="Its place in the revocation list is not the one the centre gave it.",
            **described,
        )
    if signoff.status != "signed":
        return Verdict(
            state="revoked",
            revoked=signoff.reopened_at,
            credential_uuid=badge.credential_uuid,
            **described,
        )
    return Verdict(state="valid", credential_uuid=badge.credential_uuid, **described)


def verify_id(session: Session, credential_uuid: str, keys: dict[str, Any]) -> Verdict:
    """The verdict on the badge this centre issued under ``credential_uuid``."""
    token = session.exec(
        select(Badge.token).where(Badge.credential_uuid == credential_uuid)
    ).first()
    if token is None:
        raise NotFound("This centre issued no badge with that address.")
    return verify_token(session, token, keys)
