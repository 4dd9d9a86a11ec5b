"""Read NOS database JSON records (the UK NOS database export) as a framework.

Field names are those of the database's JSON export ("NOS data fields v1.2.xlsx", sheet
"Columns used in PDF Document"; a test checks :data:`FIELDS` against that sheet). One record is a
standard; the input is one record (an object) or a list of records. Rich-text fields are HTML:

* ``Performance_criteria`` / ``Knowledge_and_understanding``: the items of the ordered (or
  unordered) list(s), read with :mod:`html.parser` (text of nested lists stays with its item);
  without any list, each paragraph / line is an item. A printed code at the start of an item
  (``P1``, ``K1``, ``1.``) is dropped; items are coded ``P1..Pn`` / ``K1..Kn`` in order;
* ``Overview``: its paragraphs, as plain text separated by blank lines;
* ``Scope_range`` ... ``External_Links``: kept as Markdown sections in ``content``;
* ``Relevant_occupations``, ``Suite``, ``Keywords``: JSON arrays (or ``;``-separated strings),
  joined with ``"; "``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from framework.parse._text import decode_json
from framework.spec import (
    CriterionKind,
    CriterionSpec,
    FrameworkFormatError,
    FrameworkSpec,
    StandardSpec,
    version_problem,
)

FIELDS: tuple[str, ...] = (
    "URN",
    "Title",
    "Overview",
    "Performance_criteria",
    "Knowledge_and_understanding",
    "Scope_range",
    "Scope_range_related_to_performance_criteria",
    "Scope_range_related_to_knowledge_and_understanding",
    "Values",
    "Behaviours",
    "Skills",
    "Glossary",
    "Links_to_other_NOS",
    "External_Links",
    "Developed_by",
    "Version_number",
    "Date_approved",
    "Indicative_review_date",
    "Validity",
    "Status",
    "Originating_organisation",
    "Original_URN",
    "Relevant_occupations",
    "Suite",
    "Keywords",
    "SOC_Code",
    "NOSCategory",
)
CONTENT_FIELDS = FIELDS[5:14]
_BLOCKS = {"p", "div", "br", "li", "ol", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
_LEADING_CODE = re.compile(r"^(?:(?:KU|P|K)\s?\d{1,3}|\d{1,3}(?:\.\d{1,3})*)[.:)]?\s+(?=\S)")


class _HtmlText(HTMLParser):
    """Collects list items (outermost lists) and block-separated paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.blocks: list[str] = [""]
        self.depth = 0
        self.in_item = False
        self.hidden = 0  # inside <script>/<style>

    def _break(self) -> None:
        self.blocks.append("")
        if self.in_item and self.items:
            self.items[-1] += " "

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        if tag in _BLOCKS:
            self._break()
        if tag in ("ol", "ul"):
            self.depth += 1
        elif tag == "li" and self.depth == 1:
            self.items.append("")
            self.in_item = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        if tag in _BLOCKS:
            self._break()
        if tag in ("ol", "ul"):
            self.depth = max(0, self.depth - 1)
            if self.depth == 0:
                self.in_item = False
        elif tag == "li" and self.depth == 1:
            self.in_item = False

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.in_item and self.items:
            self.items[-1] += data
        self.blocks[-1] += data


def html_items(html: str) -> list[str]:
    """List items of an HTML fragment, or its paragraphs/lines when it has no list."""
    parser = _parse_html(html)
    items = [_clean(i) for i in parser.items]
    if not any(items):
        items = [_clean(line) for block in parser.blocks for line in block.split("\n")]
    return [_LEADING_CODE.sub("", i) for i in items if i]


def html_paragraphs(html: str) -> list[str]:
    parser = _parse_html(html)
    return [p for p in (_clean(b) for b in parser.blocks) if p]


def _parse_html(html: str) -> _HtmlText:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser


