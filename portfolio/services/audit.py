"""The append-only, hash-chained audit trail.

Who acted is given as an :class:`~portfolio.services.actors.Actor` or a :class:`Person`; the
system (:data:`~portfolio.services.actors.SYSTEM`) is stored as no actor (NULL), never as 0.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from portfolio.models import AuditEntry, Person
from portfolio.models.base import utcnow
from portfolio.services.actors import Actor, person_id

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    data: dict[str, Any],
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), actor_id, action, subject_type, subject_id, data],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: Actor | Person,
    action: str,
    subject_type: str,
    subject_id: int | None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry linked to the previous one (writers are serialised per database)."""
    actor_id = person_id(actor)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7160001)"))
    last = session.exec(
        select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)
    ).first()
    prev = last or GENESIS
    at = utcnow()
    payload = dict(data or {})
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=payload,
        prev_hash=prev,
        hash=entry_hash(prev, at, actor_id, action, subject_type, subject_id, payload),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    breaks: list[str]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(session: Session) -> ChainReport:
    """Walk the whole chain; report every entry whose link or content hash does not hold."""
    breaks: list[str] = []
    prev = GENESIS
    count = 0
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))):
        count += 1
        if entry.prev_hash != prev:
            breaks.append(
                f"entry {entry.id}: links to {entry.prev_hash[:12]}…, expected {prev[:12]}…"
            )
        expected = entry_hash(
            entry.prev_hash,
            entry.at,
            entry.actor_id,
            entry.action,
            entry.subject_type,
            entry.subject_id,
            entry.data,
        )
        if entry.hash != expected:
            breaks.append(f"entry {entry.id} ({entry.action}): content does not match its hash")
        prev = entry.hash
    return ChainReport(entries=count, breaks=breaks)


@dataclass(frozen=True)
class Head:
    """Where the trail stands: how many entries it holds and the hash of the newest one."""

    entries: int
    hash: str

    def __str__(self) -> str:
        return f"{self.entries}:{self.hash}"


def head(session: Session) -> Head:
    """The trail's head, to keep outside the database and to print on records."""
    count = session.exec(select(func.count()).select_from(AuditEntry)).one()
    last = session.exec(
        select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)
    ).first()
    return Head(entries=int(count), hash=last or GENESIS)
