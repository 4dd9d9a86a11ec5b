"""Migration 0046 gives a cohort a nullable ``closed_at``: every cohort made before is open after
the upgrade, and the migration goes down again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import fresh_database


def test_cohorts_made_before_are_open_and_the_migration_goes_down(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0045")
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO cohort (name, site, created_at) "
                        "VALUES ('Spring 2024', 'Main site', CURRENT_TIMESTAMP)"
                    )
                )
            upgrade(engine, "0046")
            columns = {c["name"]: c for c in inspect(engine).get_columns("cohort")}
            assert columns["closed_at"]["nullable"] is True
            with engine.connect() as conn:
                closed = conn.execute(text("SELECT closed_at FROM cohort")).scalars().all()
            assert closed == [None]
            cfg = alembic_config(url)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0045")
            assert "closed_at" not in {c["name"] for c in inspect(engine).get_columns("cohort")}
            with engine.connect() as conn:
                names = conn.execute(text("SELECT name FROM cohort")).scalars().all()
            assert names == ["Spring 2024"]
            upgrade(engine)  # and up again
            assert "closed_at" in {c["name"] for c in inspect(engine).get_columns("cohort")}
        finally:
            engine.dispose()
