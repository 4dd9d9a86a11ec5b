"""Migration 0055 gives a log-in session the time the password was last given again in it:
sessions stored before have none (their own beginning is their sign-in) and keep everything
else; down drops the column and keeps the sessions, up again adds it back, empty."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import fresh_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _columns(conn) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns("loginsession")}


def _sessions(conn, confirmed: bool = True) -> list[tuple]:
    extra = ", confirmed_at" if confirmed else ""
    query = f"SELECT id, token_hash, person_id, ended_why{extra} FROM loginsession ORDER BY id"
    return [tuple(r) for r in conn.execute(text(query)).all()]


def test_sessions_stored_before_have_no_confirmation_down_and_up_again(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0054")  # the revision before
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                        "assessor_status, failed_logins, created_at) VALUES (1, 'P', "
                        "'p@example.org', 'x', 'learner', :a, '', 'experienced', 0, :t)"
                    ),
                    {"a": True, "t": NOW},
                )
                conn.execute(
                    text(
                        "INSERT INTO loginsession (id, token_hash, person_id, created_at, "
                        "last_seen_at, ended_why) VALUES (1, :h, 1, :t, :t, '')"
                    ),
                    {"h": "a" * 64, "t": NOW},
                )
                assert "confirmed_at" not in _columns(conn)
            upgrade(engine)
            with engine.begin() as conn:
                assert "confirmed_at" in _columns(conn)
                after = _sessions(conn)
                conn.execute(text("UPDATE loginsession SET confirmed_at = :t"), {"t": NOW})
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0054")
                assert "confirmed_at" not in _columns(conn)
                down = _sessions(conn, confirmed=False)
                command.upgrade(cfg, "head")
                again = _sessions(conn)
        finally:
            engine.dispose()
    assert after == [(1, "a" * 64, 1, "", None)]
    assert down == [r[:4] for r in after]
    assert again == after  # the confirmation set meanwhile went with the column
