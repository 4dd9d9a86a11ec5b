"""Migration 0036 adds the two-step verification tables (no one has it on after the upgrade),
and goes down again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import fresh_database


def test_the_two_step_tables_come_empty_and_go_down_again(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0036")
            tables = set(inspect(engine).get_table_names())
            assert {"two_step", "recovery_code"} <= tables
            with engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM two_step")).scalar_one() == 0
            cfg = alembic_config(url)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0035")
            tables = set(inspect(engine).get_table_names())
            assert "two_step" not in tables and "recovery_code" not in tables
            upgrade(engine)  # and up again
            assert "two_step" in set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
