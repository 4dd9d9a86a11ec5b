"""What the API tests share: a token per persona of the page walk's world, and requests with it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from portfolio.models import Person
from portfolio.services import tokens
from portfolio.services.people import SYSTEM
from tests.portfolio.test_routes import world  # noqa: F401 - the fixture, used by api_world


def token_for(session: Session, person_id: int, scopes: tuple[str, ...] | None = None) -> str:
    """A token for the person; with no ``scopes``, every scope one of their roles uses (the
    service refuses any other)."""
    if scopes is None:
        person = session.get(Person, person_id)
        assert person is not None
        scopes = tuple(tokens.scopes_for(person.role_set))
    made = tokens.create(session, actor=SYSTEM, person_id=person_id, name="tests", scopes=scopes)
    session.commit()
    return made.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api_world(session: Session, world: Any, app: Flask) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: F811
    """The page walk's world (people, ids) and a token with every scope its roles use for each
    persona."""
    people, values = world
    secrets = {name: token_for(session, person.id) for name, person in people.items()}
    return {"people": people, "tokens": secrets}, values
