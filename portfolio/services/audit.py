"""The append-only, hash-chained audit trail.

Who acted is given as an :class:`~portfolio.services.actors.Actor` or a :class:`Person`; the
system (:data:`~portfolio.services.actors.SYSTEM`) is stored as no actor (NULL), never as 0.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, groupby
from typing import Any

from sqlalchemy import and_, exists, func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.models import AuditEntry, AuditRow, Person
from portfolio.models.base import utcnow
from portfolio.services import audit_about, audit_rows
from portfolio.services.actors import Actor, person_id

GENESIS = "0" * 64
ROWS_BATCH = 500
ENTRY_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "data",
    "prev_hash",
    "hash",
    "row_hash",
)


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    data: dict[str, Any],
    row_hash: str | None = None,
) -> str:
    fields: list[Any] = [
        prev_hash,
        at.isoformat(),
        actor_id,
        action,
        subject_type,
        subject_id,
        data,
    ]
    if row_hash is not None:  # entries recording no row keep the hash they always had
        fields.append(row_hash)
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: Actor | Person,
    action: str,
    subject_type: str,
    subject_id: int | None,
    data: dict[str, Any] | None = None,
    rows: Iterable[object] = (),
    removed: Iterable[tuple[str, int]] = (),
    hashed: Iterable[tuple[str, int, str | None]] = (),
) -> AuditEntry:
    """Append one entry linked to the previous one (writers are serialised per database).

    ``rows`` are the model objects the action wrote (decisions, claims, evidence versions and
    sign-offs are hashed; other objects are ignored): the entry records the hash of each as the
    database holds it after the write. ``removed`` names rows (kind, id) the action deleted;
    ``hashed`` gives (kind, id, hash) records already taken."""
    actor_id = person_id(actor)
    session.flush()
    records: list[tuple[str, int, str | None]] = [(k, i, None) for k, i in removed]
    records.extend(hashed)
    for kind, ids in audit_rows.group(rows):
        hashes = audit_rows.current_hashes(session, kind, ids)
        records.extend((kind, i, hashes.get(i)) for i in ids)
    records = sorted(set(records))
    row_hash = audit_rows.digest(records)
    before = head_locked(session)
    at = utcnow()
    payload = dict(data or {})
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=payload,
        prev_hash=before.hash,
        row_hash=row_hash,
        hash=entry_hash(
            before.hash, at, actor_id, action, subject_type, subject_id, payload, row_hash
        ),
        seq=before.entries + 1,
        about_id=audit_about.about(subject_type, subject_id),
    )
    session.add(entry)
    session.flush()
    session.add_all(
        AuditRow(entry_id=entry.id or 0, kind=k, row_id=i, hash=h) for k, i, h in records
    )
    session.flush()
    return entry


def head_locked(session: Session) -> Head:
    """The head the next entry follows (it links to its hash and takes the next place), with the
    trail locked for other writers until this transaction ends (on SQLite the single writer's
    lock does it), so entries chain in order."""
    hold_trail(session)
    return head(session)


def hold_trail(session: Session) -> None:
    """Lock the trail for other writers until this transaction ends (PostgreSQL; SQLite's single
    writer needs nothing). A writer holds it from its first entry to its commit, so once this
    returns, every write that has recorded an entry is committed and can be read."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7160001)"))


MAX_FINDINGS = 200


@dataclass
class ChainReport:
    """What ``verify`` found: the number of entries and each finding in plain words (the first
    :data:`MAX_FINDINGS` of them; ``more`` counts the rest)."""

    entries: int = 0
    breaks: list[str] = field(default_factory=list)
    more: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    def add(self, line: str) -> None:
        if len(self.breaks) < MAX_FINDINGS:
            self.breaks.append(line)
        else:
            self.more += 1


