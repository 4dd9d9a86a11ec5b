"""Witness links at once, on PostgreSQL: two answers through one link (the row is locked first,
so one is recorded and the other finds the link used), two new requests (the item's row is
locked first, so exactly one link is left working), and an answer racing a new request (the
answer is kept, or the link is replaced and the answer refused; never both, never a 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

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


def _asked(engine: Engine) -> tuple[Any, int, str]:
    """A submitted testimony of a new learner, and a link to its witness: actor, item, token."""
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
        token = witness.request(s, actor=actor, evidence_id=item.id, email="w@employer.org").token
        s.commit()
    return actor, item.id or 0, token


def test_two_answers_at_once_record_one(engine: Engine) -> None:
    _actor, _item, token = _asked(engine)
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


def _live(engine: Engine, item: int) -> list[WitnessConfirmation]:
    """The item's requests that still work: neither answered nor replaced."""
    with Session(engine) as s:
        rows = s.exec(select(WitnessConfirmation).where(WitnessConfirmation.evidence_id == item))
        return [r for r in rows if r.answered_at is None and r.replaced_at is None]


def test_two_asks_at_once_leave_one_working_link(engine: Engine) -> None:
    actor, item, _token = _asked(engine)

    def ask(s: Session) -> None:
        witness.request(s, actor=actor, evidence_id=item, email="w@employer.org")

    assert _race(engine, ask, ask) == "ok"
    (live,) = _live(engine, item)
    with Session(engine) as s:
        rows = s.exec(select(WitnessConfirmation).order_by(col(WitnessConfirmation.id))).all()
    assert len(rows) == 3 and live.id == rows[2].id
    assert [r.replaced_by for r in rows] == [rows[1].id, rows[2].id, None]


def test_an_answer_racing_a_new_request_keeps_a_consistent_record(engine: Engine) -> None:
    actor, item, token = _asked(engine)

    def ask(s: Session) -> None:
        witness.request(s, actor=actor, evidence_id=item, email="w@employer.org")

    # the answer first: it is recorded, and the new request does not mark it replaced (a
    # "not accurate": after a confirmation the version is not asked about again, below)
    assert _race(engine, lambda s: witness.answer(s, token=token, accurate=False), ask) == "ok"
    with Session(engine) as s:
        first, _second = s.exec(select(WitnessConfirmation).order_by(col(WitnessConfirmation.id)))
        assert (first.answer, first.replaced_at) == ("not_accurate", None)
    # the new request first: the answer through the older link is refused, nothing changed
    with Session(engine, expire_on_commit=False) as s:
        asked = witness.request(s, actor=actor, evidence_id=item, email="w@employer.org")
        s.commit()
    late = _race(engine, ask, lambda s: witness.answer(s, token=asked.token, accurate=False))
    assert isinstance(late, witness.LinkGone) and late.why == "replaced"
    with Session(engine) as s:
        row = s.get(WitnessConfirmation, asked.row.id)
        assert row is not None and row.answered_at is None and row.replaced_by is not None
    assert len(_live(engine, item)) == 1


def test_a_confirmation_racing_a_new_request_refuses_the_request(engine: Engine) -> None:
    """The witness confirms while the learner asks again: the confirmation is recorded and the
    request, made after it, is refused in words (the version is not asked about again)."""
    actor, item, token = _asked(engine)

    def ask(s: Session) -> None:
        witness.request(s, actor=actor, evidence_id=item, email="w@employer.org")

    late = _race(engine, lambda s: witness.answer(s, token=token, accurate=True), ask)
    assert isinstance(late, witness.Invalid), late
    assert "is not asked again about a version they confirmed: nothing was sent." in str(late)
    with Session(engine) as s:
        (row,) = s.exec(select(WitnessConfirmation).where(WitnessConfirmation.evidence_id == item))
        assert (row.answer, row.replaced_at) == ("accurate", None)
