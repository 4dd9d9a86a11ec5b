"""Migration 0009 on a database that already has people: each gets their own session secret,
and the migration goes down again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import fresh_database


def test_existing_people_get_a_secret_each_and_the_migration_goes_down(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0004")
            with engine.begin() as conn:
                for n in (1, 2):
                    conn.execute(
                        text(
                            "INSERT INTO person (name, email, password_hash, roles, active, site, "
                            "assessor_status, failed_logins, created_at) VALUES (:name, :email, "
                            "'', 'learner', true, 'Main site', 'standard', 0, CURRENT_TIMESTAMP)"
                        ),
                        {"name": f"P{n}", "email": f"p{n}@test.example"},
                    )
            upgrade(engine, "0008")
            with engine.connect() as conn:
                secrets = conn.execute(text("SELECT session_secret FROM person")).scalars().all()
            assert len(secrets) == 2 and all(len(s) == 32 for s in secrets)
            assert secrets[0] != secrets[1]
            assert {"loginsession", "passwordreset"} <= set(inspect(engine).get_table_names())
            cfg = alembic_config(url)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0004")
            tables = set(inspect(engine).get_table_names())
            assert "loginsession" not in tables and "passwordreset" not in tables
            columns = {c["name"] for c in inspect(engine).get_columns("person")}
            assert "session_secret" not in columns
        finally:
            engine.dispose()
