"""Sections of the sign-off record: labelled fields, the two declarations with their signature
blocks, the audit trail's head and the IQA section, laid out from plain data.

A declaration is kept on one page: its heading, wording and signature block are paragraphs that
each keep with the next (and keep their own lines together), so Word and LibreOffice move the
whole block to the next page rather than split it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph

from exports.docx_util import add_styled, clean
from portfolio.services.registration_standards import CENTRE

FIELD_STYLE = "Record Field"
BLANK = "_" * 30


def spoken_date(value: datetime | date | None, zone: ZoneInfo = CENTRE) -> str:
    """``Monday 2 December 2024``: a date as people write it, a moment's on the centre's clock
    (``zone``, the ``TIME_ZONE``)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(zone)
    return f"{value:%A} {value.day} {value:%B %Y}"


def spoken_time(value: datetime | None, zone: ZoneInfo = CENTRE) -> str:
    """``10:15 GMT``, ``11:15 BST``: the moment on the centre's clock, named by its zone's
    abbreviation (``10:15`` for a time without a zone)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        return value.astimezone(zone).strftime("%H:%M %Z")
    return value.strftime("%H:%M")


def style_id(doc: DocxDocument, name: str) -> str:
    return str(doc.styles[name].style_id)


def fields(doc: DocxDocument, *pairs: tuple[str, str], keep: bool = False) -> list[Paragraph]:
    """``Label: value`` lines; with ``keep`` each line keeps with the next and stays whole."""
    found = []
    sid = style_id(doc, FIELD_STYLE)
    for label, value in pairs:
        p = add_styled(doc, sid)
        p.add_run(f"{label}: ").bold = True
        p.add_run(clean(value))
        if keep:
            p.paragraph_format.keep_together = True
            p.paragraph_format.keep_with_next = True
        found.append(p)
    return found


@dataclass(frozen=True)
class DeclarationBlock:
    """One declaration as made: the exact wording, who confirmed it and when."""

    heading: str
    role: str  # "Learner" | "Assessor"
    wording: str  # empty when none was recorded as an act
    name: str
    at: datetime | None
    missing: str = ""  # what to print instead of the wording when there is none
    extra: tuple[tuple[str, str], ...] = ()


def add_declaration(doc: DocxDocument, block: DeclarationBlock, zone: ZoneInfo = CENTRE) -> None:
    """Heading, wording and signature block (typed name, date, time on the centre's clock),
    never split over pages."""
    heading = add_styled(doc, "Heading2", block.heading)
    wording = doc.add_paragraph(clean(block.wording) if block.wording else block.missing)
    lines = fields(
        doc,
        (f"{block.role} (typed name)", block.name),
        ("Date", spoken_date(block.at, zone) or BLANK),
        ("Time", spoken_time(block.at, zone) or BLANK),
        *block.extra,
        keep=True,
    )
    for p in (heading, wording):
        p.paragraph_format.keep_together = True
        p.paragraph_format.keep_with_next = True
    lines[-1].paragraph_format.keep_with_next = False


def add_audit_head(doc: DocxDocument, entries: int | None, head: str) -> None:
    add_styled(doc, "Heading1", "Audit trail")
    if entries is None or not head:
        doc.add_paragraph(
            "The audit trail's head was not recorded when this standard was signed off."
        )
        return
    doc.add_paragraph(
        "When this standard was signed off the centre's audit trail held "
        f"{entries} entries; its newest entry's hash is given below. A trail that still extends "
        "this head shows the record's history has not been cut or rewritten."
    )
    fields(doc, ("Audit entries", str(entries)), ("Audit head SHA-256", head))


@dataclass(frozen=True)
class IqaSection:
    """Filled in when the sign-off was sampled; ``None`` on the view leaves blanks to sign."""

    sampled: bool
    decision: str = ""  # "agreed", "not agreed: actions set", ...
    name: str = ""
    decided_at: datetime | None = None  # when the IQA's review was made
    comments: str = ""


def add_iqa(doc: DocxDocument, iqa: IqaSection | None, zone: ZoneInfo = CENTRE) -> None:
    if iqa is None:
        doc.add_paragraph(
            "To be completed by the internal quality assurer if this record is sampled."
        )
        fields(
            doc,
            ("Sampled", "Yes / No"),
            ("Decision", BLANK),
            ("Comments", BLANK),
            ("Name", BLANK),
            ("Signature", BLANK),
            ("Date", BLANK),
        )
        return
    fields(
        doc,
        ("Sampled", "Yes" if iqa.sampled else "No"),
        ("Decision", iqa.decision or "—"),
        ("Comments", iqa.comments or "—"),
        ("Name", iqa.name or BLANK),
        ("Signature", BLANK),
        ("Date", spoken_date(iqa.decided_at, zone) or BLANK),
    )
