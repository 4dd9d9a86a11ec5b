"""The bundle's signature: a detached Ed25519 signature over the exact bytes of ``manifest.json``.

The manifest lists the SHA-256 of every other file of the zip, so one signature over it covers
the whole bundle. ``signature.json`` holds the signing key's fingerprint, its public key (for
the reader's information only: trust comes from the keys the importing centre names, never from
the bundle) and the signature in base64.

What a check finds is one of four states: ``verified`` (by a trusted key, named), ``untrusted``
(a valid signature by a key the importing centre does not trust), ``invalid`` (the signature does
not verify: the manifest was changed after signing, or the signature is damaged) and
``unsigned``. Only ``verified`` gives a bundle's decisions authority.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from portfolio.services.keys import fingerprint, public_pem

SIGNATURE: Final = "signature.json"
SIGNATURE_FORMAT: Final = "competence-portfolio-bundle-signature"

State = Literal["verified", "untrusted", "invalid", "unsigned"]


def signature_json(key: Ed25519PrivateKey, manifest: bytes) -> bytes:
    """The bytes of ``signature.json`` for the bytes of ``manifest.json``."""
    public = key.public_key()
    data = {
        "format": SIGNATURE_FORMAT,
        "algorithm": "Ed25519",
        "signed_file": "manifest.json",
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "key_fingerprint": fingerprint(public),
        "public_key": public_pem(public),
        "signature": base64.b64encode(key.sign(manifest)).decode("ascii"),
    }
    return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class SignatureCheck:
    state: State
    key: str | None = None  # the fingerprint: of the trusted key (verified) or the stated one
    reason: str = ""

    @property
    def verified(self) -> bool:
        return self.state == "verified"

    @property
    def message(self) -> str:
        if self.state == "verified":
            return f"Signature verified with the trusted key {self.key}."
        return f"Signature not verified: {self.reason}."


def check_signature(
    zf: zipfile.ZipFile, manifest: bytes, trusted: Sequence[Ed25519PublicKey]
) -> SignatureCheck:
    """What the bundle's signature proves about ``manifest`` (the bytes read from the zip)."""
    try:
        raw = zf.read(SIGNATURE)
    except KeyError:
        return SignatureCheck("unsigned", reason="the bundle is not signed")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        return SignatureCheck("invalid", reason=f"{SIGNATURE} cannot be read")
    try:
        data = json.loads(raw)
        stated = str(data["key_fingerprint"])
        signature = base64.b64decode(data["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):  # nested too deep
        return SignatureCheck("invalid", reason=f"{SIGNATURE} is damaged")
    for key in trusted:
        try:
            key.verify(signature, manifest)
        except InvalidSignature:
            continue
        return SignatureCheck("verified", key=fingerprint(key))
    if stated in {fingerprint(k) for k in trusted}:
        return SignatureCheck(
            "invalid",
            key=stated,
            reason=f"it does not match the manifest under the trusted key {stated} "
            "(the manifest was changed after signing)",
        )
    if _verifies_with_stated_key(data, signature, manifest, stated):
        return SignatureCheck(
            "untrusted", key=stated, reason=f"it was made by the key {stated}, not trusted here"
        )
    return SignatureCheck(
        "invalid", key=stated, reason="it does not match the manifest under any key"
    )


def _verifies_with_stated_key(
    data: dict[str, object], signature: bytes, manifest: bytes, stated: str
) -> bool:
    pem = data.get("public_key")
    if not isinstance(pem, str):
        return False
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm):
        return False
    if not isinstance(key, Ed25519PublicKey) or fingerprint(key) != stated:
        return False
    try:
        key.verify(signature, manifest)
    except InvalidSignature:
        return False
    return True