def verify(session: Session, *, expect: Head | None = None) -> ChainReport:
    """Walk the chain, re-hash the rows the entries vouch for and, given ``expect``, check that the
    trail still extends that head. Streams the tables: memory does not grow with the trail."""
    report = ChainReport()
    _verify_chain(session, report)
    for kind in audit_rows.KINDS:
        _verify_rows(session, kind, report)
    for entry_id, action, named, belongs in audit_about.mismatches(session):
        who = f"person {named}" if named is not None else "no one"
        report.add(
            f"entry {entry_id} ({action}): says it is about {who}, but its subject belongs to "
            f"person {belongs} (whom an entry is about is not in its hash: it was changed since)"
        )
    if expect is not None:
        _verify_extends(session, expect, report)
    return report


def _verify_chain(session: Session, report: ChainReport) -> None:
    """Every entry links to the one before, and its content and row records match its hash."""
    e = AuditEntry
    query = (
        sa_select(
            *(col(getattr(e, name)) for name in ENTRY_COLUMNS),
            col(e.seq),
            col(AuditRow.kind),
            col(AuditRow.row_id),
            col(AuditRow.hash).label("recorded"),
        )
        .outerjoin(AuditRow, col(AuditRow.entry_id) == e.id)
        .order_by(col(e.id), col(AuditRow.kind), col(AuditRow.row_id))
        .execution_options(yield_per=ROWS_BATCH)
    )
    prev = GENESIS
    for _, group in groupby(session.execute(query), key=lambda r: r.id):
        first = next(group)
        report.entries += 1
        records = [(r.kind, r.row_id, r.recorded) for r in chain([first], group) if r.kind]
        where = f"entry {first.id} ({first.action})"
        if first.seq is not None and first.seq != report.entries:
            report.add(f"{where}: says it is entry {first.seq} of the trail, not {report.entries}")
        if first.prev_hash != prev:
            report.add(
                f"entry {first.id}: links to {first.prev_hash[:12]}…, expected {prev[:12]}…"
                " (an entry before it was deleted or rewritten)"
            )
        if audit_rows.digest(records) != first.row_hash:
            report.add(f"{where}: its records of rows do not match its row hash")
        expected = entry_hash(
            first.prev_hash, first.at, first.actor_id, first.action, first.subject_type,
            first.subject_id, first.data, first.row_hash,
        )  # fmt: skip
        if first.hash != expected:
            report.add(f"{where}: content does not match its hash (the entry was rewritten)")
        prev = first.hash


def _verify_rows(session: Session, kind: str, report: ChainReport) -> None:
    """Each row of ``kind`` matches the newest entry about it; no row is missing from the trail."""
    name = audit_rows.NAMES[kind]
    tbl = audit_rows.table_of(kind)
    latest = (
        sa_select(col(AuditRow.row_id), func.max(col(AuditRow.entry_id)).label("entry_id"))
        .where(col(AuditRow.kind) == kind)
        .group_by(col(AuditRow.row_id))
        .subquery()
    )
    query = (
        sa_select(
            latest.c.row_id,
            latest.c.entry_id,
            col(AuditRow.hash).label("recorded"),
            tbl,
        )
        .join(
            AuditRow,
            and_(
                col(AuditRow.kind) == kind,
                col(AuditRow.row_id) == latest.c.row_id,
                col(AuditRow.entry_id) == latest.c.entry_id,
            ),
        )
        .outerjoin(tbl, tbl.c.id == latest.c.row_id)
        .order_by(latest.c.row_id)
        .execution_options(yield_per=ROWS_BATCH)
    )
    for r in session.execute(query):
        what = f"{name} {r.row_id}"
        if r.id is None and r.recorded is not None:
            report.add(
                f"{what}: recorded by entry {r.entry_id} but no longer in the database "
                "(deleted outside the application)"
            )
        elif r.id is not None and r.recorded is None:
            report.add(f"{what}: removed by entry {r.entry_id} but in the database again")
        elif r.id is not None and audit_rows.row_hash(kind, r.id, r) != r.recorded:
            report.add(
                f"{what}: differs from what entry {r.entry_id} recorded "
                "(changed outside the application)"
            )
    unrecorded = (
        sa_select(tbl.c.id)
        .where(~exists().where(col(AuditRow.kind) == kind, col(AuditRow.row_id) == tbl.c.id))
        .order_by(tbl.c.id)
        .execution_options(yield_per=ROWS_BATCH)
    )
    for (row_id,) in session.execute(unrecorded):
        report.add(
            f"{name} {row_id}: in the database but in no audit entry "
            "(written outside the application, or the entries about it were deleted)"
        )


