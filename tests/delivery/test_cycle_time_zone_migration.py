"""Migration 0056 gives a sampling cycle the centre's time zone: cycles stored before have none
(they keep their UTC days, and with them the decisions they hold) and keep everything else;
down drops the column and keeps the cycles, up again adds it back, empty."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import fresh_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _columns(conn) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns("iqa_cycle")}


def _cycles(conn, zone: bool = True) -> list[tuple]:
    extra = ", time_zone" if zone else ""
    query = f"SELECT id, name, start_date, end_date, iqa_id, seed{extra} FROM iqa_cycle ORDER BY id"
    rows = conn.execute(text(query)).all()
    # SQLite gives the days back as text: compare them as days on both databases
    return [(r[0], r[1], str(r[2]), str(r[3]), *r[4:]) for r in rows]


def test_cycles_stored_before_have_no_zone_down_and_up_again(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0055")  # the revision before
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                        "assessor_status, failed_logins, created_at) VALUES (1, 'Q', "
                        "'q@example.org', 'x', 'iqa', :a, '', 'experienced', 0, :t)"
                    ),
                    {"a": True, "t": NOW},
                )
                conn.execute(
                    text(
                        "INSERT INTO iqa_cycle (id, name, start_date, end_date, iqa_id, strategy, "
                        "seed, created_at, created_by) VALUES (1, 'Summer', :s, :e, 1, '{}', 7, "
                        ":t, 1)"
                    ),
                    {"s": date(2026, 7, 1), "e": date(2026, 7, 31), "t": NOW},
                )
                assert "time_zone" not in _columns(conn)
            upgrade(engine)
            with engine.begin() as conn:
                assert "time_zone" in _columns(conn)
                after = _cycles(conn)
                conn.execute(text("UPDATE iqa_cycle SET time_zone = 'Europe/London'"))
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0055")
                assert "time_zone" not in _columns(conn)
                down = _cycles(conn, zone=False)
                command.upgrade(cfg, "head")
                again = _cycles(conn)
        finally:
            engine.dispose()
    assert after == [(1, "Summer", "2026-07-01", "2026-07-31", 1, 7, None)]
    assert down == [r[:6] for r in after]
    assert again == after  # the zone set meanwhile went with the column
