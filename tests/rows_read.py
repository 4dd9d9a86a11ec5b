"""Rows a transaction has read, as PostgreSQL counts them (pg_stat_xact_user_tables: the current
transaction's sequential and index reads), for the tests that hold a page or job to reading what
it shows rather than the whole history (costs must not grow with history)."""

from __future__ import annotations

from sqlalchemy import Connection, text


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
