"""The revocation list as a W3C Bitstring Status List: one bit per badge, 1 when revoked.

``encodedList`` is the GZIP-compressed bitstring, base64url without padding, with the multibase
prefix ``u``; bit 0 is the most significant bit of the first byte. A list holds
:data:`LIST_SIZE` entries (the 16 KB minimum the specification asks for, so that one badge's
place tells little about who holds it). Pure: no database.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable

LIST_SIZE = 131_072  # bits: 16 KB


def encode(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """The multibase-encoded GZIP bitstring of ``size`` bits with the indexes ``revoked`` set."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list (0..{size - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same revocations always give the same list
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The raw bitstring of an ``encodedList`` (multibase ``u`` prefix optional)."""
    text = encoded[1:] if encoded.startswith("u") else encoded
    packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return gzip.decompress(packed)


def is_set(bitstring: bytes, index: int) -> bool:
    """Whether bit ``index`` of the raw bitstring is 1 (revoked)."""
    if not 0 <= index < len(bitstring) * 8:
        raise ValueError(f"status index {index} is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
