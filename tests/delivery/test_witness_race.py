"""Two answers through one witness link at once, on PostgreSQL: the row is locked first, so one
is recorded and the other finds the link used (never two answers, never a 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from portfolio.models import AuditEntry, WitnessConfirmation
from portfolio.services import evidence, witness
from tests.conftest import actor_of, migrated_database
from tests.delivery.test_races import _person, _race


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: no race to lose")
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


def test_two_answers_at_once_record_one(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        learner = _person(s, "learner", "Wit")
        actor = actor_of(learner)
        item = evidence.create(
            s,
            actor=actor,
            learner_id=learner.id,
            draft=evidence.Draft(
                kind="witness_testimony",
                title="Profile meeting",
                activity_date=date.today() - timedelta(days=3),
                body="The learner ran the meeting well.",
                fields={
                    "witness_name": "W",
                    "witness_role": "Manager",
                    "witness_relationship": "Boss",
                },
            ),
        )
        evidence.submit(s, actor=actor, evidence_id=item.id, declaration=True)
        _row, token = witness.request(s, actor=actor, evidence_id=item.id, email="w@employer.org")
        s.commit()
    second = _race(
        engine,
        lambda s: witness.answer(s, token=token, accurate=True),
        lambda s: witness.answer(s, token=token, accurate=False, comment="No."),
    )
    assert isinstance(second, witness.LinkGone) and second.why == "used"
    with Session(engine) as s:
        row = s.exec(select(WitnessConfirmation)).one()
        assert (row.answer, row.comment) == ("accurate", "")
        answers = s.exec(select(AuditEntry).where(AuditEntry.action == "witness.answer")).all()
        assert len(answers) == 1
