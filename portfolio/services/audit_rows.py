"""The canonical hash of the rows the audit trail vouches for: decisions, claims, evidence versions
and sign-offs.

One place says which columns of each table count and how they are written down: the chosen
columns as stable JSON (sorted keys, times in UTC ISO form), hashed with SHA-256 together with the
table and the row's id. The rows are read back from the database (never taken from the objects in
memory), so the hash taken after a write and the hash taken by ``portfolio audit verify`` later
see the same values. The tables are described here with SQLAlchemy's lightweight ``table()``
because their models live in higher layers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, TableClause, Text, column, select, table
from sqlalchemy.engine import Row
from sqlalchemy.sql.sqltypes import TypeEngine
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

_TIME = UTCDateTime()
_COLUMNS: dict[str, tuple[tuple[str, TypeEngine[Any]], ...]] = {
    "decision": (
        ("claim_id", Integer()),
        ("old_status", Text()),
        ("new_status", Text()),
        ("method", Text()),
        ("feedback", Text()),
        ("actor_id", Integer()),
        ("at", _TIME),
    ),
    "claim": (
        ("evidence_id", Integer()),
        ("criterion_id", Integer()),
        ("claimed_by", Integer()),
        ("created_at", _TIME),
        ("status", Text()),
        ("method", Text()),
        ("decided_at", _TIME),
        ("decided_by", Integer()),
        ("revision", Integer()),
    ),
    "evidenceversion": (
        ("evidence_id", Integer()),
        ("number", Integer()),
        ("title", Text()),
        ("activity_date", Date()),
        ("body", Text()),
        ("fields", JSON()),
        ("sha256", Text()),
        ("created_by", Integer()),
        ("created_at", _TIME),
        ("declared_at", _TIME),
    ),
    "signoff": (
        ("registration_id", Integer()),
        ("standard_id", Integer()),
        ("assessor_id", Integer()),
        ("document_id", Text()),
        ("summary", Text()),
        ("feedback", Text()),
        ("learner_declared_at", _TIME),
        ("assessor_declared_at", _TIME),
        ("signed_at", _TIME),
        ("evidence_set_sha256", Text()),
        ("status", Text()),
        ("reopened_at", _TIME),
        ("reopened_by", Integer()),
        ("reopen_reason", Text()),
    ),
}
KINDS: tuple[str, ...] = tuple(_COLUMNS)
# how a report names a row of each kind
NAMES = {
    "decision": "decision",
    "claim": "claim",
    "evidenceversion": "evidence version",
    "signoff": "sign-off",
}
BATCH = 500


def table_of(kind: str) -> TableClause:
    """The table of ``kind`` with its id and the columns its hash covers."""
    return table(kind, column("id", Integer()), *(column(n, t) for n, t in _COLUMNS[kind]))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_hash(kind: str, row_id: int, values: Row[Any] | dict[str, Any]) -> str:
    """The canonical hash of one row: its kind, id and chosen columns as stable JSON."""
    mapping = values._mapping if isinstance(values, Row) else values
    content = {name: _plain(mapping[name]) for name, _ in _COLUMNS[kind]}
    payload = json.dumps(
        [kind, row_id, content], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def kind_of(row: object) -> str | None:
    """The kind of a model object if the trail hashes rows of its table, else None."""
    name = getattr(type(row), "__tablename__", None)
    return name if isinstance(name, str) and name in _COLUMNS else None


def current_hashes(session: Session, kind: str, ids: Iterable[int]) -> dict[int, str]:
    """The canonical hash of each of the rows ``ids`` of ``kind`` as the database holds them now."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    tbl = table_of(kind)
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        for row in session.execute(select(tbl).where(tbl.c.id.in_(chunk))):
            found[row.id] = row_hash(kind, row.id, row)
    return found


def digest(records: Iterable[tuple[str, int, str | None]]) -> str | None:
    """The hash binding an entry's row records (sorted by kind and id) into the entry's hash."""
    h = hashlib.sha256()
    empty = True
    for kind, row_id, hashed in records:
        h.update(f"{kind}:{row_id}:{hashed or '-'}\n".encode())
        empty = False
    return None if empty else h.hexdigest()


def group(rows: Iterable[object]) -> Iterator[tuple[str, Sequence[int]]]:
    """The ids of the hashed kinds among model objects, per kind."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        kind = kind_of(row)
        row_id = getattr(row, "id", None)
        if kind is not None and row_id is not None:
            by_kind.setdefault(kind, []).append(int(row_id))
    yield from by_kind.items()
