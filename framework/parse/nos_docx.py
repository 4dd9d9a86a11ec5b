"""Read National Occupational Standards published as Word (.docx) files.

The body is read in document order as a stream of paragraphs and table rows; a small state
machine then does what a reader does:

* a standard starts at a ``Heading 1`` paragraph, or at any paragraph or first table cell that is
  just a URN (``LSI SE04``); the title is the rest of that heading (``LSI SE04 Identify ...``) or
  the next non-empty paragraph / the next cell. A repeat of the current URN (page header) is
  skipped with its title. A ``Title`` paragraph before the first standard names the suite;
* ``Overview``, ``Performance criteria`` / ``You must be able to:`` and ``Knowledge and
  understanding`` / ``You need to know and understand:`` switch section, whether they are
  headings, plain paragraphs or the first cell of a table row;
* in a criteria section, an item is a paragraph or table row numbered ``P1``/``K1``, ``KU1``,
  ``1.1``, ``1``/``1.`` or a Word list paragraph (numbering or ``List ...`` style) without a
  printed number. A prefix ``P``/``K``/``KU`` sets the kind, otherwise the section does; items are
  renumbered ``P1..Pn`` / ``K1..Kn`` in document order. A plain paragraph after an item continues
  it. A printed code repeated in one standard is an error. An older NOS printing sub-criteria
  (``P4``, ``P4.1``, ``P4.2``) keeps its numbers and each sub-criterion as a criterion
  (:func:`framework.parse._criteria.fold_sub_criteria`);
* the metadata is a two-column table (``Developed by``, ``Version number`` ... ``Key words``) or
  ``Label: value`` paragraphs.

The file is checked before python-docx sees it: it must be a zip holding ``word/document.xml``,
with at most ``MAX_MEMBERS`` members and ``MAX_UNCOMPRESSED`` bytes uncompressed in total (zip
bombs), so a hostile upload costs nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from framework.parse._criteria import fold_sub_criteria
from framework.parse.nos_text import METADATA_LABELS, metadata_key, standard_spec
from framework.parse.spreadsheet import (
    explain_spreadsheet,
    explain_unopened_spreadsheet,
    is_spreadsheet,
    is_spreadsheet_name,
)
from framework.spec import (
    CriterionKind,
    CriterionSpec,
    FrameworkFormatError,
    FrameworkSpec,
    StandardSpec,
    version_problem,
)

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 2000

_URN = re.compile(
    r"^(?P<urn>[A-Z]{2,8}\s+(?P<code>[A-Z]{1,8}\d{1,4}(?:\.\d+)?))(?:\s+(?P<title>.+))?$"
)
# A URN as the NOS database prints it now, without a space ("SFJCJAA1"): it opens a standard
# only where one can start (before the first, or after the facts table of the one before), since
# a list of related NOS inside a standard prints URNs too.
_COMPACT_URN = re.compile(r"^(?P<urn>(?P<code>[A-Z]{4,12}\d{1,4}[A-Z]?))(?:\s+(?P<title>.+))?$")
_BARE_CODE = re.compile(r"^(?P<code>[A-Z]{1,8}\d{1,4}(?:\.\d+)?)(?:\s+(?P<title>.+))?$")
_ITEM = re.compile(
    r"^(?:(?P<prefix>KU|P|K)\s?(?P<n>\d{1,3})(?:\.(?P<sub>\d{1,2}))?|(?P<outline>\d{1,3}(?:\.\d{1,3})*))[.:)]?"
    r"(?:\s+|\t+)(?P<text>\S.*)$"
)
_CODE_CELL = re.compile(
    r"^(?:(?P<prefix>KU|P|K)\s?\d{1,3}(?:\.\d{1,2})?|\d{1,3}(?:\.\d{1,3})*)[.:)]?$"
)
_META = re.compile(
    r"^(?P<label>" + "|".join(re.escape(k) for k in METADATA_LABELS) + r")\s*(?::|\t)\s*(?P<v>.*)$",
    re.I,
)
_LABELS = {k.lower(): k for k in METADATA_LABELS}
_KIND: dict[str, CriterionKind] = {"P": "performance", "K": "knowledge", "KU": "knowledge"}


@dataclass
class _Block:
    place: str
    text: str = ""
    style: str = ""
    numbered: bool = False
    cells: list[list[tuple[str, bool]]] | None = None  # table row: cell -> paragraphs


@dataclass
class _Std:
    place: str
    urn: str = ""
    code: str = ""
    title: str = ""
    overview: list[str] = field(default_factory=list)
    items: list[tuple[CriterionKind, str]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # "4", "4.1" when printed P4 / P4.1
    printed: dict[str, str] = field(default_factory=dict)  # printed code -> place
    meta: dict[str, str] = field(default_factory=dict)
    meta_places: dict[str, str] = field(default_factory=dict)  # label -> paragraph or table row


def parse_nos_docx(data: bytes, source: str = "") -> FrameworkSpec:
    """Parse a .docx holding one or several NOS into a :class:`FrameworkSpec`."""
    document = open_docx(data, source)
    try:
        blocks = list(_blocks(document))
    except Exception as exc:  # malformed XML inside an otherwise valid package
        raise FrameworkFormatError(
            f"unreadable document body ({exc})", source=source, place="word/document.xml"
        ) from None
    return _Reader(source).read(blocks)


def open_docx(data: bytes, source: str = "") -> object:
    """Check the zip (type, size, members) and open it with python-docx."""
    if not isinstance(data, bytes | bytearray):
        raise FrameworkFormatError("expected the bytes of a .docx file", source=source, place="zip")
    if not data:
        raise FrameworkFormatError("empty file", source=source, place="zip")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if is_spreadsheet_name(source):
            explain_unopened_spreadsheet(exc, source)
        raise FrameworkFormatError(
            f"not a .docx file (not a zip: {exc})", source=source, place="zip"
        ) from None
    if len(members) > MAX_MEMBERS:
        raise FrameworkFormatError(
            f"too many parts in the .docx ({len(members)})", source=source, place="zip"
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise FrameworkFormatError(
            f"the .docx unpacks to {total} bytes (limit {MAX_UNCOMPRESSED}); refusing it",
            source=source,
            place="zip",
        )
    if is_spreadsheet(names):
        explain_spreadsheet(bytes(data), source)
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise FrameworkFormatError(
            "not a .docx file (no word/document.xml)", source=source, place="word/document.xml"
        )
    import docx

    try:
        return docx.Document(io.BytesIO(bytes(data)))
    except Exception:  # python-docx raises many types on corrupt parts, in its own words
        raise FrameworkFormatError(
            "not a readable .docx: it is damaged or was not saved by Word (open it in Word and "
            "save it again, as a Word document)",
            source=source,
            place="word/document.xml",
        ) from None


def _blocks(document: object) -> Iterator[_Block]:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    assert isinstance(document, Document)
    body = document.element.body
    paragraphs = tables = 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraphs += 1
            para = Paragraph(child, document)
            yield _Block(
                place=f"paragraph {paragraphs}",
                text=_clean(para.text),
                style=_style(para),
                numbered=_numbered(para),
            )
        elif tag == "tbl":
            tables += 1
            table = Table(child, document)
            for r, row in enumerate(table.rows, start=1):
                cells: list[list[tuple[str, bool]]] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell is returned once per grid column
                    seen.add(id(cell._tc))
                    cells.append([(_clean(p.text), _numbered(p)) for p in cell.paragraphs])
                yield _Block(place=f"table {tables} row {r}", cells=cells)


def _style(para: object) -> str:
    try:
        name = para.style.name  # type: ignore[attr-defined]
    except Exception:
        return ""
    return str(name or "").lower()


def _numbered(para: object) -> bool:
    p_pr = para._p.pPr  # type: ignore[attr-defined]
    if p_pr is not None and p_pr.numPr is not None:
        return True
    return _style(para).startswith("list")


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.title = ""
        self.standards: list[_Std] = []
        self.current: _Std | None = None
        self.section = ""
        self.expect_title = False
        self.skip_title = False
        self.last_was_item = False

    def fail(self, message: str, place: str) -> FrameworkFormatError:
        return FrameworkFormatError(message, source=self.source, place=place)

    def read(self, blocks: list[_Block]) -> FrameworkSpec:
        for block in blocks:
            if block.cells is None:
                self.paragraph(block)
            else:
                self.row(block)
        return self.finish()

    # -- paragraphs -------------------------------------------------------------------------
    def paragraph(self, block: _Block) -> None:
        text = block.text
        if not text:
            return
        if block.style == "title" and self.current is None:
            self.title = text
            return
        if block.style == "subtitle" and self.current is None:
            return  # the code and version our own export writes under the title
        heading1 = block.style in ("heading 1", "heading1")
        if self.start(text, block.place, heading=heading1):
            return
        if self.expect_title:
            assert self.current is not None
            self.current.title = text
            self.expect_title = False
            return
        if self.skip_title:
            self.skip_title = False
            if self.current is not None and text == self.current.title:
                return
        self.line(text, block.numbered, block.place)

    def start(self, text: str, place: str, heading: bool) -> bool:
        """Open a standard if ``text`` is a URN line (or any Heading 1)."""
        compact = _COMPACT_URN.match(text) if self.can_open() else None
        found = _URN.match(text) or compact or (_BARE_CODE.match(text) if heading else None)
        if found is None and not heading:
            return False
        if found is None:
            urn, code, title = "", "", text
        else:
            code, title = found["code"], found["title"] or ""
            urn = " ".join(found["urn"].split()) if "urn" in found.groupdict() else ""
        if not heading and not urn:
            return False
        current = self.current
        if current is not None and (urn or code) and (urn, code) == (current.urn, current.code):
            self.skip_title = not title  # page header repeat
            return True
        std = _Std(place=place, urn=urn, code=code, title=title)
        self.standards.append(std)
        self.current = std
        self.section = ""
        self.expect_title = not title
        self.last_was_item = False
        return True

    def can_open(self) -> bool:
        return self.current is None or self.section == "meta"

    def line(self, text: str, numbered: bool, place: str) -> None:
        std = self.current
        if std is None:
            return
        lowered = text.lower().rstrip(":")
        meta = _META.match(text)
        if meta and (meta["label"].lower() == "developed by" or self.section == "meta"):
            self.section = "meta"
            std.meta[_LABELS[meta["label"].lower()]] = meta["v"].strip()
            std.meta_places[_LABELS[meta["label"].lower()]] = place
            return
        if lowered == "overview":
            self.section = "overview"
        elif lowered.startswith("performance criteria") or lowered.startswith("you must be able"):
            self.section = "performance"
        elif lowered.startswith("knowledge and understanding") or lowered.startswith(
            "you need to know and understand"
        ):
            self.section = "knowledge"
        elif self.section in ("performance", "knowledge"):
            self.criterion_line(std, text, numbered, place)
            return
        elif self.section == "overview":
            std.overview.append(text)
            return
        self.last_was_item = False

    def criterion_line(self, std: _Std, text: str, numbered: bool, place: str) -> None:
        item = _ITEM.match(text)
        if item:
            prefix = item["prefix"]
            number = ""
            if prefix:
                number = f"{int(item['n'])}" + (f".{int(item['sub'])}" if item["sub"] else "")
            printed = f"{prefix}{number}" if prefix else item["outline"]
            kind = _KIND[prefix] if prefix else self.kind()
            self.add(std, kind, printed, item["text"], place, number if prefix else "")
        elif numbered:
            self.add(std, self.kind(), "", text, place, "")
        elif self.last_was_item and std.items:
            kind, previous = std.items[-1]
            std.items[-1] = (kind, f"{previous} {text}")

    def kind(self) -> CriterionKind:
        return "knowledge" if self.section == "knowledge" else "performance"

    def add(
        self, std: _Std, kind: CriterionKind, printed: str, text: str, place: str, number: str
    ) -> None:
        if printed:
            key = f"{kind}:{printed}"
            if key in std.printed:
                raise self.fail(
                    f"criterion {printed} appears twice in {std.urn or std.title} "
                    f"(first at {std.printed[key]})",
                    place,
                )
            std.printed[key] = place
        std.items.append((kind, _clean(text)))
        std.numbers.append(number)
        self.last_was_item = True

    # -- table rows -------------------------------------------------------------------------
    def row(self, block: _Block) -> None:
        cells = [" ".join(t for t, _ in paragraphs if t) for paragraphs in block.cells or []]
        if not any(cells):
            return
        first = cells[0]
        label = _LABELS.get(first.rstrip(":").strip().lower())
        if label and len(cells) >= 2 and self.current is not None:
            self.section = "meta"
            self.current.meta[label] = " ".join(c for c in cells[1:] if c)
            self.current.meta_places[label] = block.place
            return
        opens = _URN.match(first) or (self.can_open() and _COMPACT_URN.match(first))
        if opens and self.start(first, block.place, heading=False):
            rest = " ".join(c for c in cells[1:] if c)
            if rest and self.expect_title and self.current is not None:
                self.current.title = rest
                self.expect_title = False
            elif rest and self.skip_title:
                self.skip_title = False
            return
        std = self.current
        if std is None:
            return
        if len(cells) >= 2 and _CODE_CELL.match(first):
            if self.section not in ("performance", "knowledge"):
                self.section = "knowledge" if first.startswith("K") else "performance"
            self.criterion_line(
                std, f"{first} {' '.join(c for c in cells[1:] if c)}", True, block.place
            )
            return
        for paragraphs in block.cells or []:
            for text, numbered in paragraphs:
                if text:
                    self.line(text, numbered, block.place)

    # -- result -----------------------------------------------------------------------------
    def finish(self) -> FrameworkSpec:
        if not self.standards:
            raise self.fail(
                "no standard found (expected a Heading 1 or a URN such as 'LSI SE01')", "body"
            )
        specs = [self.standard(s, n) for n, s in enumerate(self.standards, start=1)]
        codes = [s.code for s in specs]
        for n, code in enumerate(codes):
            if code in codes[:n]:
                raise self.fail(f"standard {code} appears twice", self.standards[n].place)
        first = self.standards[0]
        problem = version_problem(specs[0].version)  # the framework's version is the first's
        if problem:
            raise self.fail(problem, first.meta_places["Version number"])
        letters = re.match(r"[A-Z]+", specs[0].code)
        suite = first.meta.get("Suite", "")
        return FrameworkSpec(
            code=letters.group(0) if letters else specs[0].code,
            title=self.title or suite or specs[0].title,
            version=specs[0].version or "1",
            source_format="nos-docx",
            standards=specs,
            metadata={
                metadata_key(k): v for k, v in first.meta.items() if k in ("Developed by", "Suite")
            },
        )

    def standard(self, std: _Std, position: int) -> StandardSpec:
        if not std.title:
            raise self.fail("standard without a title", std.place)
        if not std.items:
            raise self.fail(f"standard {std.urn or std.title} has no criteria", std.place)
        urn = std.urn or " ".join(std.meta.get("Original URN", "").split())
        code = std.code or (urn.split()[-1] if urn else f"S{position}")
        counters = {"performance": 0, "knowledge": 0}
        criteria: list[CriterionSpec] = []
        if all(std.numbers) and any("." in n for n in std.numbers):  # an older NOS: P4.1
            items = zip(std.items, std.numbers, strict=True)
            criteria = fold_sub_criteria([(kind, n, text) for (kind, text), n in items])
        for n, (kind, text) in enumerate(std.items if not criteria else [], start=1):
            counters[kind] += 1
            letter = "P" if kind == "performance" else "K"
            criteria.append(
                CriterionSpec(kind=kind, code=f"{letter}{counters[kind]}", text=text, position=n)
            )
        return standard_spec(
            code=code,
            title=std.title,
            urn=urn,
            overview=std.overview,
            metadata=std.meta,
            criteria=criteria,
        )
