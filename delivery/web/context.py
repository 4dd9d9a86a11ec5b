"""Per-request plumbing: the database session, the current actor, work to do after the commit.

The session is committed or rolled back in one place, :mod:`delivery.web.handler`; views and
helpers only use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState
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


def _flushed(*_args: Any) -> None:
    g.db_wrote = True


def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        g.db_wrote = True


def db() -> Session:
    """The one session of this request."""
    if "db_session" not in g:
        session = extension().session_factory()
        event.listen(session, "after_flush", _flushed)
        event.listen(session, "do_orm_execute", _executed)
        g.db_session = session
    found: Session = g.db_session
    return found


def session_if_open() -> Session | None:
    """The request's session if it has one, else None."""
    found: Session | None = g.get("db_session")
    return found


def wrote() -> bool:
    """Whether this request's session has written to the database (flushed or executed)."""
    return bool(g.get("db_wrote"))


def undo() -> None:
    """Forget what this request's session has written so far (a failed service call)."""
    session = session_if_open()
    if session is not None:
        session.rollback()
    g.pop("db_wrote", None)
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
