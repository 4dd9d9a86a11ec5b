"""Migration 0058 gives people a unique learner number and registrations an awarding body number:
people stored before have none and keep everything else; two people cannot share a number; down
drops both columns (and the index) and keeps the people, up again adds them back, empty."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import fresh_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _columns(conn, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


def _people(conn, uln: bool = True) -> list[tuple]:
    extra = ", uln" if uln else ""
    return [
        tuple(r)
        for r in conn.execute(text(f"SELECT id, name, email{extra} FROM person ORDER BY id"))
    ]


def test_numbers_start_empty_are_unique_and_go_down_and_up_again(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0057")  # the revision before
            with engine.begin() as conn:
                for pid in (1, 2):
                    conn.execute(
                        text(
                            "INSERT INTO person (id, name, email, password_hash, roles, active, "
                            "site, assessor_status, failed_logins, created_at) VALUES (:id, :n, "
                            ":e, 'x', 'learner', :a, '', 'standard', 0, :t)"
                        ),
                        {
                            "id": pid,
                            "n": f"P{pid}",
                            "e": f"p{pid}@example.org",
                            "a": True,
                            "t": NOW,
                        },
                    )
                assert "uln" not in _columns(conn, "person")
            upgrade(engine)
            with engine.begin() as conn:
                assert "awarding_body_ref" in _columns(conn, "registration")
                after = _people(conn)
                conn.execute(text("UPDATE person SET uln = '1234567899' WHERE id = 1"))
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text("UPDATE person SET uln = '1234567899' WHERE id = 2"))
            with engine.begin() as conn:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0057")
                assert "uln" not in _columns(conn, "person")
                assert "awarding_body_ref" not in _columns(conn, "registration")
                down = _people(conn, uln=False)
                command.upgrade(cfg, "head")
                again = _people(conn)
        finally:
            engine.dispose()
    assert after == [(1, "P1", "p1@example.org", None), (2, "P2", "p2@example.org", None)]
    assert down == [r[:3] for r in after]
    assert again == after  # the number given meanwhile went with the column
