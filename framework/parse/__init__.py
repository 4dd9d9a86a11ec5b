"""Framework importers: every function here is pure (bytes or text in, ``FrameworkSpec`` out).

``parse(data, filename)`` sniffs the format (``detect_format``) and dispatches to one reader:

===============  =====================================  ==========================================
format           reader                                 recognised by
===============  =====================================  ==========================================
``nos-docx``     :func:`nos_docx.parse_nos_docx`        zip signature, or a ``.docx`` name
``case``         :func:`case.parse_case`                JSON with a ``CFDocument``
``json``         :func:`framework_from_json`            our own JSON export (``"format"`` key)
``nos-json``     :func:`nos_json.parse_nos_json`        other JSON (NOS database records)
``csv``          :func:`csv_units.parse_csv`            ``.csv`` name, or a header naming
                                                        ``criterion_text``
``topic-guide``  :func:`topic_guide.parse_topic_guide`  an ``Examiner Marking Points`` line
``nos-text``     :func:`nos_text.parse_nos_text`        a header line such as ``LSI SE01``
``nos-page``     :func:`nos_page.parse_nos_page`        ``You must be able to`` and ``You need to
                                                        know and understand`` without such headers
                                                        (one NOS copied from ukstandards.org.uk)
===============  =====================================  ==========================================

A spreadsheet (.xlsx, a zip too) is never a framework: the NOS catalogue and the NOS field list
are recognised and refused with a message saying what they are (:mod:`spreadsheet`).
:func:`combine.parse_files` reads several files (one NOS per .docx or page) as one framework.

Every failure, whatever the input, is a :class:`framework.spec.FrameworkFormatError`.
"""

from __future__ import annotations

import re

from framework.export_json import FORMAT as JSON_FORMAT
from framework.export_json import framework_from_json
from framework.parse._text import decode_text
from framework.parse.case import parse_case
from framework.parse.csv_units import parse_csv
from framework.parse.nos_docx import parse_nos_docx
from framework.parse.nos_json import parse_nos_json
from framework.parse.nos_page import parse_nos_page
from framework.parse.nos_text import parse_nos_text
from framework.parse.topic_guide import parse_topic_guide
from framework.spec import FrameworkFormatError, FrameworkSpec

FORMATS = ("nos-text", "nos-page", "nos-docx", "topic-guide", "case", "nos-json", "csv", "json")
_SNIFF = 256 * 1024
_NOS_HEADER = re.compile(r"^[A-Z]{2,6} [A-Z]{1,6}\d{2,4}\s*$", re.M)
_PAGE_STEMS = (
    re.compile(r"you must be able to", re.I),
    re.compile(r"you need to know and understand", re.I),
)
_MARKING = re.compile(r"^\s*Examiner Marking Points\s*:?\s*$", re.M | re.I)

__all__ = [
    "FORMATS",
    "detect_format",
    "parse",
    "parse_case",
    "parse_csv",
    "parse_nos_docx",
    "parse_nos_json",
    "parse_nos_page",
    "parse_nos_text",
    "parse_topic_guide",
]


def detect_format(data: bytes, filename: str) -> str:
    """The format of an uploaded file, from its content first and its name second."""
    if not data:
        raise FrameworkFormatError("empty file", source=filename, place="line 1")
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith(".docx"):
        return "nos-docx"
    head = data[:_SNIFF].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")) or name.endswith(".json"):
        if '"CFDocument"' in head:
            return "case"
        return "json" if f'"format": "{JSON_FORMAT}"' in head else "nos-json"
    first_line = head.split("\n", 1)[0].lower()
    if name.endswith(".csv") or (
        "criterion_text" in first_line and ("," in first_line or ";" in first_line)
    ):
        return "csv"
    if _MARKING.search(head):
        return "topic-guide"
    if _NOS_HEADER.search(head):
        return "nos-text"
    if all(p.search(head) for p in _PAGE_STEMS):
        return "nos-page"
    raise FrameworkFormatError(
        "unrecognised framework format (expected NOS text or .docx, the text of a NOS page, a "
        "topic guide, CASE or NOS JSON, or CSV)",
        source=filename,
        place="line 1",
    )


def parse(
    data: bytes,
    filename: str,
    fmt: str = "auto",
    *,
    code: str | None = None,
    title: str | None = None,
    strict: bool = False,
) -> FrameworkSpec:
    """Read ``data`` (the bytes of ``filename``) in format ``fmt`` (default: detected).

    ``code`` and ``title`` name a topic guide's unit; for other formats they replace the
    framework's code and title. ``strict`` applies to CASE (schema validation).
    """
    if not isinstance(data, bytes | bytearray):
        raise FrameworkFormatError("expected the bytes of a file", source=filename, place="line 1")
    data = bytes(data)
    if not data.strip():
        raise FrameworkFormatError("empty file", source=filename, place="line 1")
    if fmt == "auto":
        fmt = detect_format(data, filename)
    if fmt not in FORMATS:
        raise FrameworkFormatError(
            f"unknown format “{fmt}” (one of {', '.join(FORMATS)})", source=filename, place="format"
        )
    if fmt == "nos-docx":
        fw = parse_nos_docx(data, filename)
    elif fmt == "case":
        fw = parse_case(data, filename, strict=strict)
    elif fmt == "nos-json":
        fw = parse_nos_json(data, filename)
    elif fmt == "csv":
        fw = parse_csv(data, filename)
    elif fmt == "json":
        fw = framework_from_json(data, filename)
    elif fmt == "nos-page":
        fw = parse_nos_page(decode_text(data, filename), filename)
    elif fmt == "topic-guide":
        return parse_topic_guide(decode_text(data, filename), filename, code=code, title=title)
    else:
        fw = parse_nos_text(decode_text(data, filename), filename)
    if code:
        fw.code = code
    if title:
        fw.title = title
    return fw
