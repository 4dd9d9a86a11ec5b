"""Loading on PostgreSQL as ``pg_restore`` does: the secondary indexes and foreign keys of the
tables being filled set aside for the load and made again after it, in the same transaction.

Keeping a dozen indexes up to date row by row, and checking half a dozen foreign keys per row
through their triggers, is most of the server's work during a bulk load; building each index once
from the finished table (sorted in ``maintenance_work_mem``, with parallel workers) and checking
each foreign key with one join costs a fraction of it. The definitions are read from the
database's own catalogue (``pg_get_indexdef``, ``pg_get_constraintdef``) just before they are
dropped, so what is made again is exactly what the migrations made. Primary keys stay (the
other tables' foreign keys rely on them, and new ids only ever append to them), and so does any
unique index another table's foreign key relies on.

Everything happens in the caller's transaction: if anything fails or the process dies before
it commits, PostgreSQL rolls the drops back with the rows, and the schema is as it was. The
tables are locked against other sessions (even readers) until then.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Table, text
from sqlmodel import Session

# the session's memory for building an index / for the joins that check foreign keys
MAINTENANCE_WORK_MEM = "1GB"
WORK_MEM = "256MB"

_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(:tables)
ORDER BY c.conrelid::regclass::text, c.conname
"""

# unique constraints and plain indexes (a primary key's index never), unless a foreign key of a
# table outside the load relies on the index
_INDEXES = """
SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, quote_ident(c.conname),
       CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
            ELSE pg_get_constraintdef(c.oid) END
FROM pg_index i
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                          AND c.contype IN ('p', 'u', 'x')
WHERE i.indrelid::regclass::text = ANY(:tables) AND NOT i.indisprimary
  AND (c.oid IS NULL OR c.contype = 'u')
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint f
      WHERE f.contype = 'f' AND f.conindid = i.indexrelid
        AND NOT f.conrelid::regclass::text = ANY(:tables))
ORDER BY i.indrelid::regclass::text, i.indexrelid::regclass::text
"""


@dataclass(frozen=True)
class SetAside:
    """What was dropped, as the statements that drop it and make it again."""

    drops: tuple[str, ...]
    makes: tuple[str, ...]


def read_set_aside(session: Session, tables: Sequence[Table]) -> SetAside:
    """The statements dropping, then making again, the foreign keys, unique constraints and
    secondary indexes of ``tables`` as the database holds them now."""
    names = [t.name for t in tables]
    keys = session.execute(text(_FOREIGN_KEYS), {"tables": names}).all()
    indexes = session.execute(text(_INDEXES), {"tables": names}).all()
    drops = [f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name, _ in keys]
    makes: list[str] = []
    for table, index, constraint, definition in indexes:
        if constraint is None:
            drops.append(f"DROP INDEX {index}")
            makes.append(definition)
        else:
            drops.append(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            makes.append(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}")
    # the foreign keys last: a unique constraint made again above may be what one relies on
    makes.extend(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for table, name, definition in keys
    )
    return SetAside(tuple(drops), tuple(makes))


@contextmanager
def indexes_set_aside(session: Session, tables: Sequence[Table]) -> Iterator[SetAside]:
    """Lock ``tables``, drop their secondary indexes and foreign keys for the block and make
    them again after it, all in the session's transaction (PostgreSQL only). On an error the
    block's exception propagates and nothing is made again: the caller rolls back, which brings
    back what was dropped."""
    run = session.connection().exec_driver_sql  # the catalogue's text as it is, no parameters
    names = ", ".join(f'"{t.name}"' for t in tables)
    run(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
    run(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
    run(f"SET LOCAL work_mem = '{WORK_MEM}'")
    found = read_set_aside(session, tables)
    for statement in found.drops:
        run(statement)
    yield found
    for statement in found.makes:
        run(statement)
