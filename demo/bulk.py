"""Bulk writes for generated data: ids taken up front, rows sent in bulk.

On PostgreSQL rows go by ``COPY ... FROM STDIN`` (psycopg streams them while Python makes the
next ones); elsewhere by one executemany ``INSERT`` per table through SQLAlchemy Core, on the
session's connection so that no ORM event sees them (the rows are new: nothing kept about older
rows changes). Ids come from the tables' sequences on PostgreSQL, so writers running meanwhile
never collide; on SQLite, which has one writer at a time, from the highest id in the table.

Never used for real learners: only :mod:`demo.synthetic` writes through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session


class BulkWriter:
    """Writes rows of new ids into tables, in bulk; counts what it wrote."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.rows = 0
        self._next: dict[str, int] = {}
        # set while this transaction holds the tables it fills locked against other writers
        # (:func:`demo.bulk_schema.indexes_set_aside`): ids are then taken a block at a time
        self.locked = False

    def ids(self, table: Table, count: int) -> list[int]:
        """``count`` new ids for rows of ``table``, ascending."""
        if count <= 0:
            return []
        if self.postgres and self.locked:
            # no one else can insert meanwhile, so no one else takes these ids: move the
            # sequence on by ``count`` at once rather than one nextval per id
            last = self.session.execute(
                text(
                    "SELECT setval(s, nextval(s) + :n - 1) "
                    "FROM pg_get_serial_sequence(:t, 'id') AS s"
                ),
                {"t": table.name, "n": count},
            ).scalar_one()
            return list(range(last - count + 1, last + 1))
        if self.postgres:
            found = self.session.execute(
                text(
                    "SELECT array_agg(nextval(pg_get_serial_sequence(:t, 'id'))) "
                    "FROM generate_series(1, :n)"
                ),
                {"t": table.name, "n": count},
            ).scalar_one()
            return sorted(found)
        first = self._next.get(table.name)
        if first is None:
            highest = self.session.execute(select(func.max(table.c.id))).scalar()
            first = int(highest or 0) + 1
        self._next[table.name] = first + count
        return list(range(first, first + count))

    def write(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (all with the same keys, in the same order) into ``table``."""
        if not rows:
            return
        if self.postgres:
            self._copy(table, rows)
        else:
            self.session.connection().execute(insert(table), list(rows))
        self.rows += len(rows)

    def _copy(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Binary COPY: the server reads each value as stored, with no text to parse."""
        from psycopg.types.json import Json

        columns = list(rows[0])
        json_at = {i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)}
        raw = self.session.connection().connection.driver_connection
        assert raw is not None
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)'
        with raw.cursor() as cursor, cursor.copy(statement) as cp:
            cp.set_types([_pg_type(table, c) for c in columns])
            for row in rows:
                values = tuple(row.values())
                if json_at:
                    values = tuple(Json(v) if i in json_at else v for i, v in enumerate(values))
                cp.write_row(values)


def _pg_type(table: Table, column: str) -> str:
    """The PostgreSQL type a binary COPY sends for a column."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, DateTime):
        return "timestamptz"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, String):
        return "text"
    raise TypeError(f"no COPY type for {table.name}.{column} ({kind!r})")
