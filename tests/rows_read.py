"""Rows a transaction has read, as PostgreSQL counts them (pg_stat_xact_user_tables: the current
transaction's sequential and index reads), for the tests that hold a page or job to reading what
it shows rather than the whole history (costs must not grow with history)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event, text


def rows_read(connection: Connection, *tables: str) -> dict[str, int]:
    """Rows read so far in this transaction from each of ``tables`` (a table not yet read is
    absent)."""
    rows = connection.execute(
        text(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
            "FROM pg_stat_xact_user_tables WHERE relname = ANY(:names)"
        ),
        {"names": list(tables)},
    ).all()
    return {name: int(n) for name, n in rows}


@contextmanager
def rows_returned(connection: Connection) -> Iterator[list[int]]:
    """``with rows_returned(connection) as counts: ...`` then ``sum(counts)`` is the number of
    rows the database sent back to the application for the statements run inside (PostgreSQL's
    driver gives each statement's count as it is run; SQLite's does not)."""
    counts: list[int] = []

    def listener(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if cursor.description is not None:  # a statement giving rows
            counts.append(cursor.rowcount)

    event.listen(connection, "after_cursor_execute", listener)
    try:
        yield counts
    finally:
        event.remove(connection, "after_cursor_execute", listener)
