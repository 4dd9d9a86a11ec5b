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


def test_0038_keeps_the_plain_secrets_holds_a_token_and_goes_down_only_without_one(
    backend, tmp_path
) -> None:
    """The column grows to hold a Fernet token; a secret stored plain before stays as it is (the
    code reads it and seals it later); going down is refused while a token is stored."""
    from portfolio import sealing
    from portfolio.services import two_step

    plain = two_step.new_secret()
    token = sealing.Sealer((sealing.new_key().encode(),)).seal(plain)
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0037")
            # as the table was at 0037 (the model has columns added since)
            with engine.begin() as conn:
                for n in (1, 2):
                    conn.execute(
                        text(
                            "INSERT INTO person (id, name, email, password_hash, roles, active, "
                            "site, assessor_status, session_secret, failed_logins, created_at) "
                            "VALUES (:id, :n, :e, '', '', :a, 'Main site', 'standard', :k, 0, "
                            "CURRENT_TIMESTAMP)"
                        ),
                        {
                            "id": n,
                            "n": f"P{n}",
                            "e": f"p{n}@test.example",
                            "a": True,
                            "k": f"{n:032}",
                        },
                    )
            ids = [1, 2]
            insert = text("INSERT INTO two_step (person_id, secret, last_step, turned_on_at) "
                          "VALUES (:p, :s, 0, CURRENT_TIMESTAMP)")  # fmt: skip
            with engine.begin() as conn:
                conn.execute(insert, {"p": ids[0], "s": plain})
            upgrade(engine, "0038")
            with engine.begin() as conn:
                conn.execute(insert, {"p": ids[1], "s": token})
                stored = conn.execute(text("SELECT secret FROM two_step ORDER BY person_id"))
                assert stored.scalars().all() == [plain, token]
            cfg = alembic_config(url)
            try:
                with engine.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.downgrade(cfg, "0037")
            except RuntimeError as refused:
                assert "1 two-step secret is stored encrypted" in str(refused)
            else:
                raise AssertionError("went down with an encrypted secret")
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM two_step WHERE person_id = :p"), {"p": ids[1]})
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0037")
            with engine.connect() as conn:
                assert conn.execute(text("SELECT secret FROM two_step")).scalar_one() == plain
        finally:
            engine.dispose()
