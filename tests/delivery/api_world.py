"""What the API tests share: a token per persona of the page walk's world, and requests with it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from portfolio.services import tokens
from portfolio.services.people import SYSTEM
from tests.portfolio.test_routes import world  # noqa: F401 - the fixture, used by api_world

ALL_SCOPES = tuple(tokens.SCOPES)


def token_for(session: Session, person_id: int, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
    made = tokens.create(session, actor=SYSTEM, person_id=person_id, name="tests", scopes=scopes)
    session.commit()
    return made.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api_world(session: Session, world: Any, app: Flask) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: F811
    """The page walk's world (people, ids) and a token with every scope for each persona."""
    people, values = world
    secrets = {name: token_for(session, person.id) for name, person in people.items()}
    return {"people": people, "tokens": secrets}, values
