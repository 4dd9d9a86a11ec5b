"""Migration 0052 gives an assessment plan the kind of evidence asked for: plans stored before ask
for none (any kind, the learner's choice) and keep everything else; down drops the column and
keeps the plans, up again adds it back, empty."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
DUE = date(2026, 2, 1)


def _columns(conn) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns("assessment_plan")}


def _plan(conn) -> None:
    for pid, role in ((1, "learner"), (2, "assessor")):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:id, :n, :e, '', :r, "
                ":a, '', 'experienced', 0, :t)"
            ),
            {"id": pid, "n": f"P{pid}", "e": f"p{pid}@example.org", "r": role, "a": True, "t": NOW},
        )
    framework_id = conn.execute(text("SELECT id FROM framework ORDER BY id LIMIT 1")).scalar()
    conn.execute(
        text(
            "INSERT INTO registration (id, learner_id, framework_id, assessor_id, start_date, "
            "planned_end, created_at) VALUES (1, 1, :f, 2, :s, :e, :t)"
        ),
        {"f": framework_id, "s": DUE, "e": DUE, "t": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO assessment_plan (id, registration_id, learner_id, title, body, due_on, "
            "status, set_by, set_at, updated_at, close_reason) VALUES (1, 1, 1, 'Reflect', "
            "'Write it', :d, 'open', 2, :t, :t, '')"
        ),
        {"d": DUE, "t": NOW},
    )


def _plans(conn, kind: bool = True) -> list[tuple]:
    extra = ", evidence_kind" if kind else ""
    query = f"SELECT id, title, body, due_on, status{extra} FROM assessment_plan ORDER BY id"
    return [tuple(r) for r in conn.execute(text(query)).all()]


def test_plans_stored_before_ask_for_any_kind_down_and_up_again(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0051")  # the revision before
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                _plan(conn)
                assert "evidence_kind" not in _columns(conn)
            upgrade(engine)
            with engine.begin() as conn:
                assert "evidence_kind" in _columns(conn)
                after = _plans(conn)
                conn.execute(text("UPDATE assessment_plan SET evidence_kind = 'product'"))
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0051")
                assert "evidence_kind" not in _columns(conn)
                down = _plans(conn, kind=False)
                command.upgrade(cfg, "head")
                again = _plans(conn)
        finally:
            engine.dispose()
    assert [(*r[:3], str(r[3])) for r in after] == [(1, "Reflect", "Write it", "2026-02-01")]
    assert after[0][5] is None  # any kind, the learner's choice
    assert down == [r[:5] for r in after]
    assert again == after  # the kind set meanwhile went with the column