def _verify_extends(session: Session, expect: Head, report: ChainReport) -> None:
    """The trail still holds the expected head as its entry number ``expect.entries``."""
    if expect.entries == 0:
        return
    if report.entries < expect.entries:
        report.add(
            f"the trail holds {report.entries} entries, fewer than the {expect.entries} of the "
            "expected head: entries were deleted"
        )
        return
    found = session.exec(
        select(AuditEntry.hash).order_by(col(AuditEntry.id)).offset(expect.entries - 1).limit(1)
    ).first()
    if found != expect.hash:
        report.add(
            f"entry number {expect.entries} no longer has the expected hash "
            f"{expect.hash[:12]}… (found {(found or '')[:12]}…): the trail was rewritten"
        )


@dataclass(frozen=True)
class Head:
    """Where the trail stands: how many entries it holds and the hash of the newest one."""

    entries: int
    hash: str

    def __str__(self) -> str:
        return f"{self.entries}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """The head from its printed form ``COUNT:HASH``; ValueError with the reason otherwise."""
        count, sep, digest = text.strip().partition(":")
        if not sep or not count.isdigit() or len(digest) != 64:
            raise ValueError(
                f"“{text.strip()}” is not a head: expected COUNT:HASH as `audit head` prints"
            )
        if any(c not in "0123456789abcdef" for c in digest.lower()):
            raise ValueError(f"“{text.strip()}” is not a head: the hash is not hexadecimal")
        return cls(entries=int(count), hash=digest.lower())


def head(session: Session) -> Head:
    """The trail's head, to keep outside the database and to print on records: the newest
    entry's hash and place, read by the primary key (the cost does not grow with the trail). An
    entry without its place (from before migration 0024) is counted."""
    row = session.exec(
        select(AuditEntry.hash, AuditEntry.seq).order_by(col(AuditEntry.id).desc()).limit(1)
    ).first()
    if row is None:
        return Head(entries=0, hash=GENESIS)
    if row[1] is None:
        return Head(int(session.exec(select(func.count()).select_from(AuditEntry)).one()), row[0])
    return Head(entries=row[1], hash=row[0])


def baseline(session: Session, *, actor: Actor | Person) -> int:
    """Vouch for the rows no entry records yet, as they are now: once, after upgrading a database
    whose trail did not record rows. One ``audit.baseline`` entry per batch of rows of a kind, so
    memory stays bounded; returns how many rows were recorded (none: no entry is written)."""
    total = 0
    for kind in audit_rows.KINDS:
        tbl = audit_rows.table_of(kind)
        last = 0
        while True:
            unrecorded = (
                sa_select(tbl.c.id)
                .where(
                    tbl.c.id > last,
                    ~exists().where(col(AuditRow.kind) == kind, col(AuditRow.row_id) == tbl.c.id),
                )
                .order_by(tbl.c.id)
                .limit(ROWS_BATCH)
            )
            ids = [int(i) for i in session.execute(unrecorded).scalars()]
            if not ids:
                break
            hashes = audit_rows.current_hashes(session, kind, ids)
            record(
                session,
                actor=actor,
                action="audit.baseline",
                subject_type=kind,
                subject_id=None,
                data={"rows": len(ids), "first": ids[0], "last": ids[-1]},
                hashed=[(kind, i, hashes[i]) for i in ids],
            )
            total += len(ids)
            last = ids[-1]
    return total
