"""Database engine and sessions.

SQLite is the embedded default (foreign keys on, WAL, busy timeout); PostgreSQL uses psycopg.
The schema is owned by Alembic migrations in the delivery layer (:mod:`delivery.schema`).

Writers wait their turn. A transaction begun inside :func:`writing` (a web request that may
write, a command, a background job's step) starts with ``BEGIN IMMEDIATE`` on SQLite: it takes
the write lock first and waits up to the busy timeout for it, rather than reading under a
snapshot and failing with "database is locked" when it tries to write after someone else did.
A unit of work that still fails on a lock (:func:`is_lock_error`: SQLite busy, a PostgreSQL
serialization failure or deadlock) is run again whole by :func:`retrying`, a bounded number of times.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

T = TypeVar("T")
BUSY_TIMEOUT_SECONDS = 30
ATTEMPTS = 5  # a unit of work that fails on a lock is run at most this many times
# a pooled PostgreSQL connection left unused this long is tried before it is handed out
PING_AFTER_IDLE_SECONDS = 10.0
# SQLSTATEs of PostgreSQL that mean "run the transaction again": serialization failure,
# deadlock, lock not available, and a unique key taken by a transaction that committed while this
# one ran (READ COMMITTED: two requests checked that a row was not there, then both inserted it;
# run again, the check sees the other's row and answers as it should: a conflict, or nothing to do),
# and a foreign key whose row a transaction deleted and committed meanwhile, or that one
# referred to while this one deleted it (an IQA cycle planned again while one of its samples was
# reviewed; run again, the check sees the row gone, or its new reference, and says so)
_PG_RETRY = frozenset({"40001", "40P01", "55P03", "23505", "23503"})
_writing: ContextVar[bool] = ContextVar("portfolio_writing", default=False)


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
            url,
            connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Try a pooled connection before handing it out when it has been unused a while (the
    server may have restarted or dropped it since): a broken one is replaced, and the work never
    sees it. ``pool_pre_ping`` would try every one, a round trip for every web request; one in
    use a moment ago is as good as tried. (A connection that breaks while in use fails its work,
    and the pool then replaces every connection made before the failure.)"""

    @event.listens_for(engine.pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection no longer answers") from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (so SAVEPOINTs work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # a writer takes the write lock at once (waiting its turn), a reader reads a snapshot
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun in this block (in this thread or task) are write transactions."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def is_lock_error(exc: BaseException) -> bool:
    """Whether ``exc`` means the database was busy, or another transaction got there first: the
    same work, run again, may well pass (or be refused for what it is)."""
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, sqlite3.OperationalError):
        message = str(cause).lower()
        return "locked" in message or "busy" in message
    return getattr(cause, "sqlstate", None) in _PG_RETRY


def retrying(
    work: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    before_retry: Callable[[], None] | None = None,
) -> T:
    """Run ``work`` (a whole unit of work: begin, write, commit); run it again, after a short
    random pause, when it fails on a lock, at most ``attempts`` times in all."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Exception as exc:
            if attempt == attempts or not is_lock_error(exc):
                raise
        time.sleep(random.uniform(0.01, 0.05) * 2**attempt)  # noqa: S311 - jitter, not secrets
        if before_retry is not None:
            before_retry()
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def unit_of_work(make_session: Callable[[], Session], *, write: bool = True) -> Iterator[Session]:
    """One write transaction outside a web request (a command, a background job's step): begun
    immediately, committed on success, rolled back on any error. With the web request handler,
    the only place that commits. To run it again on a lock error, see :func:`run_unit`.
    ``write=False`` for work that only reads (a report, an export): it reads a snapshot and holds
    no writer up however long it takes."""
    with writing() if write else nullcontext(), make_session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def run_unit(make_session: Callable[[], Session], work: Callable[[Session], T]) -> T:
    """``work(session)`` in a :func:`unit_of_work`, the whole unit run again on a lock error."""

    def once() -> T:
        with unit_of_work(make_session) as session:
            return work(session)

    return retrying(once)


def session_scope(engine: Engine, *, write: bool = True) -> AbstractContextManager[Session]:
    """A session for command-line work: commit on success, roll back on any error."""
    return unit_of_work(lambda: Session(engine), write=write)
