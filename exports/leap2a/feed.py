"""Reading a Leap2A feed: the XML parsed safely into plain data (pure: no database).

Leap2A (http://wiki.leapspecs.org/2A/specification) is an Atom feed whose entries carry an
``rdf:type`` (``leap2:entry``, ``leap2:resource``, ``leap2:selection``...), categories, dates and
typed links between entries. Exporters spell the Leap2A namespace differently (Mahara's own test
export points it at web.archive.org), so terms are matched by their last segment, as Mahara's own
importer matches CURIEs, and the leap2 elements by local name in any ``leapspecs.org`` namespace.

The parser resolves no entity, loads no DTD and reaches no network; a document with a DOCTYPE is
refused outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser

from lxml import etree

from portfolio.errors import Invalid

ATOM = "http://www.w3.org/2005/Atom"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XHTML = "http://www.w3.org/1999/xhtml"
LEAP2 = "http://terms.leapspecs.org/"
CATEGORIES = "http://wiki.leapspecs.org/2A/categories/"
VERSION = "http://www.leapspecs.org/2010-07/2A/"
# this engine's own terms: the kind of evidence and its kind-specific fields
OURS = "urn:x-competence-portfolio:leap2a:"
KIND_SCHEME = OURS + "evidence-kind#"
MAX_XML = 20 * 1024 * 1024


@dataclass(frozen=True)
class Category:
    term: str
    scheme: str = ""
    label: str = ""


@dataclass(frozen=True)
class Link:
    rel: str  # the term only: "enclosure", "has_part", "is_part_of", "related"...
    href: str
    mime: str = ""


@dataclass
class Entry:
    id: str
    title: str
    type: str  # the term only: "entry", "resource", "selection", "person", "plan"...
    text: str = ""  # the content as text (XHTML and HTML read as text)
    summary: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    start: date | None = None  # leap2:date leap2:point="start"
    author: str = ""
    categories: list[Category] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # our kind-specific fields


@dataclass
class Feed:
    title: str
    author: str
    entries: list[Entry]

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}


def term(value: str) -> str:
    """The term of a CURIE or URI: ``leap2:entry``, ``[leap2:entry]`` and
    ``http://terms.leapspecs.org/entry`` are all ``entry``."""
    value = value.strip().strip("[]")
    return re.split(r"[:/#]", value)[-1] if value else ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# libxml2's words for what is wrong, and ours
_XML_FAULTS = (
    ("Start tag expected", "it does not start with an XML element (is it a Leap2A file?)"),
    ("Excessive depth in document", "its elements are nested more than 256 levels deep"),
    ("xmlParseCharRef", "it holds a control character XML does not allow"),
    ("PCDATA invalid Char", "it holds a control character XML does not allow"),
    ("Char 0x", "it holds a control character XML does not allow"),
    ("Invalid bytes in character encoding",
     "it holds bytes that are not text in its encoding (save it as UTF-8)"),
)  # fmt: skip


def _not_well_formed(data: bytes, exc: etree.XMLSyntaxError) -> str:
    """Why ``data`` is not XML, where, in words: not libxml2's ("use XML_PARSE_HUGE option",
    "(<string>, line 1)")."""
    if not data.strip():
        return "The file is empty: choose the Leap2A .zip or .xml file exported from the portfolio."
    said = re.sub(r", line \d+, column \d+$", "", str(exc.msg or ""))
    reason = next((ours for theirs, ours in _XML_FAULTS if said.startswith(theirs)), said)
    line, column = exc.position if exc.position else (exc.lineno, 0)
    return f"This is not well-formed XML at line {line}, column {column}: {reason}."


def parse_feed(data: bytes) -> Feed:
    """The feed in ``data``, or :class:`Invalid` saying why it is not a Leap2A feed."""
    if len(data) > MAX_XML:
        raise Invalid(f"The Leap2A file is larger than {MAX_XML // (1024 * 1024)} MB.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise Invalid(_not_well_formed(data, exc)) from None
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None:
        raise Invalid("The file declares a DOCTYPE; a Leap2A feed has none (refused for safety).")
    if root.tag != f"{{{ATOM}}}feed":
        raise Invalid("This is not a Leap2A file: its root is not an Atom feed.")
    author = root.find(f"{{{ATOM}}}author/{{{ATOM}}}name")
    return Feed(
        title=_text(root.find(f"{{{ATOM}}}title")),
        author=_text(author),
        entries=[_entry(e) for e in root.findall(f"{{{ATOM}}}entry")],
    )


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _when(element: etree._Element | None) -> datetime | None:
    value = _text(element)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _is_leap(tag: object, local: str) -> bool:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return False
    namespace, _, name = tag[1:].partition("}")
    return name == local and "leapspecs.org" in namespace


def _leap_attr(element: etree._Element, local: str) -> str:
    for key, value in element.attrib.items():
        if _is_leap(key, local):
            return str(value)
    return ""


def _entry(element: etree._Element) -> Entry:
    kind = element.find(f"{{{RDF}}}type")
    entry = Entry(
        id=_text(element.find(f"{{{ATOM}}}id")),
        title=" ".join(_text(element.find(f"{{{ATOM}}}title")).split()),
        type=term(kind.get(f"{{{RDF}}}resource", "")) if kind is not None else "",
        text=content_text(element.find(f"{{{ATOM}}}content")),
        summary=content_text(element.find(f"{{{ATOM}}}summary")),
        published=_when(element.find(f"{{{ATOM}}}published")),
        updated=_when(element.find(f"{{{ATOM}}}updated")),
        author=_text(element.find(f"{{{ATOM}}}author/{{{ATOM}}}name")),
    )
    for child in element:
        if _is_leap(child.tag, "date") and _leap_attr(child, "point") in ("start", ""):
            when = _when(child)
            entry.start = entry.start or (when.date() if when else _plain_date(_text(child)))
        elif child.tag == f"{{{OURS}}}field" and child.get("name"):
            entry.fields[str(child.get("name"))] = _text(child)
    entry.categories = [
        Category(c.get("term", ""), c.get("scheme", ""), c.get("label", ""))
        for c in element.findall(f"{{{ATOM}}}category")
    ]
    entry.links = [
        Link(term(link.get("rel", "alternate")), link.get("href", "").strip(), link.get("type", ""))
        for link in element.findall(f"{{{ATOM}}}link")
        if link.get("href")
    ]
    return entry


def _plain_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def content_text(element: etree._Element | None) -> str:
    """An Atom text construct as text: ``text`` as it is, ``html`` and ``xhtml`` with their
    paragraphs, line breaks and list items kept as lines."""
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "xhtml":
        markup = (element.text or "") + "".join(
            etree.tostring(child, encoding="unicode") for child in element
        )
        return html_text(markup)
    if kind == "html":
        return html_text(element.text or "")
    return (element.text or "").strip()


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local in ("script", "style"):
            self.skip += 1
        elif local == "br":
            self.parts.append("\n")
        elif local == "li":
            self.parts.append("\n- ")
        elif local in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif local in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(markup: str) -> str:
    """HTML as plain text: one paragraph per block, no tags, scripts and styles dropped."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
