"""Per-request plumbing: the database session, the current actor, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy import Engine
from sqlmodel import Session

from portfolio.services.people import Actor


class PortfolioExtension:
    """Holds the engine and how to make a session; tests swap ``session_factory``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory: Callable[[], Session] = lambda: Session(
            engine, expire_on_commit=False
        )

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


def db() -> Session:
    """The one session of this request."""
    if "db_session" not in g:
        g.db_session = extension().session_factory()
    session: Session = g.db_session
    return session


def actor() -> Actor:
    user: Any = current_user
    if not user.is_authenticated:
        raise RuntimeError("actor() needs a logged-in user")
    return user.actor  # type: ignore[no-any-return]
