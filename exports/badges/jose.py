"""Badges as VC-JWTs: signed with the centre's Ed25519 key, checked against its key set.

A maintained JOSE library (joserfc) does the JWS work: compact serialisation, the EdDSA
signature, RFC 7638 key thumbprints and key sets. The JOSE header is ``alg: EdDSA``, ``typ:
JWT`` and ``kid``, the key's RFC 7638 thumbprint, which names the key in the centre's JWKS at
``/.well-known/jwks.json``. The payload is the credential itself with the registered claims
Open Badges 3.0 asks for beside it (``iss`` = issuer id, ``jti`` = credential id, ``nbf`` =
``validFrom``; ``sub`` only when the subject has an id).
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

ALGORITHM = "EdDSA"


class BadToken(ValueError):
    """A token that is not a genuine credential of this centre; the message says why, plainly."""


@dataclass(frozen=True)
class Checked:
    header: dict[str, Any]
    claims: dict[str, Any]


@contextmanager
def _eddsa_named() -> Iterator[None]:
    """joserfc warns that RFC 9864 prefers the name "Ed25519" to "EdDSA"; Open Badges verifiers
    expect "EdDSA", which names the same Ed25519 signature. Only that warning is silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
        yield


def _okp(key: Ed25519PrivateKey | Ed25519PublicKey) -> OKPKey:
    if isinstance(key, Ed25519PrivateKey):
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return OKPKey.import_key(pem)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the (public) key: the ``kid`` of every token it signs."""
    return str(_okp(key).thumbprint())


def public_jwk(key: Ed25519PublicKey) -> dict[str, Any]:
    """The public key as a JWK (``kty: OKP``, ``crv: Ed25519``) with its ``kid``."""
    jwk = dict(_okp(key).as_dict(private=False))
    jwk.update({"kid": key_id(key), "use": "sig", "alg": ALGORITHM})
    return jwk


def key_set(*keys: Ed25519PublicKey) -> dict[str, Any]:
    return {"keys": [public_jwk(k) for k in keys]}


def _epoch(moment: str) -> int:
    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())


def vc_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT payload of a credential: the credential and its registered claims."""
    issuer = credential["issuer"]
    claims = dict(credential)
    claims["iss"] = issuer["id"] if isinstance(issuer, dict) else issuer
    claims["jti"] = credential["id"]
    claims["nbf"] = _epoch(credential["validFrom"])
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"])
    subject_id = credential.get("credentialSubject", {}).get("id")
    if subject_id:
        claims["sub"] = subject_id
    return claims


def sign(credential: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """The credential as a compact VC-JWT signed by ``key``."""
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key_id(key)}
    with _eddsa_named():
        return str(jwt.encode(header, vc_claims(credential), _okp(key), algorithms=[ALGORITHM]))


_REASONS = {
    "bad_signature": "The signature does not match: the badge was changed after it was signed, "
    "or it was not signed by this centre.",
    "invalid_key_id": "This badge was not signed with this centre's key, so it cannot be "
    "checked here.",
    "unsupported_algorithm": "This badge was not signed the way this centre signs badges "
    "(Ed25519).",
    "decode_error": "This text is not a badge: it could not be read as a signed credential.",
}


def check(token: str, keys: dict[str, Any]) -> Checked:
    """The header and claims of ``token`` if one of ``keys`` (a JWKS) signed it; else
    :class:`BadToken` saying why in plain words."""
    foreign = _foreign(token)
    if foreign:
        raise BadToken(foreign)
    token = "".join(token.split())
    if token.count(".") != 2:
        raise BadToken("This is not a signed badge: a badge file holds three parts joined by dots.")
    try:
        key_set_ = KeySet.import_key_set(keys)  # type: ignore[arg-type]
        with _eddsa_named():
            result = jwt.decode(token, key_set_, algorithms=[ALGORITHM])
    except JoseError as exc:
        raise BadToken(_REASONS.get(exc.error, _REASONS["decode_error"])) from exc
    return Checked(header=dict(result.header), claims=dict(result.claims))


_CREDENTIALS = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}


def _foreign(text: str) -> str:
    """Why a badge written as JSON (another issuer's, with an embedded proof, or an Open Badges
    2.0 assertion) cannot be checked here, naming its issuer; "" for anything else."""
    if not text.lstrip().startswith("{"):
        return ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
        return ""
    if not isinstance(data, dict):
        return ""
    kinds = data.get("type")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
    if "Assertion" in kinds:
        what = "an Open Badges 2.0 assertion"
    elif kinds & _CREDENTIALS or "VerifiableCredential" in kinds:
        what = "an Open Badges credential"
    else:
        return ""
    issuer = data.get("issuer")
    name = issuer.get("name") or issuer.get("id") if isinstance(issuer, dict) else issuer
    if isinstance(name, str):  # shown on a page: one line, and text UTF-8 can hold
        name = " ".join(name.encode("utf-8", "replace").decode("utf-8").split())[:120]
    by = f" issued by {name}" if isinstance(name, str) and name else ""
    return (
        f"This is {what}{by}, written as JSON. This centre checks only the badges it issued "
        "(their .jwt files, signed with the centre's key), so it cannot check this one: "
        "ask its issuer."
    )


REGISTERED = ("iss", "jti", "nbf", "exp", "sub")


def unverified(token: str) -> Checked:
    """The header and claims of a token this centre stored itself, read without checking the
    signature (for showing it; :func:`check` is what decides whether to trust one)."""
    try:
        header, payload, _signature = token.split(".")
        decoded = [
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            for part in (header, payload)
        ]
    except ValueError as exc:
        raise BadToken(_REASONS["decode_error"]) from exc
    return Checked(header=decoded[0], claims=decoded[1])


def credential_of(claims: dict[str, Any]) -> dict[str, Any]:
    """The credential inside a VC-JWT payload: the claims less the registered JWT claims."""
    return {k: v for k, v in claims.items() if k not in REGISTERED}
