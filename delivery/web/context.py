"""Per-request plumbing: the database session, the current actor, work to do after the commit.

The session is committed or rolled back in one place, :mod:`delivery.web.handler`; views and
helpers only use it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from portfolio.services.files import Store
from portfolio.services.people import Actor
from portfolio.services.stores import open_store


class PortfolioExtension:
    """Holds the engine and how to make a session; tests swap ``session_factory``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory: Callable[[], Session] = lambda: Session(
            engine, expire_on_commit=False
        )
        self._store: Store | None = None

    def init_app(self, app: Flask) -> None:
        app.extensions["portfolio"] = self
        app.teardown_appcontext(self._close)
        # once for every session class (listening on each request's session was a tenth of
        # its fixed cost): the listeners note writes of the sessions db() marked as a request's
        if not event.contains(OrmSession, "after_flush", _flushed):
            event.listen(OrmSession, "after_flush", _flushed)
            event.listen(OrmSession, "do_orm_execute", _executed)

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def extension() -> PortfolioExtension:
    ext: PortfolioExtension = current_app.extensions["portfolio"]
    return ext


def file_store() -> Store:
    """The application's file store (``FILE_STORE``: a folder or ``s3://…``), made once."""
    ext = extension()
    if ext._store is None:
        ext._store = open_store(current_app.config["FILE_STORE"], current_app.config)
    return ext._store


_REQUEST = "portfolio.request"  # in Session.info: the session of a web request (db())
_WROTE = "portfolio.wrote"  # in Session.info: it has written (flushed or executed a change)


def _flushed(session: OrmSession, *_args: Any) -> None:
    if _REQUEST in session.info:
        session.info[_WROTE] = True


def _executed(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _REQUEST in state.session.info:
        state.session.info[_WROTE] = True


_READ_ONLY = (
    "portfolio.read_only"  # in Session.info: its transaction is READ ONLY (a safe request's)
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db() -> Session:
    """The one session of this request. A safe request's (GET...) on PostgreSQL reads in a
    READ ONLY transaction, so the database itself refuses a write, and ends with a commit
    (:mod:`delivery.web.handler`)."""
    found: Session | None = g.get("db_session")
    if found is None:
        found = extension().session_factory()
        found.info[_REQUEST] = True
        found.info.pop(_WROTE, None)  # a session shared with a test: only this request counts
        found.info.pop(_READ_ONLY, None)
        bind = found.get_bind()
        reading = has_request_context() and request.method in SAFE_METHODS
        if reading and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
            found.bind = _read_only(bind)  # each of its transactions (a view may end one)
            found.info[_READ_ONLY] = True
        g.db_session = found
    return found


@cache
def _read_only(engine: Engine) -> Engine:
    """``engine`` whose connections begin READ ONLY transactions (same pool; reset on return)."""
    return engine.execution_options(postgresql_readonly=True)


def reads_only() -> bool:
    """Whether this request's session is a safe request's READ ONLY transaction that has not
    tried to write (see :func:`db`); the handler ends such a one with a commit."""
    session = session_if_open()
    return session is not None and bool(session.info.get(_READ_ONLY)) and not wrote()


def session_if_open() -> Session | None:
    """The request's session if it has one, else None."""
    found: Session | None = g.get("db_session")
    return found


def wrote() -> bool:
    """Whether this request's session has written to the database (flushed or executed)."""
    session = session_if_open()
    return session is not None and bool(session.info.get(_WROTE))


def undo() -> None:
    """Forget what this request's session has written so far (a failed service call)."""
    session = session_if_open()
    if session is not None:
        session.rollback()
        session.info.pop(_WROTE, None)
    g.pop("after_commit", None)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once this request's writes are committed (never if they are not)."""
    g.setdefault("after_commit", []).append(callback)


def pending_callbacks() -> list[Callable[[], None]]:
    found: list[Callable[[], None]] = g.pop("after_commit", [])
    return found


def actor() -> Actor:
    user: Any = current_user
    if not user.is_authenticated:
        raise RuntimeError("actor() needs a logged-in user")
    return user.actor  # type: ignore[no-any-return]
