"""Secrets the server must read back, stored encrypted at rest (today: the TOTP secret of
two-step verification), so that a copy of the database alone does not give them away.

Encryption is ``cryptography``'s Fernet (AES-128-CBC with an HMAC-SHA256 over the whole token:
authenticated, so a changed or foreign value is refused, never misread), through MultiFernet
for rotation: the keys come from ``PORTFOLIO_ENCRYPTION_KEYS``, comma-separated; the first
encrypts, every one decrypts. Unset, one key is derived from ``PORTFOLIO_SECRET_KEY`` (HKDF
with SHA-256): changing the secret key then makes the stored secrets unreadable."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"portfolio: secrets stored encrypted at rest"
KEY_HELP = (
    "each key is 44 characters of URL-safe base64 (32 bytes), as "
    "`portfolio two-step new-key` prints"
)


class Unreadable(Exception):
    """A stored value no key in use decrypts: the key changed, or the value was altered."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from the site's secret key (when no keys are set)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


def new_key() -> str:
    """A fresh random key for ``PORTFOLIO_ENCRYPTION_KEYS``."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(spec: str | None) -> list[bytes]:
    """``KEY1,KEY2`` -> the keys, first to encrypt; ValueError naming the one that is not a key."""
    keys = []
    for place, part in enumerate((spec or "").split(","), start=1):
        key = part.strip()
        if not key:
            continue
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise ValueError(f"key number {place} is not a key: {KEY_HELP}") from None
        keys.append(key.encode("ascii"))
    return keys


@dataclass(frozen=True)
class Sealer:
    """Encrypts with the first of ``keys`` and decrypts with any."""

    keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a sealer needs at least one key")

    def seal(self, text: str) -> str:
        return Fernet(self.keys[0]).encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> tuple[str, bool]:
        """The text ``stored`` seals, and whether it is sealed under the first key (False: it
        should be sealed again, after a rotation); :class:`Unreadable` when no key opens it."""
        token = stored.encode("ascii", errors="replace")
        try:
            return Fernet(self.keys[0]).decrypt(token).decode("utf-8"), True
        except InvalidToken:
            pass
        if len(self.keys) > 1:
            try:
                return MultiFernet([Fernet(k) for k in self.keys[1:]]).decrypt(
                    token
                ).decode(), False
            except InvalidToken:
                pass
        raise Unreadable("no key in use decrypts this value")


def from_settings(conf: Mapping[str, Any]) -> Sealer:
    """The sealer of a configuration: ``ENCRYPTION_KEYS``, else a key derived from
    ``SECRET_KEY``; ValueError with the reason for a bad key."""
    keys: Sequence[bytes] = parse_keys(conf.get("ENCRYPTION_KEYS"))
    if not keys:
        keys = [derived_key(str(conf.get("SECRET_KEY") or ""))]
    return Sealer(tuple(keys))
