"""Migration 0035 adds a registration's break in learning: registrations stored before are on no
break (and keep what they had); down and up again keeps them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database
from tests.delivery.test_summary_withdrawn_migration import _summaries

COLUMNS = {"break_since", "break_reason", "break_until"}


def test_registrations_stored_before_are_on_no_break(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0034")  # the revision before
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                _summaries(conn)
            assert not COLUMNS & {c["name"] for c in inspect(engine).get_columns("registration")}
            upgrade(engine)
            with engine.begin() as conn:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0034")
                assert not COLUMNS & {c["name"] for c in inspect(conn).get_columns("registration")}
                command.upgrade(cfg, "head")
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT id, withdrawn_reason, break_since, break_reason, break_until "
                        "FROM registration ORDER BY id"
                    )
                ).all()
        finally:
            engine.dispose()
    assert [tuple(r) for r in found] == [
        (1, None, None, None, None),
        (2, "Moved", None, None, None),
    ]
