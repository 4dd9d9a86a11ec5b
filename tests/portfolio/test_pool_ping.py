"""PostgreSQL's pool tries a connection that sat unused before handing it out, and replaces one
the server has dropped meanwhile (portfolio.db._ping_when_idle): no round trip for a connection
used a moment ago."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, text

from portfolio import db


def test_a_connection_dropped_while_unused_is_replaced_before_use(
    engine: Engine, monkeypatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the pool is tried on PostgreSQL (SQLite has no server to drop it)")
    own = db.make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    statements: list[str] = []
    event.listen(own, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        with own.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with own.connect() as conn:  # used a moment ago: handed out untried
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat unused for long
        with own.connect() as conn:
            again = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert again != first  # a new connection, and the work never saw the dropped one
    finally:
        own.dispose()
    assert statements.count("SELECT pg_backend_pid()") == 3
