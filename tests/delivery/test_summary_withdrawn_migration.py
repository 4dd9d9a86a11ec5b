"""Migration 0031 marks the summaries already stored of withdrawn registrations,
so the caseload counts those learners apart straight after the upgrade."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from delivery.schema import upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
ON = date(2025, 1, 2)


def test_upgrade_marks_the_stored_summaries_of_withdrawn_registrations(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0030")  # the revision before
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                _summaries(conn)
            upgrade(engine)
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT registration_id, withdrawn FROM registration_summary "
                        "ORDER BY registration_id"
                    )
                ).all()
        finally:
            engine.dispose()
    assert [(r, bool(w)) for r, w in found] == [(1, False), (2, True)]


def _summaries(conn) -> None:
    for pid, name, role in ((1, "Ann", "learner"), (2, "Sam", "assessor"), (3, "Bo", "learner")):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:id, :n, :e, '', :r, "
                ":a, '', 'experienced', 0, :t)"
            ),
            {"id": pid, "n": name, "e": f"p{pid}@example.org", "r": role, "a": True, "t": NOW},
        )
    framework_id = conn.execute(text("SELECT id FROM framework ORDER BY id LIMIT 1")).scalar()
    end = ON + timedelta(days=100)
    for reg, learner, left in ((1, 1, None), (2, 3, ON)):
        conn.execute(
            text(
                "INSERT INTO registration (id, learner_id, framework_id, assessor_id, "
                "start_date, planned_end, created_at, withdrawn_at, withdrawn_reason) "
                "VALUES (:id, :l, :f, 2, :s, :e, :t, :w, :why)"
            ),
            {"id": reg, "l": learner, "f": framework_id, "s": ON - timedelta(days=9), "e": end,
             "t": NOW, "w": left, "why": "Moved" if left else None},
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO registration_summary (registration_id, met, total, awaiting, "
                "computed_on, learner_id, assessor_id, iqa_id, name_key, planned_end, percent, "
                "rag_rank) VALUES (:r, 1, 18, 2, :on, :l, 2, NULL, 'x', :e, 6, 0)"
            ),
            {"r": reg, "on": ON, "l": learner, "e": end},
        )
