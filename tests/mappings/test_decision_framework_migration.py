"""Migration 0049 gives every decision its claim's framework (the relearning job's newest decision
in a framework is then one probe of ``ix_decision_framework``), keeps decisions append-only, and
goes down again."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

T = "CURRENT_TIMESTAMP"


def test_decisions_made_before_name_their_framework_and_the_migration_goes_down(
    backend, tmp_path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0048")
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                framework_id, criterion_id = conn.execute(
                    text(
                        "SELECT standard.framework_id, criterion.id FROM criterion "
                        "JOIN standard ON standard.id = criterion.standard_id "
                        "ORDER BY criterion.id LIMIT 1"
                    )
                ).one()
                conn.execute(
                    text(
                        "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                        f"assessor_status, failed_logins, created_at) VALUES (1, 'Ann', "
                        f"'ann@example.org', '', 'learner', true, '', 'experienced', 0, {T})"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO evidence (id, learner_id, kind, title, activity_date, status, "
                        "current_version, created_by, created_at, updated_at) VALUES "
                        f"(1, 1, 'reflective_account', 'Profile', '2025-01-02', 'submitted', 1, 1, {T}, {T})"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO claim (id, evidence_id, criterion_id, claimed_by, "
                        f"created_at, status, revision) VALUES (1, 1, :c, 1, {T}, 'accepted', 1)"
                    ),
                    {"c": criterion_id},
                )
                conn.execute(
                    text(
                        "INSERT INTO decision (id, claim_id, old_status, new_status, feedback, "
                        f"actor_id, at) VALUES (1, 1, 'claimed', 'accepted', '', 1, {T})"
                    )
                )
            upgrade(engine, "0049")
            with engine.connect() as conn:
                named = conn.execute(text("SELECT framework_id FROM decision")).scalars().all()
            assert named == [framework_id]
            indexes = {i["name"] for i in inspect(engine).get_indexes("decision")}
            assert "ix_decision_framework" in indexes
            _still_append_only(engine)
            cfg = alembic_config(url)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0048")
            columns = {c["name"] for c in inspect(engine).get_columns("decision")}
            assert "framework_id" not in columns
            with engine.connect() as conn:
                kept = conn.execute(text("SELECT claim_id FROM decision")).scalars().all()
            assert kept == [1]
            _still_append_only(engine)
            upgrade(engine)  # and up again
            assert "framework_id" in {c["name"] for c in inspect(engine).get_columns("decision")}
            _still_append_only(engine)
        finally:
            engine.dispose()


def _still_append_only(engine) -> None:
    """The guard of migration 0004, lifted for the backfill, is back: decisions are never
    changed or deleted."""
    for change in ("UPDATE decision SET feedback = 'changed'", "DELETE FROM decision"):
        with (
            pytest.raises(DatabaseError, match="append-only table decision"),
            engine.begin() as conn,
        ):
            conn.execute(text(change))
