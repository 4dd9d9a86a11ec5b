"""Writers wait their turn: simultaneous log-ins and a decision race through a real threaded
server on a file database answer no 5xx, and the race has exactly one winner (409 for the rest)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, Decision
from portfolio.db import make_engine
from portfolio.models import Attachment, AuditEntry
from tests.conftest import fresh_database
from tests.delivery.live import (
    Seeded,
    at_once,
    decide_race,
    log_in,
    seed,
    serving,
    slow_upload,
)


@pytest.fixture
def live(backend: str, tmp_path: Path) -> Iterator[tuple[str, str, Seeded]]:
    with fresh_database(backend, tmp_path) as url:
        seeded = seed(url)
        with serving(url, tmp_path) as base:
            yield url, base, seeded


def test_thirty_simultaneous_log_ins_all_succeed(live) -> None:
    url, base, seeded = live
    results = at_once([lambda e=email: log_in(base, e) for email in seeded.learners])
    statuses = Counter(r[0] if isinstance(r, tuple) else type(r).__name__ for r in results)
    assert statuses == {302: 30}
    engine = make_engine(url)
    with Session(engine) as s:
        logins = s.exec(select(AuditEntry).where(AuditEntry.action == "auth.login")).all()
    engine.dispose()
    assert len(logins) == 30


def test_decision_race_has_one_winner_and_409_for_the_others(live) -> None:
    url, base, seeded = live
    statuses = Counter(decide_race(base, seeded, tabs=8))
    assert statuses == {302: 1, 409: 7}
    engine = make_engine(url)
    with Session(engine) as s:
        claim = s.get(Claim, seeded.claim_id)
        decisions = s.exec(select(Decision).where(Decision.claim_id == seeded.claim_id)).all()
        audited = s.exec(select(AuditEntry).where(col(AuditEntry.action) == "claim.decide")).all()
    engine.dispose()
    assert claim is not None and claim.status == "accepted" and claim.revision == 1
    assert len(decisions) == 1 and len(audited) == 1


def test_a_slow_upload_neither_fails_nor_holds_up_other_writers(live) -> None:
    url, base, seeded = live
    status, cookie = log_in(base, seeded.learners[0])
    assert status == 302 and cookie
    data = b"My notes from the session.\n" * 20_000
    uploaded, during = slow_upload(
        base, cookie, seeded.draft_id, data, lambda: log_in(base, seeded.learners[1])[0]
    )
    assert during == 302  # the other log-in was answered while the upload was still arriving
    assert uploaded == 302
    engine = make_engine(url)
    with Session(engine) as s:
        assert len(s.exec(select(Attachment)).all()) == 1
    engine.dispose()
