"""The Open Badges 3.0 ``OpenBadgeCredential`` of a signed-off standard, from plain facts.

The credential follows the 1EdTech Open Badges 3.0 data model (a W3C Verifiable Credential 2.0):
the issuer is the centre (a ``Profile``), the subject is the learner (an ``AchievementSubject``
named by identity objects, the e-mail address only as a salted SHA-256), and the achievement is
the standard, with ``alignment`` entries to its framework, the standard itself and each of its
criteria: their CASE URIs where the framework has them, else this site's framework pages.
``credentialStatus`` names the badge's bit in the centre's revocation list. Pure: no database,
no key; :mod:`exports.badges.jose` signs what this returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential-jsonschema1.json"
)


@dataclass(frozen=True)
class Alignment:
    """A node of a framework the achievement aligns to: a CASE item where known."""

    name: str
    url: str
    framework: str
    code: str = ""
    case: bool = False  # the url is a CASE URI (then the target is a CFItem)


@dataclass(frozen=True)
class Issuer:
    url: str  # the issuer's id: this site's issuer profile
    name: str
    home: str  # the centre's site


@dataclass(frozen=True)
class AchievementFacts:
    """The standard as an achievement."""

    url: str
    code: str
    title: str
    description: str
    criteria: tuple[tuple[str, str], ...]  # (code, text) of every criterion
    version: str
    alignments: tuple[Alignment, ...]


@dataclass(frozen=True)
class BadgeFacts:
    """Everything a badge says, read from the sign-off record by :mod:`exports.badges.issue`."""

    credential_url: str
    issuer: Issuer
    learner_name: str
    learner_email: str
    salt: str  # for the e-mail's hash: the hash alone must not reveal the address
    achievement: AchievementFacts
    signed_at: datetime
    status_list_url: str
    status_index: int


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second (``2026-12-04T15:30:00Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    return {"id": issuer.url, "type": ["Profile"], "name": issuer.name, "url": issuer.home}


def _alignment(a: Alignment) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": a.name,
        "targetUrl": a.url,
        "targetFramework": a.framework,
    }
    if a.code:
        entry["targetCode"] = a.code
    if a.case:
        entry["targetType"] = "CFItem"
    return entry


def narrative(code: str, criteria: tuple[tuple[str, str], ...]) -> str:
    """The criteria as Markdown: every criterion of the standard, each met and signed off."""
    lines = [
        f"The learner met every criterion of {code}, each judged by a qualified assessor "
        "against evidence of their real work, and the assessor signed the standard off:",
        "",
    ]
    lines += [f"- **{c}** {text}" for c, text in criteria]
    return "\n".join(lines)


def achievement(facts: AchievementFacts, issuer: Issuer) -> dict[str, Any]:
    """The ``Achievement``: the standard, its criteria and its alignments."""
    return {
        "id": facts.url,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": facts.title,
        "humanCode": facts.code,
        "description": facts.description or facts.title,
        "criteria": {"narrative": narrative(facts.code, facts.criteria)},
        "alignment": [_alignment(a) for a in facts.alignments],
        "creator": issuer_profile(issuer),
        **({"version": facts.version} if facts.version else {}),
    }


def email_hash(email: str, salt: str) -> str:
    """An OB 3.0 IdentityHash of an e-mail address: ``sha256$`` and the hex of address + salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def credential(facts: BadgeFacts) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential``."""
    status_id = f"{facts.status_list_url}#{facts.status_index}"
    return {
        "@context": list(CONTEXT),
        "id": facts.credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{facts.achievement.code} {facts.achievement.title}",
        "issuer": issuer_profile(facts.issuer),
        "validFrom": timestamp(facts.signed_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": facts.learner_name,
                    "identityType": "name",
                    "hashed": False,
                },
                {
                    "type": "IdentityObject",
                    "identityHash": email_hash(facts.learner_email, facts.salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": facts.salt,
                },
            ],
            "achievement": achievement(facts.achievement, facts.issuer),
        },
        "credentialStatus": {
            "id": status_id,
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
        "credentialSchema": [{"id": SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def status_list_credential(
    *, url: str, issuer: Issuer, encoded_list: str, valid_from: datetime
) -> dict[str, Any]:
    """The centre's revocation list as a ``BitstringStatusListCredential``."""
    return {
        "@context": [CONTEXT[0]],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(issuer),
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }
