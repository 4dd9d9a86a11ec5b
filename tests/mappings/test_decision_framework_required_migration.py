"""Migration 0050 gives any decision still without a framework its claim's, then the database
refuses a decision without one; decisions stay append-only, their indexes and the IQA checks that
refer to them are kept, and the migration goes down (and up) again."""

from __future__ import annotations

import warnings

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, SAWarning

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database
from tests.mappings.test_decision_framework_migration import T, _still_append_only

INDEXES = {
    "ix_decision_claim": ["claim_id", "id"],
    "ix_decision_framework": ["framework_id", "id"],
}
WITHOUT_FRAMEWORK = (
    "INSERT INTO decision (id, claim_id, old_status, new_status, feedback, actor_id, at)"
    f" VALUES (:id, 1, 'claimed', 'accepted', '', 1, {T})"
)


def test_a_decision_without_a_framework_is_given_one_then_refused_and_the_migration_goes_down(
    backend, tmp_path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0049")
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                framework_id = _decision_without_framework_checked_by_iqa(conn)
            assert _frameworks(engine) == [None]  # left empty, as hand-built decisions were
            checks_indexed = _indexes(engine, "iqa_decision_check")

            upgrade(engine, "0050")
            assert _frameworks(engine) == [framework_id]
            _schema_kept(engine, checks_indexed, nullable=False)
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(WITHOUT_FRAMEWORK), {"id": 2})

            cfg = alembic_config(url)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0049")
            assert _frameworks(engine) == [framework_id]
            _schema_kept(engine, checks_indexed, nullable=True)
            with engine.begin() as conn:  # a decision without one is taken again
                conn.execute(text(WITHOUT_FRAMEWORK), {"id": 2})

            upgrade(engine)  # and up again: the new one is given its framework too
            assert _frameworks(engine) == [framework_id, framework_id]
            _schema_kept(engine, checks_indexed, nullable=False)
        finally:
            engine.dispose()


def _frameworks(engine: Engine) -> list[int | None]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT framework_id FROM decision ORDER BY id")).scalars())


def _indexes(engine: Engine, table: str) -> dict[str, list[str | None]]:
    return {str(i["name"]): i["column_names"] for i in inspect(engine).get_indexes(table)}


def _schema_kept(engine: Engine, checks_indexed: object, *, nullable: bool) -> None:
    """The column is (not) nullable; the indexes (the checks' too: the migration's own, for
    the move, is gone), the IQA check referring to the decision and the append-only guard are as
    they were."""
    columns = {c["name"]: c for c in inspect(engine).get_columns("decision")}
    assert columns["framework_id"]["nullable"] is nullable
    assert _indexes(engine, "decision") == INDEXES
    assert _indexes(engine, "iqa_decision_check") == checks_indexed
    with engine.connect() as conn:
        checked = conn.execute(
            text(
                "SELECT decision.id FROM iqa_decision_check"
                " JOIN decision ON decision.id = iqa_decision_check.decision_id"
            )
        ).scalars()
        assert list(checked) == [1]
        if engine.dialect.name == "sqlite":  # the made-anew table is the one referred to
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    referred = {k["referred_table"] for k in inspect(engine).get_foreign_keys("iqa_decision_check")}
    assert "decision" in referred
    _still_append_only(engine)


def _decision_without_framework_checked_by_iqa(conn) -> int:  # type: ignore[no-untyped-def]
    """A learner's claim with a decision that names no framework, sampled by an IQA whose review
    checked it (a row referring to the decision); the claim's framework."""
    framework_id, standard_id, criterion_id = conn.execute(
        text(
            "SELECT standard.framework_id, standard.id, criterion.id FROM criterion "
            "JOIN standard ON standard.id = criterion.standard_id "
            "ORDER BY criterion.id LIMIT 1"
        )
    ).one()
    for pid, name, roles in ((1, "Ann", "learner"), (2, "Iris", "iqa")):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:id, :n, :e, '', :r, true, "
                f"'', 'experienced', 0, {T})"
            ),
            {"id": pid, "n": name, "e": f"p{pid}@example.org", "r": roles},
        )
    conn.execute(
        text(
            "INSERT INTO registration (id, learner_id, framework_id, start_date, planned_end, "
            "created_at) VALUES (1, 1, :f, '2025-01-01', '2026-01-01', " + T + ")"
        ),
        {"f": framework_id},
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
    conn.execute(text(WITHOUT_FRAMEWORK), {"id": 1})
    conn.execute(
        text(
            "INSERT INTO iqa_cycle (id, name, start_date, end_date, iqa_id, strategy, seed, "
            "created_at, created_by) VALUES (1, 'Spring', '2025-01-01', '2025-06-30', 2, '{}', "
            f"0, {T}, 2)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO iqa_sample (id, cycle_id, decision_key, kind, registration_id, "
            "learner_id, standard_id, assessor_id, reasons, added_by, position, dropped, "
            "created_at) VALUES (1, 1, 'I1', 'interim', 1, 1, :s, 2, '[]', 'iqa', 1, false, "
            + T
            + ")"
        ),
        {"s": standard_id},
    )
    conn.execute(
        text(
            "INSERT INTO iqa_review (id, sample_id, outcome, feedback, reviewed_by, at, "
            f"reopened_signoff) VALUES (1, 1, 'agree', '', 2, {T}, false)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO iqa_decision_check (id, review_id, decision_id, agree, note) "
            "VALUES (1, 1, 1, true, '')"
        )
    )
    return int(framework_id)


def test_going_through_the_batch_migrations_reads_only_the_tables_they_make_anew(
    backend, tmp_path
) -> None:
    """On SQLite batch mode makes the decision table (0050) and the plan table (0052, going down)
    anew from what it reads of them. Reading their foreign keys' tables as well made SQLAlchemy
    warn that it skips the evidence table's index on lower(title), a table neither touches."""
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", SAWarning)
                upgrade(engine)
                cfg = alembic_config(url)
                with engine.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.downgrade(cfg, "0049")
                upgrade(engine)
        finally:
            engine.dispose()
