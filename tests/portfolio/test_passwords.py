"""The production password hasher: the rest of the suite hashes at Argon2id's lowest cost (see
``cheap_password_hashing`` in tests/conftest.py); here the real one is put back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlmodel import Session

from portfolio.services import passwords, people
from portfolio.services.people import SYSTEM
from tests.conftest import PASSWORD

PRODUCTION = PasswordHasher()  # argon2-cffi's recommended (RFC 9106 low-memory) parameters


@pytest.fixture
def production_hasher(
    cheap_password_hashing: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PasswordHasher]:
    """The hasher the module was imported with, and its dummy hash made afresh by it."""
    real = cheap_password_hashing
    monkeypatch.setattr(passwords, "_hasher", real)
    passwords._dummy_hash.cache_clear()
    yield real
    passwords._dummy_hash.cache_clear()


def test_the_production_hasher_is_argon2id_at_full_cost(production_hasher) -> None:
    assert production_hasher.type.name == "ID"
    assert production_hasher.time_cost >= PRODUCTION.time_cost
    assert production_hasher.memory_cost >= PRODUCTION.memory_cost
    assert production_hasher.parallelism >= PRODUCTION.parallelism


def test_a_person_is_stored_and_logged_in_through_the_production_hasher(
    production_hasher, session: Session
) -> None:
    person = people.create_person(
        session,
        actor=SYSTEM,
        name="Full Cost",
        email="full-cost@test.example",
        roles="learner",
        password=PASSWORD,
        site="Main site",
    )
    session.commit()
    stored = extract_parameters(person.password_hash)
    assert (stored.time_cost, stored.memory_cost, stored.parallelism) == (
        production_hasher.time_cost,
        production_hasher.memory_cost,
        production_hasher.parallelism,
    )
    found = people.authenticate(session, email=person.email, password=PASSWORD)
    assert found is not None and found.id == person.id
    assert people.authenticate(session, email=person.email, password="wrong-horse") is None
    # an unknown address is checked against the production-cost dummy hash
    assert people.authenticate(session, email="nobody@test.example", password=PASSWORD) is None
    dummy = extract_parameters(passwords._dummy_hash())
    assert dummy.memory_cost == production_hasher.memory_cost
