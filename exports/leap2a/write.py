"""Writing a learner's portfolio as a Leap2A zip: ``leap2a.xml`` and its files.

The feed follows the Leap2A specification (2010-07) as Mahara reads it:

* one ``leap2:person`` entry for the learner (category ``person_type#Self``);
* one ``leap2:entry`` per evidence item (its current version): the text as Atom ``text``
  content (the Markdown as written), ``published``/``updated``, ``leap2:date`` for the date of
  the activity, its author, the kind as a category, ``readiness#Unready`` while a draft, an
  ``enclosure`` link to each of its files' entries, and one category per claimed criterion whose
  scheme URI names the framework version and standard (term: the criterion's code), its label
  the criterion's text, the claim's status and whether the engine had suggested it; for each
  claim the engine had suggested, a ``cp:suggested`` element of our own namespace naming that
  category, with the engine's version, score and strength (an Atom extension element: Leap2A
  importers, Mahara's and ours, pass it over);
* one ``leap2:resource`` per file (category ``resource_type#Offline``), whose ``enclosure`` link
  points at ``files/...`` in the zip;
* one ``leap2:selection`` per standard claimed (``selection_type#Grouping``) with ``has_part``
  links to the evidence claimed against it; each such entry links back with ``is_part_of``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from lxml import etree
from sqlmodel import Session

from exports.leap2a.collect import ClaimedCriterion, Item, collect_items
from exports.leap2a.feed import ATOM, CATEGORIES, KIND_SCHEME, LEAP2, OURS, RDF, VERSION
from mappings.assessment.suggested import words
from portfolio.errors import Invalid, NotFound
from portfolio.models import Attachment, Person
from portfolio.models.base import utcnow
from portfolio.models.evidence import KINDS
from portfolio.services import access
from portfolio.services.files import CHUNK, Store
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.services.sniff import stored_extension
from portfolio.words import day_words, local

FEED = "leap2a.xml"
NSMAP = {
    None: ATOM,
    "rdf": RDF,
    "leap2": LEAP2,
    "categories": CATEGORIES,
    "portfolio": "",  # set per export: the prefix of every entry id
    "cp": OURS,
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\x0b\x0c]")  # Word's line and page breaks, pasted: they part words


def _xml_text(text: str) -> str:
    """``text`` as XML can hold it: a pasted line or page break becomes a space (words stay
    apart), any other character XML cannot hold is left out."""
    return _NOT_XML.sub("", _BREAKS.sub(" ", text))


def may_export_leap2a(session: Session, actor: Actor, learner_id: int) -> None:
    """The learner themself or an administrator (NotFound for anyone else)."""
    if actor.has("admin"):
        return
    if "self" not in access.relation(session, actor, learner_id):
        raise NotFound("No such portfolio, or it is not one you may export.")


@dataclass(frozen=True)
class Written:
    items: int
    files: int
    standards: int


def _stamp(when: datetime) -> str:
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _safe(name: str, mime: str) -> str:
    """The file's name for its copy in the zip, with the extension of its checked type (a text
    file named .html would open as a page, running its script)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:80] or "file"
    return f"{safe}.{stored_extension(mime)}"


