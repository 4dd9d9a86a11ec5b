"""The centre's signing key (Ed25519): made once, kept in the instance folder, never overwritten.

The private key is a PEM file of mode 0600 at ``SIGNING_KEY`` of the configuration
(``<instance>/centre-signing-key.pem``; ``portfolio init`` makes it when it is absent); its
public half is what other centres trust (``portfolio key show`` prints it). A key is named by
its fingerprint, ``sha256:`` and the SHA-256 of the 32 raw bytes of the public key, in hex.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from portfolio.errors import Invalid


def ensure_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The key at ``path``, made first when there is none: (key, whether it was made now).

    An existing file is never overwritten, even if it cannot be read (then :class:`Invalid`)."""
    if path.exists():
        return load_private_key(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:  # O_EXCL: a key made meanwhile by someone else is kept, not replaced
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_private_key(path), False
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.chmod(path, 0o600)
    return key, True


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The centre's key from its PEM file; :class:`Invalid` if missing or not an Ed25519 key."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise Invalid(
            f"The centre has no signing key at {path}: run `portfolio init` to make one."
        ) from None
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise Invalid(f"{path} is not a readable private key ({exc}).") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise Invalid(f"{path} is not an Ed25519 key.")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A trusted centre's public key from a PEM file (as ``portfolio key show`` prints it)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise Invalid(f"Cannot read the key file {path} ({exc.strerror}).") from exc
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise Invalid(f"{path} is not a PEM public key ({exc}).") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise Invalid(f"{path} is not an Ed25519 public key.")
    return key


def trusted_centres(folder: Path) -> dict[str, Ed25519PublicKey]:
    """The public keys of the centres an administrator configured as trusted: one ``.pem`` file
    each in ``folder``, named for the centre (``Northfield.pem``); none when there is no folder.
    A file that is not an Ed25519 public key is :class:`Invalid`, naming it."""
    if not folder.is_dir():
        return {}
    return {path.stem: load_public_key(path) for path in sorted(folder.glob("*.pem"))}


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def fingerprint(key: Ed25519PublicKey) -> str:
    """``sha256:<hex>`` of the key's 32 raw bytes: how a key is named in bundles and reports."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()
