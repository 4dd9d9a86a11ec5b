"""Searching the audit trail, for administrators: newest first, a page at a time.

Pages are keyset-paged: a page after the newest is asked for by the id of the last entry shown
(``before``) and a page back by the first (``after``), so page 100 reads what page 1 does: one
range of one index, never the entries before it. Each filter is served by an index: who acted by
``ix_auditentry_actor`` (actor, id), the action by ``ix_auditentry_action`` (action, id), the
entries about a person (about anything of theirs: each entry keeps whom it is about, see
:mod:`portfolio.services.audit_about`) by ``ix_auditentry_about`` (about, id), and days by the
index on ``at``, which maps a day's start to the first entry's id (entries are appended in time
order under the trail's lock, :func:`portfolio.services.audit.record`), so a date range is a
range of ids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, literal
from sqlmodel import Session, col, select

from portfolio.errors import PermissionDenied
from portfolio.models import AuditEntry, Person
from portfolio.services.actors import Actor

PAGE = 50
CHOICES = 10  # people offered when a name matches several
BATCH = 500  # entries read at a time for a download
_LAST_ID = 2**62  # no entry at or after the end of the range: every id is before it


@dataclass(frozen=True)
class TrailFilter:
    """What to look for: who acted (a person, or the system), whom it is about (a person: entries
    whose subject is them or anything of theirs: a registration, evidence, a claim, a sign-off,
    a declaration, a plan, an IQA sample...), one action, and a period from ``since`` (included)
    to ``until`` (excluded), both aware."""

    by: int | None = None
    by_system: bool = False
    about: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Related:
    """The people the entries of a page name: who acted and whom each entry is about."""

    people: dict[int, Person]

    def learner_of(self, entry: AuditEntry) -> Person | None:
        """The person an entry is about: its subject, or the person its subject belongs to."""
        return self.people.get(entry.about_id) if entry.about_id is not None else None


@dataclass(frozen=True)
class TrailPage:
    """One page, newest first; ``newer`` and ``older`` are the cursors of the pages beside it
    (the first entry's id to page back with ``after``, the last's to page on with ``before``),
    None where there is none."""

    entries: list[AuditEntry]
    related: Related
    newer: int | None
    older: int | None


def _may_search(actor: Actor) -> None:
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may search the audit trail.")


def find_people(session: Session, *, actor: Actor, text: str) -> list[Person]:
    """People whose e-mail is ``text``, or else whose name or e-mail holds it (removed and erased
    people too: they acted in the past), at most :data:`CHOICES` + 1 of them, by name."""
    _may_search(actor)
    words = text.strip().lower()
    if not words:
        return []
    exact = session.exec(select(Person).where(func.lower(Person.email) == words)).first()
    if exact is not None:
        return [exact]
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(Person)
        .where(
            func.lower(Person.name).like(pattern, escape="\\")
            | func.lower(Person.email).like(pattern, escape="\\")
        )
        .order_by(col(Person.name), col(Person.id))
        .limit(CHOICES + 1)
    )
    return list(session.exec(query))


def _first_id_from(moment: datetime) -> Any:
    """The id of the first entry at or after ``moment`` (one look-up in the index on ``at``)."""
    first = (
        select(col(AuditEntry.id))
        .where(col(AuditEntry.at) >= moment)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(first, literal(_LAST_ID))


def _conditions(f: TrailFilter) -> list[Any]:
    e = AuditEntry
    where: list[Any] = []
    if f.by is not None:
        where.append(col(e.actor_id) == f.by)
    elif f.by_system:
        where.append(col(e.actor_id).is_(None))
    if f.action:
        where.append(col(e.action) == f.action)
    if f.about is not None:
        where.append(col(e.about_id) == f.about)
    if f.since is not None:
        where.append(col(e.id) >= _first_id_from(f.since))
    if f.until is not None:
        where.append(col(e.id) < _first_id_from(f.until))
    return where


def search(
    session: Session,
    *,
    actor: Actor,
    filters: TrailFilter,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE,
) -> TrailPage:
    """The page of entries matching ``filters``: the newest, or those just older than ``before``,
    or just newer than ``after``. A page reached by a cursor assumes entries beyond that cursor
    exist (it came from them): no statement counts them."""
    _may_search(actor)
    e = AuditEntry
    query = select(e).where(*_conditions(filters)).limit(size + 1)
    if after is not None:
        query = query.where(col(e.id) > after).order_by(col(e.id))
    else:
        if before is not None:
            query = query.where(col(e.id) < before)
        query = query.order_by(col(e.id).desc())
    found = list(session.exec(query))
    more = len(found) > size
    entries = found[:size]
    if after is not None:
        entries.reverse()
    if not entries:
        return TrailPage([], related(session, []), None, None)
    first, last = entries[0].id, entries[-1].id
    if after is not None:
        return TrailPage(entries, related(session, entries), first if more else None, last)
    newer = first if before is not None else None
    return TrailPage(entries, related(session, entries), newer, last if more else None)


def stream(session: Session, *, actor: Actor, filters: TrailFilter) -> Iterator[
    tuple[AuditEntry, Related]
]:  # fmt: skip
    """Every entry matching ``filters``, newest first, each with what it names, read
    :data:`BATCH` entries at a time (memory does not grow with the trail). Permission is
    checked now, before the first entry is asked for."""
    _may_search(actor)
    return _streamed(session, filters)


def _streamed(session: Session, filters: TrailFilter) -> Iterator[tuple[AuditEntry, Related]]:
    e = AuditEntry
    query = (
        select(e)
        .where(*_conditions(filters))
        .order_by(col(e.id).desc())
        .execution_options(yield_per=BATCH)
    )
    rows = iter(session.exec(query))
    while batch := list(islice(rows, BATCH)):
        names = related(session, batch)
        for entry in batch:
            yield entry, names


def related(session: Session, entries: Iterable[AuditEntry]) -> Related:
    """The people ``entries`` name (who acted, whom each is about), in one statement."""
    entries = list(entries)
    ids = {x.actor_id for x in entries if x.actor_id is not None}
    ids |= {x.about_id for x in entries if x.about_id is not None}
    people = {p.id or 0: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}
    return Related(people)