class _Feed:
    def __init__(self, learner: Person, when: datetime) -> None:
        prefix = f"urn:x-competence-portfolio:export:{learner.id}:{_stamp(when)}:"
        self.prefix = prefix
        self.root = etree.Element(f"{{{ATOM}}}feed", nsmap={**NSMAP, "portfolio": prefix})
        self.add(self.root, f"{{{LEAP2}}}version", VERSION)
        self.add(self.root, "id", prefix.rstrip(":"))
        self.add(self.root, "title", f"Portfolio of {learner.name}, {when.day} {when:%B %Y}")
        self.add(self.root, "updated", _stamp(when))
        generator = self.add(self.root, "generator", "Competence portfolio")
        generator.set("uri", "urn:x-competence-portfolio")
        author = self.add(self.root, "author")
        self.add(author, "name", learner.name)
        self.add(author, "email", learner.email)

    @staticmethod
    def add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{ATOM}}}{tag}")
        if text is not None:
            element.text = _xml_text(text)
        return element

    def entry(
        self, local_id: str, title: str, kind: str, *, updated: datetime, published: datetime
    ) -> etree._Element:
        entry = self.add(self.root, "entry")
        self.add(entry, "title", title)
        self.add(entry, "id", f"portfolio:{local_id}")
        self.add(entry, "updated", _stamp(updated))
        self.add(entry, "published", _stamp(published))
        etree.SubElement(entry, f"{{{RDF}}}type").set(f"{{{RDF}}}resource", f"leap2:{kind}")
        return entry

    def link(self, entry: etree._Element, rel: str, href: str, **extra: str) -> None:
        link = self.add(entry, "link")
        link.set("rel", rel)
        link.set("href", href)
        for key, value in extra.items():
            link.set(key, value)

    def category(self, entry: etree._Element, term: str, scheme: str, label: str = "") -> None:
        category = self.add(entry, "category")
        category.set("term", term)
        category.set("scheme", scheme)
        if label:
            category.set("label", _xml_text(label)[:250])

    def person(self, learner: Person, when: datetime) -> None:
        entry = self.entry("learner", learner.name, "person", updated=when, published=when)
        self.add(entry, "content", "")
        self.category(entry, "Self", "categories:person_type#")
        for name, value in (("full_name", learner.name), ("email", learner.email)):
            data = self.add(entry, f"{{{LEAP2}}}persondata", value)
            data.set(f"{{{LEAP2}}}field", name)

    def item(self, item: Item, files: list[str]) -> None:
        entry = self.entry(
            f"evidence-{item.id}",
            item.title,
            "entry",
            updated=item.updated_at,
            published=item.created_at,
        )
        if item.author:
            self.add(self.add(entry, "author"), "name", item.author)
        self.add(entry, "content", item.body).set("type", "text")
        start = self.add(entry, f"{{{LEAP2}}}date", item.activity_date.isoformat())
        start.set(f"{{{LEAP2}}}point", "start")
        start.set(f"{{{LEAP2}}}label", "Date of the activity")
        self.category(entry, item.kind, KIND_SCHEME, KINDS.get(item.kind, item.kind))
        if item.status == "draft":
            self.category(entry, "Unready", "categories:readiness#")
        for name, value in sorted(item.fields.items()):
            self.add(entry, f"{{{OURS}}}field", value).set("name", name)
        for file_id in files:
            self.link(entry, "enclosure", f"portfolio:{file_id}")
        for std in sorted({(c.standard_id, c.standard_code) for c in item.claims}):
            self.link(entry, "leap2:is_part_of", f"portfolio:standard-{std[0]}")
        for c in item.claims:
            text = c.text if len(c.text) <= 200 else c.text[:199].rstrip() + "…"
            self.category(entry, c.code, _criterion_scheme(c), f"{text} ({_claimed(c)})")
        for c in item.claims:
            if c.suggested_engine is not None:
                self.suggested(entry, c)

    def suggested(self, entry: etree._Element, c: ClaimedCriterion) -> None:
        """Where a claim came from, for a system that reads our namespace: the criterion's
        category (scheme and term), the engine's version, score and strength, and in words."""
        said = self.add(
            entry, f"{{{OURS}}}suggested", words(c.suggested_engine, c.suggested_strong)
        )
        said.set("scheme", _criterion_scheme(c))
        said.set("term", c.code)
        said.set("engine", _xml_text(c.suggested_engine or ""))
        if c.suggested_score is not None:
            said.set("score", repr(round(c.suggested_score, 6)))
        said.set("strong", "true" if c.suggested_strong else "false")

    def resource(self, local_id: str, a: Attachment, path: str, item: Item) -> None:
        entry = self.entry(
            local_id, a.filename, "resource", updated=a.created_at, published=a.created_at
        )
        self.add(entry, "content", "")
        self.category(entry, "Offline", "categories:resource_type#", "File")
        self.link(entry, "enclosure", path, type=a.mime, length=str(a.size))
        self.link(entry, "related", f"portfolio:evidence-{item.id}")

    def selection(self, claims: list[tuple[Item, ClaimedCriterion]], when: datetime) -> None:
        first = claims[0][1]
        entry = self.entry(
            f"standard-{first.standard_id}",
            f"{first.standard_code} {first.standard_title}",
            "selection",
            updated=when,
            published=when,
        )
        lines = [f"Evidence claimed against {first.standard_code} of {first.framework_title}."]
        per_item: dict[int, list[str]] = {}
        titles = {i.id: i.title for i, _ in claims}
        for i, c in claims:
            per_item.setdefault(i.id, []).append(f"{c.code} ({_claimed(c)})")
        lines += [f"- {titles[k]}: {', '.join(v)}" for k, v in per_item.items()]
        self.add(entry, "content", "\n".join(lines)).set("type", "text")
        self.category(entry, "Grouping", "categories:selection_type#")
        self.category(entry, first.standard_code, first.framework_uri + "#", first.framework_title)
        for item_id in per_item:
            self.link(entry, "leap2:has_part", f"portfolio:evidence-{item_id}")

    def bytes(self) -> bytes:
        data: bytes = etree.tostring(
            self.root, xml_declaration=True, encoding="utf-8", pretty_print=True
        )
        return data


