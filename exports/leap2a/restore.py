"""Importing a Leap2A file (bare ``leap2a.xml`` or a zip with its files) as draft evidence of the
learner who imports it.

What becomes evidence (one draft item each):

* entries of type ``entry`` (blog and journal posts, our own evidence) and of the other kinds of
  record a learner writes (``plan``, ``activity``, ``achievement``, ``ability``, ``meeting``,
  ``publication``, ``work``, ``affiliation``); the kind comes from this engine's own category
  when the file names one a learner may write, else a plan is a product and the rest reflective
  accounts;
* a ``resource`` (a file) that no imported entry links to, as a product with its file.

A file an entry links to (``enclosure`` or ``related``, directly or through a resource entry) is
attached to it. Not evidence: selections (Mahara pages, journals, our standards: their parts are
imported one by one), the person and anything else. A file the feed names but the upload does
not hold, one over the upload limit or of a kind not accepted is reported as a warning; a
resource whose file is missing is skipped with a warning. Everything else that is wrong (not XML,
not a feed, nothing to import) is an :class:`Invalid` and nothing is written: the caller's one
transaction rolls back. Nothing in the file says who decided anything: categories naming
criteria are not claims, and every item is a draft of the importing learner.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import unquote

from sqlmodel import Session, col, select

from exports.leap2a.feed import KIND_SCHEME, Entry, Feed, parse_feed
from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Evidence
from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.services import audit, evidence
from portfolio.services.files import Store
from portfolio.services.people import Actor
from portfolio.services.sniff import sniff
from portfolio.words import a_or_an

TEXT_TYPES = {"entry", "plan", "activity", "achievement", "ability", "meeting", "publication"}
TEXT_TYPES |= {"work", "affiliation"}
FEED_NAMES = ("leap2a.xml", "leap2.xml", "leap.xml")
MAX_MEMBERS = 10_000
MAX_TOTAL = 2 * 1024 * 1024 * 1024
MAX_ITEMS = 2000  # drafts made by one import (one request, one transaction)
STAR_ROOM = (evidence.MAX_BODY - 10_000) // 5  # each STAR section, leaving a fifth for the text


@dataclass
class Leap2aReport:
    items: list[tuple[int, str]] = field(default_factory=list)  # (evidence id, title)
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # entries that are not evidence, by type
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return (
            f"Imported {len(self.items)} draft evidence item"
            f"{'' if len(self.items) == 1 else 's'} with {self.files} "
            f"file{'' if self.files == 1 else 's'}"
            + (
                f"; {len(self.warnings)} warning{'s' if len(self.warnings) > 1 else ''}."
                if self.warnings
                else "."
            )
        )


class _Upload:
    """The feed and the files of an upload: a zip, or the bare XML (which holds no files)."""

    def __init__(self, data: bytes, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.zip: zipfile.ZipFile | None = None
        if data.startswith(b"PK\x03\x04"):
            try:
                self.zip = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                raise Invalid("The zip file is damaged and cannot be read.") from None
            infos = self.zip.infolist()
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL:
                raise Invalid("The zip file holds too many files or too much data to import.")
            self.names = {i.filename for i in infos if not i.is_dir()}
            found = [n for n in FEED_NAMES if n in self.names]
            if not found:
                raise Invalid("The zip file holds no leap2a.xml at its top level.")
            self.feed_name = found[0]
            feed_bytes = self._read(self.feed_name, 20 * 1024 * 1024)
            if feed_bytes is None:
                raise Invalid("The Leap2A file in the zip is too large.")
            self.feed = parse_feed(feed_bytes)
        else:
            self.names = set()
            self.feed = parse_feed(data)

    def _read(self, name: str, limit: int) -> bytes | None:
        assert self.zip is not None
        try:
            with self.zip.open(name) as member:
                data = member.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            # data that does not inflate, a failed CRC, an encrypted or unknown compression
            raise Invalid(
                f"The file {name} in the zip is damaged and cannot be read ({exc}); "
                "nothing was imported."
            ) from None
        except NotImplementedError:
            raise Invalid(
                f"The file {name} in the zip is compressed in a way this program cannot read; "
                "nothing was imported."
            ) from None
        return None if len(data) > limit else data

    def member(self, href: str) -> str | None:
        """The zip member an ``href`` names, if the upload holds it."""
        for candidate in (href, unquote(href)):
            name = candidate.removeprefix("./").lstrip("/")
            if name in self.names and name != self.feed_name:
                return name
        return None

    def file(self, href: str) -> tuple[str, bytes] | str:
        """The member's name and bytes, or why it cannot be had."""
        name = self.member(href) if self.zip is not None else None
        if name is None:
            return f"the file {href} is not in the upload"
        data = self._read(name, self.max_bytes)
        if data is None:
            return f"the file {href} is larger than {self.max_bytes // (1024 * 1024)} MB"
        return name, data