def parse_nos_json(data: bytes | str, source: str = "") -> FrameworkSpec:
    """Parse one NOS database record, or a list of them, into a :class:`FrameworkSpec`."""
    value = decode_json(data, source)
    if isinstance(value, dict):
        records, prefix = [value], ""
    elif isinstance(value, list) and value:
        records, prefix = value, "/{}"
    else:
        raise FrameworkFormatError(
            "expected a NOS record (object) or a non-empty list of records",
            source=source,
            place="/",
        )
    standards: list[StandardSpec] = []
    for n, record in enumerate(records):
        pointer = prefix.format(n)
        if not isinstance(record, dict):
            raise FrameworkFormatError(
                "a NOS record must be an object", source=source, place=pointer or "/"
            )
        standard = _standard(record, pointer, source)
        if any(s.code == standard.code for s in standards):
            raise FrameworkFormatError(
                f"standard {standard.code} appears twice", source=source, place=f"{pointer}/URN"
            )
        standards.append(standard)
    problem = version_problem(standards[0].version)  # the framework's version is the first's
    if problem:
        place = f"{prefix.format(0)}/Version_number"
        raise FrameworkFormatError(problem, source=source, place=place)
    first: dict[str, Any] = records[0]
    suite = _joined(first.get("Suite"))
    letters = re.match(r"[A-Z]+", standards[0].code)
    metadata = {
        key.lower(): _joined(first.get(key))
        for key in ("Developed_by", "Suite", "NOSCategory", "SOC_Code")
        if _joined(first.get(key))
    }
    return FrameworkSpec(
        code=letters.group(0) if letters else standards[0].code,
        title=suite.split("; ")[0] if suite else standards[0].title,
        version=standards[0].version or "1",
        source_format="nos-json",
        standards=standards,
        metadata=metadata,
    )


def _standard(record: dict[str, Any], pointer: str, source: str) -> StandardSpec:
    def fail(message: str, name: str) -> FrameworkFormatError:
        return FrameworkFormatError(message, source=source, place=f"{pointer}/{name}")

    urn = " ".join(_joined(record.get("URN")).split()) or " ".join(
        _joined(record.get("Original_URN")).split()
    )
    if not urn:
        raise fail("record without a URN", "URN")
    title = _clean(_joined(record.get("Title")))
    if not title:
        raise fail("record without a Title", "Title")
    criteria: list[CriterionSpec] = []
    for name, kind, letter in (
        ("Performance_criteria", "performance", "P"),
        ("Knowledge_and_understanding", "knowledge", "K"),
    ):
        html = record.get(name, "")
        if html is not None and not isinstance(html, str):
            raise fail("expected HTML text", name)
        for n, item in enumerate(html_items(html or ""), start=1):
            k: CriterionKind = "performance" if kind == "performance" else "knowledge"
            criteria.append(CriterionSpec(k, f"{letter}{n}", item, len(criteria) + 1))
    if not criteria:
        raise fail(f"standard {urn} has no criteria", "Performance_criteria")
    content = []
    for name in CONTENT_FIELDS:
        html = record.get(name)
        if isinstance(html, str) and html.strip():
            paragraphs = html_paragraphs(html)
            if paragraphs:
                body = "\n\n".join(paragraphs)
                content.append(f"## {name.replace('_', ' ')}\n\n{body}")
    overview = record.get("Overview")
    return StandardSpec(
        code=urn.split()[-1],
        title=title,
        urn=urn,
        overview="\n\n".join(html_paragraphs(overview)) if isinstance(overview, str) else "",
        content="\n\n".join(content),
        version=_joined(record.get("Version_number")),
        date_approved=_joined(record.get("Date_approved")),
        review_date=_joined(record.get("Indicative_review_date")),
        validity=_joined(record.get("Validity")),
        status=_joined(record.get("Status")),
        originating_organisation=_joined(record.get("Originating_organisation")),
        occupations=_joined(record.get("Relevant_occupations")),
        keywords=_joined(record.get("Keywords")),
        criteria=criteria,
    )


def _joined(value: object) -> str:
    """A scalar or a JSON array (the ``;``-separated fields) as one string."""
    if isinstance(value, list):
        parts = [_joined(v) for v in value]
        return "; ".join(p for p in parts if p)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return "; ".join(p.strip() for p in text.split(";") if p.strip()) if ";" in text else text
    return ""


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())
