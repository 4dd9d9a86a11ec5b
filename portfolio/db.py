"""Database engine and sessions.

SQLite is the embedded default (foreign keys on, WAL, busy timeout); PostgreSQL uses psycopg.
The schema is owned by Alembic migrations in the delivery layer (:mod:`delivery.schema`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` or ``postgres://``; we speak psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (so SAVEPOINTs work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


@contextmanager
def unit_of_work(make_session: Callable[[], Session]) -> Iterator[Session]:
    """One transaction outside a web request (a command, a background job's step): commit on
    success, roll back on any error. With the web request handler, the only place that commits."""
    with make_session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def session_scope(engine: Engine) -> AbstractContextManager[Session]:
    """A session for command-line work: commit on success, roll back on any error."""
    return unit_of_work(lambda: Session(engine))
