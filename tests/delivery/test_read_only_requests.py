"""A page's transaction on PostgreSQL is READ ONLY and ends with a commit, so the database
refuses any write a page might try, and the connection keeps its prepared statements (psycopg
forgets them all at a ROLLBACK: every statement of every page would be planned again)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import event, text
from sqlalchemy.exc import InternalError

from delivery.web.context import db
from delivery.web.handler import page
from portfolio.db import make_engine
from tests.conftest import fresh_database
from tests.delivery.live import PASSWORD, seed


@pytest.fixture
def served(backend: str, tmp_path: Path) -> Iterator[tuple[Flask, Any, list[str]]]:
    """The app on its own one-connection engine over a seeded database, and what each of that
    engine's transactions ended with."""
    from delivery.web.app import create_app

    with fresh_database(backend, tmp_path) as url:
        seeded = seed(url, learners=1)
        engine = make_engine(url, pool_size=1, max_overflow=0)
        app = create_app(
            {
                "ENGINE": engine,
                "DATABASE_URL": url,
                "SECRET_KEY": "test-secret",
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "FILE_STORE": str(tmp_path / "files"),
            }
        )

        @app.get("/test/rename-on-get")
        @page()
        def rename_on_get() -> str:  # a page that writes behind the session's back
            if request.args.get("again"):  # after ending its first transaction, as views may
                db().execute(text("SELECT 1"))
                db().rollback()
            db().connection().execute(text("UPDATE person SET name = 'Renamed'"))
            return "done"

        ends: list[str] = []
        event.listen(engine, "commit", lambda _conn: ends.append("commit"))
        event.listen(engine, "rollback", lambda _conn: ends.append("rollback"))
        client = app.test_client()
        answer = client.post("/login", data={"email": seeded.learners[0], "password": PASSWORD})
        assert answer.status_code == 302
        try:
            yield app, engine, ends
        finally:
            engine.dispose()


def test_pages_end_with_a_commit_and_keep_prepared_statements(served, backend) -> None:
    app, engine, ends = served
    client = app.test_client()
    client.post("/login", data={"email": "learner0@live.example", "password": PASSWORD})
    ends.clear()
    for _ in range(7):  # psycopg prepares a statement the fifth time it runs on a connection
        assert client.get("/").status_code == 200
        assert client.get("/evidence").status_code == 200
    if backend != "postgresql":
        assert ends and set(ends) == {"rollback"}  # SQLite: a read transaction is rolled back
        return
    assert ends and set(ends) == {"commit"}
    with engine.connect() as connection:  # the one connection the pages used
        prepared = connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements")
        assert prepared.scalar_one() > 0


@pytest.mark.parametrize("address", ["/test/rename-on-get", "/test/rename-on-get?again=1"])
def test_a_write_on_a_page_is_refused_or_undone(served, backend, address) -> None:
    app, engine, _ = served
    client = app.test_client()
    client.post("/login", data={"email": "learner0@live.example", "password": PASSWORD})
    if backend == "postgresql":  # refused by the database itself, in any of its transactions
        with pytest.raises(InternalError, match="read-only transaction"):
            client.get(address)
    else:  # SQLite has no read-only transactions: the page's rollback undoes the write
        assert client.get(address).get_data(as_text=True) == "done"
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM person")).scalars().all()
    assert "Renamed" not in names
    assert client.get("/").status_code == 200  # the next page is served as ever


def test_a_caseload_finds_the_counts_the_start_warmed(served) -> None:
    """The decision counts the start warmed with the app's engine are those a page reading
    through the READ ONLY engine finds: one database in the cache, not two."""
    from delivery.web.coverage.chart_data import start_warming_counts

    app, _engine, _ = served
    counts = app.extensions["portfolio.decision_counts"]
    assert start_warming_counts(app.extensions["portfolio"].session_factory, counts).wait(30)
    client = app.test_client()
    client.post("/login", data={"email": "assessor@live.example", "password": PASSWORD})
    assert client.get("/caseload").status_code == 200
    assert len({database for database, _who, _first in counts}) == 1, list(counts)
