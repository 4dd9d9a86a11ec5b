"""Turning uploaded bytes into text (or a JSON document), with errors a person can act on."""

from __future__ import annotations

import codecs
from typing import Any

from framework._json import load_json
from framework.spec import FrameworkFormatError

MAX_TEXT_BYTES = 20 * 1024 * 1024


def decode_text(data: bytes | str, source: str = "") -> str:
    """UTF-8 (a BOM is dropped) -> ``str``.

    Invalid UTF-8 (UTF-16 included), NUL characters and files above 20 MB raise
    :class:`FrameworkFormatError`.
    """
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > MAX_TEXT_BYTES:
            raise FrameworkFormatError(
                "file too large for a text framework", source=source, place="line 1"
            )
        text = _decode_bytes(raw, source)
    else:
        raise FrameworkFormatError(
            f"expected bytes or text, got {type(data).__name__}", source=source
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FrameworkFormatError(
            "NUL character: this looks like a binary file, not text",
            source=source,
            place=f"line {line}",
        )
    return text


def _decode_bytes(raw: bytes, source: str) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FrameworkFormatError(
            "UTF-16 text (or binary data); save the file as UTF-8", source=source, place="line 1"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FrameworkFormatError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8",
            source=source,
            place=f"line {line}",
        ) from None


def decode_json(data: bytes | str, source: str = "") -> Any:
    """A JSON document from uploaded bytes: :func:`decode_text`, then ``json.loads``.

    An empty (or blank) file and bad JSON raise :class:`FrameworkFormatError`."""
    text = decode_text(data, source)
    if not text.strip():
        raise FrameworkFormatError("empty file", source=source, place="line 1")
    return load_json(text, source)
