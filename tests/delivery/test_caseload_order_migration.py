"""Migration 0021 fills in the summaries already stored with what the caseload sorts, searches
and counts by (none is dropped: the caseload need not fold anyone after the upgrade), as
``summaries.rows`` would work them out on the day each was stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
ON = date(2025, 1, 2)


def test_upgrade_fills_in_the_stored_summaries(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0012")  # the revision before
            _load_sample(engine, trail=False)  # the audit table of that revision
            with engine.begin() as conn:
                _old_summaries(conn)
            upgrade(engine)
            with engine.begin() as conn:  # down and up again: the figures are kept
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0012")
                command.upgrade(cfg, "head")
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT registration_id, learner_id, assessor_id, iqa_id, name_key, "
                        "planned_end, percent, rag_rank FROM registration_summary "
                        "ORDER BY registration_id"
                    )
                ).all()
        finally:
            engine.dispose()
    end = ON + timedelta(days=100)
    assert [(*r[:5], str(r[5]), *r[6:]) for r in found] == [  # SQLite: dates as text
        # 9 of 18 met, 1 day into 101: green; 0 of 18, 99 days in: red; the third is gone
        (1, 1, 2, None, "ann äble", str(end), 50, 2),
        (2, 3, 2, None, "bo strasse", str(end), 0, 0),  # casefolded, as the search is
    ]


def _old_summaries(conn) -> None:
    people = ((1, "Ann ÄBLE", "learner"), (2, "Sam", "assessor"), (3, "Bo Straße", "learner"))
    for pid, name, role in people:
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:id, :n, :e, '', :r, "
                ":a, '', 'experienced', 0, :t)"
            ),
            {"id": pid, "n": name, "e": f"p{pid}@example.org", "r": role, "a": True, "t": NOW},
        )
    framework_id = conn.execute(text("SELECT id FROM framework ORDER BY id LIMIT 1")).scalar()
    for reg, learner, start in ((1, 1, ON - timedelta(days=1)), (2, 3, ON - timedelta(days=99))):
        conn.execute(
            text(
                "INSERT INTO registration (id, learner_id, framework_id, assessor_id, "
                "start_date, planned_end, created_at) VALUES (:id, :l, :f, 2, :s, :e, :t)"
            ),
            {"id": reg, "l": learner, "f": framework_id, "s": start,
             "e": ON + timedelta(days=100), "t": NOW},
        )  # fmt: skip
    for reg, met in ((1, 9), (2, 0), (3, 5)):  # 3: its registration is gone
        conn.execute(
            text(
                "INSERT INTO registration_summary (registration_id, met, total, awaiting, "
                "computed_on) VALUES (:r, :m, 18, 0, :on)"
            ),
            {"r": reg, "m": met, "on": ON},
        )