def _kind(entry: Entry, report: Leap2aReport) -> str:
    named = [c.term for c in entry.categories if c.scheme == KIND_SCHEME and c.term in KINDS]
    if named:
        kind = named[0]
        if kind in ASSESSOR_KINDS:
            report.warnings.append(
                f"“{entry.title}” was {a_or_an(KINDS[kind].lower())}, which only an assessor writes: "
                "imported as Other."
            )
            return "other"
        if kind == "star_narrative" and not all(
            entry.fields.get(k) for k in evidence.STAR_SECTIONS
        ):
            return "reflective_account"
        if kind == "witness_testimony" and not all(
            entry.fields.get(k) for k in evidence.WITNESS_FIELDS
        ):
            return "other"
        return kind
    return "product" if entry.type in ("plan", "resource") else "reflective_account"


def _draft(entry: Entry, kind: str, report: Leap2aReport) -> evidence.Draft:
    stamp = entry.published or entry.updated
    activity = entry.start or (stamp.date() if stamp else None)
    latest = date.today() + timedelta(days=1)
    title = entry.title or "Untitled entry"
    if len(title) > evidence.MAX_TITLE:
        report.warnings.append(
            f"The title “{title[:60]}…” has {len(title):,} characters: it was shortened to "
            f"{evidence.MAX_TITLE}."
        )
        title = title[: evidence.MAX_TITLE - 1].rstrip() + "…"
    if activity is None or not evidence.EARLIEST_ACTIVITY <= activity <= latest:
        activity = date.today()
        report.warnings.append(
            f"“{title}” has no date of its activity that could be read: it is dated today; "
            "change the date on the draft if that is not right."
        )
    body = entry.text or entry.summary
    fields: dict[str, str] = {}
    if kind == "star_narrative":
        fields = {k: entry.fields[k] for k in evidence.STAR_SECTIONS}
        composed = evidence.compose_body(kind, "", fields)
        body = body.removeprefix(composed).strip()
        fields = {k: v[:STAR_ROOM] for k, v in fields.items()}  # four sections and a text fit
    elif kind == "witness_testimony":
        fields = {k: entry.fields[k][: evidence.MAX_WITNESS] for k in evidence.WITNESS_FIELDS}
    room = evidence.MAX_BODY - 10_000 - len(evidence.compose_body(kind, "", fields))
    if len(body) > room or any(len(entry.fields[k]) > len(v) for k, v in fields.items()):
        report.warnings.append(f"The text of “{title}” was too long and was shortened.")
        body = body[:room]
    return evidence.Draft(kind=kind, title=title, activity_date=activity, body=body, fields=fields)


def _files_of(entry: Entry, feed_ids: dict[str, Entry]) -> list[tuple[str, str]]:
    """(href of the file, its display name) of every file the entry links to."""
    found: list[tuple[str, str]] = []
    for link in entry.links:
        if link.rel not in ("enclosure", "related", "has_attachment", "has_part"):
            continue
        target = feed_ids.get(link.href)
        if target is None:
            if link.rel == "enclosure" and not link.href.startswith(("http:", "https:")):
                found.append((link.href, link.href.rsplit("/", 1)[-1]))
            continue
        if target.type == "resource":
            found += [
                (t.href, target.title or t.href.rsplit("/", 1)[-1])
                for t in target.links
                if t.rel == "enclosure"
            ]
    return list(dict.fromkeys(found))  # a file linked twice (enclosure and related) once