def _claimed(c: ClaimedCriterion) -> str:
    """The claim's status and, when the engine had suggested the criterion, that it had."""
    if c.suggested_engine is None:
        return c.status
    return f"{c.status}; suggested by the engine, {'strong' if c.suggested_strong else 'weak'}"


def _criterion_scheme(c: ClaimedCriterion) -> str:
    return f"{c.framework_uri}:standard:{c.standard_code}#"


def write_leap2a(
    session: Session,
    store: Store,
    learner_id: int,
    out: BinaryIO,
    *,
    actor: Actor,
    generated_at: datetime | None = None,
) -> Written:
    """Write the learner's portfolio as a Leap2A zip to ``out``: the learner or an administrator."""
    may_export_leap2a(session, actor, learner_id)
    learner = session.get(Person, learner_id)
    if learner is None:
        raise NotFound("No such learner.")
    if learner.erased_at is not None:  # they asked for it to go: what is kept is not theirs to take
        raise Invalid(
            f"The learner's personal data was erased on {day_words(local(learner.erased_at, CENTRE).date())}: "
            "there is no portfolio to download. What is still held about them is in the "
            "subject-access download on their page."
        )
    when = generated_at or utcnow()
    items = collect_items(session, learner_id)
    feed = _Feed(learner, when)
    feed.person(learner, when)
    stamp = max(when.astimezone(UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    written: set[str] = set()
    by_standard: dict[int, list[tuple[Item, ClaimedCriterion]]] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in items:
            ids = [f"file-{a.id}" for a in item.attachments]
            feed.item(item, ids)
            for file_id, a in zip(ids, item.attachments, strict=True):
                path = f"files/{a.sha256[:16]}-{_safe(a.filename, a.mime)}"
                feed.resource(file_id, a, path, item)
                if path not in written:
                    _copy(zf, store, a, path, stamp)
                    written.add(path)
            for c in item.claims:
                by_standard.setdefault(c.standard_id, []).append((item, c))
        for claims in by_standard.values():
            feed.selection(claims, when)
        info = zipfile.ZipInfo(FEED, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, feed.bytes())
    return Written(len(items), len(written), len(by_standard))


def _copy(
    zf: zipfile.ZipFile, store: Store, a: Attachment, path: str, stamp: tuple[int, ...]
) -> None:
    info = zipfile.ZipInfo(path, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = a.size
    with store.open(a.sha256) as src, zf.open(info, "w", force_zip64=a.size > 2**30) as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)


def default_name(learner_id: int, today: date | None = None) -> str:
    return f"leap2a-{learner_id}-{(today or date.today()).isoformat()}.zip"
