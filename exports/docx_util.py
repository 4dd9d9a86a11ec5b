"""Small helpers for laying out .docx files with python-docx: fields, header rows, clean text,
language, and byte-for-byte reproducible packaging."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from lxml import etree

# Characters XML 1.0 cannot hold (lxml refuses them): C0 controls but tab, LF and CR; surrogates;
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """User text made safe for a Word run: characters XML cannot hold are dropped."""
    return _NOT_XML.sub("", text)


def fmt_date(value: date | None) -> str:
    """``3 Dec 2024``: a date in words, as the pages say it (and as nobody misreads it)."""
    return f"{value.day} {value:%b %Y}" if value else ""


def fmt_datetime(value: datetime | None) -> str:
    """``2024-03-05 14:30`` for naive times; aware times are shown in UTC with the zone."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.strftime("%Y-%m-%d %H:%M")


def as_utc_naive(value: datetime) -> datetime:
    """Core properties are written as UTC without an offset."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) whose cached result is ``placeholder``."""

    def fld_char(kind: str) -> BaseOxmlElement:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    for part in (fld_char("begin"), instr, fld_char("separate")):
        run = paragraph.add_run()
        run._r.append(part)
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(fld_char("end"))


def repeat_as_header(row: _Row) -> None:
    """Mark a table row as a header row, repeated at the top of every page (``w:tblHeader``)."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def no_split(row: _Row) -> None:
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def describe_table(table: Table, caption: str, description: str = "") -> None:
    """Caption and description for assistive technology (``w:tblCaption``/``w:tblDescription``)."""
    tbl_pr = table._tbl.tblPr
    for tag, value in (("w:tblCaption", caption), ("w:tblDescription", description)):
        if value:
            el = OxmlElement(tag)
            el.set(qn("w:val"), clean(value))
            tbl_pr.append(el)


def set_language(document: DocxDocument, lang: str) -> None:
    """Language of the document's default run properties and of its core properties."""
    styles = document.styles.element
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is None:
        doc_defaults = OxmlElement("w:docDefaults")
        styles.insert(0, doc_defaults)
    rpr_default = doc_defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        doc_defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang_el.set(qn(attr), lang)
    document.core_properties.language = lang


def reproducible_zip(data: bytes, when: datetime) -> bytes:
    """Repack a .docx so the bytes depend on content only: fixed member times, same order."""
    stamp = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


@dataclass(frozen=True)
class CellSpec:
    """One table cell: its lines (one paragraph each) and its part in a vertical merge."""

    lines: tuple[str, ...] = ()
    merge: str | None = None  # None, "restart" (first of a merged run) or "continue"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, qn(tag))
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    return el


def append_rows(
    table: Table,
    rows: Iterable[Sequence[CellSpec]],
    widths: Sequence[Length],
    paragraph_style: str,
) -> None:
    """Append body rows as raw WordprocessingML: python-docx's cell API is slow for big tables.

    Every row is kept on one page (``w:cantSplit``); widths are in EMU and written as twips.
    """
    tbl = table._tbl
    twips = [str(int(w.twips)) for w in widths]
    for row in rows:
        tr = _sub(tbl, "w:tr")
        _sub(_sub(tr, "w:trPr"), "w:cantSplit", val="true")
        for spec, width in zip(row, twips, strict=True):
            tc = _sub(tr, "w:tc")
            tc_pr = _sub(tc, "w:tcPr")
            _sub(tc_pr, "w:tcW", w=width, type="dxa")
            if spec.merge == "restart":
                _sub(tc_pr, "w:vMerge", val="restart")
            elif spec.merge == "continue":
                _sub(tc_pr, "w:vMerge")
            for line in spec.lines or ("",):
                p = _sub(tc, "w:p")
                _sub(_sub(p, "w:pPr"), "w:pStyle", val=paragraph_style)
                if line:
                    t = _sub(_sub(p, "w:r"), "w:t")
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    t.text = clean(line)


def add_styled(document: DocxDocument, style_id: str, text: str = "") -> Paragraph:
    """``document.add_paragraph(text, style)`` by style *id*, skipping python-docx's slow lookup."""
    paragraph = document.add_paragraph()
    paragraph._p.style = style_id
    if text:
        paragraph.add_run(clean(text))
    return paragraph