def _plan(feed: Feed, report: Leap2aReport) -> list[tuple[Entry, list[tuple[str, str]]]]:
    """The entries that become evidence, each with the files to attach."""
    ids = feed.by_id()
    chosen: list[tuple[Entry, list[tuple[str, str]]]] = []
    attached: set[str] = set()
    for entry in feed.entries:
        if entry.type in TEXT_TYPES:
            files = _files_of(entry, ids)
            chosen.append((entry, files))
            attached |= {
                link.href
                for link in entry.links
                if link.href in ids and ids[link.href].type == "resource"
            }
    for entry in feed.entries:
        if entry.type == "resource" and entry.id not in attached:
            files = [(t.href, entry.title or t.href) for t in entry.links if t.rel == "enclosure"]
            chosen.append((entry, files))
        elif entry.type not in TEXT_TYPES and entry.type != "resource":
            report.skipped.append(entry.type or "untyped")
    return chosen


def import_leap2a(
    session: Session,
    store: Store,
    *,
    actor: Actor,
    learner_id: int,
    data: bytes,
    max_bytes: int,
) -> Leap2aReport:
    """Import ``data`` (a Leap2A zip or bare XML) as draft evidence of ``learner_id``, who must
    be the actor: learners import into their own portfolio only."""
    if actor.id != learner_id or not actor.has("learner"):
        raise Invalid("Learners import Leap2A files into their own portfolio only.")
    upload = _Upload(data, max_bytes)
    report = Leap2aReport()
    plan = _plan(upload.feed, report)
    if len(plan) > MAX_ITEMS:
        raise Invalid(
            f"This Leap2A file holds {len(plan):,} entries that would become evidence; at most "
            f"{MAX_ITEMS:,} come in at once. Export part of the portfolio (a journal or a "
            "collection) and import each part; nothing was imported."
        )
    before = _imported_before(session, learner_id)
    entries: dict[str, int] = {}
    for entry, files in plan:
        if entry.id in before:
            report.warnings.append(f"“{entry.title}” was imported before: skipped.")
            continue
        ready: list[tuple[str, bytes]] = []
        for href, display in files:
            got = upload.file(href)
            if isinstance(got, str):
                report.warnings.append(f"“{entry.title}”: {got}.")
                continue
            try:
                sniff(got[1], display)
            except Invalid as exc:
                report.warnings.append(f"“{entry.title}”: {exc} Not attached.")
                continue
            ready.append((display, got[1]))
        if entry.type == "resource" and not ready:
            report.warnings.append(
                f"“{entry.title}” is a file that could not be imported: skipped."
            )
            continue
        draft = _draft(entry, _kind(entry, report), report)
        item = evidence.create(session, actor=actor, learner_id=learner_id, draft=draft)
        for display, content in ready:
            evidence.attach(
                session,
                actor=actor,
                store=store,
                evidence_id=item.id or 0,
                filename=display,
                stream=io.BytesIO(content),
                max_bytes=max_bytes,
            )
            report.files += 1
        report.items.append((item.id or 0, item.title))
        if entry.id:
            entries[entry.id] = item.id or 0
    if not report.items and any(e.id in before for e, _ in plan):
        raise Invalid("Everything in this Leap2A file was imported before; nothing was imported.")
    if not report.items:
        raise Invalid(
            "Nothing in this Leap2A file becomes evidence (no entries, posts or files); "
            "nothing was imported."
        )
    audit.record(
        session,
        actor=actor,
        action="evidence.import_leap2a",
        subject_type="person",
        subject_id=learner_id,
        data={"items": [i for i, _ in report.items], "files": report.files, "entries": entries},
    )
    return report


def _imported_before(session: Session, learner_id: int) -> set[str]:
    """The feed entries the learner imported before whose evidence is still theirs (an entry
    whose draft was deleted may come in again): the learner's own import records only."""
    made: dict[str, int] = {}
    for data in session.exec(
        select(AuditEntry.data).where(
            AuditEntry.subject_type == "person",
            AuditEntry.subject_id == learner_id,
            AuditEntry.action == "evidence.import_leap2a",
        )
    ):
        made.update(data.get("entries") or {})
    if not made:
        return set()
    kept = set(
        session.exec(
            select(Evidence.id).where(
                col(Evidence.id).in_(set(made.values())), Evidence.learner_id == learner_id
            )
        )
    )
    return {entry for entry, evidence_id in made.items() if evidence_id in kept}
