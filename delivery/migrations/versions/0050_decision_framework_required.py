"""every decision names its framework: ``decision.framework_id`` is NOT NULL

Revision ID: 0050
Revises: 0049

Migration 0049 gave each decision its claim's framework, and every path of the application writes
it, but the column let a decision be written without one, and such a decision was invisible to
the relearning job's newest-decision probe (``ix_decision_framework``): decisions written by hand
(benchmarks, tests) left it empty. Any decision still without one is given its claim's framework
here, the append-only guard of migration 0004 lifted for the backfill and put back as 0049 does,
and the database then refuses a decision without one.

On SQLite the column is made NOT NULL by batch mode, which makes the table anew: its triggers
(the append-only guard) go with the old table and are made again as they were, its indexes are
made again by the batch, and its rows are set aside while it is made (an IQA review's checks
refer to them: see ``_sqlite_framework_nullable``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None

SQLITE_GUARD = (
    "CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision "
    "BEGIN SELECT RAISE(ABORT, 'append-only table decision: rows are never changed "
    "or deleted'); END"
)
CHECKS_BY_DECISION = "ix_iqa_decision_check_decision_0050"  # for the move alone
BACKFILL = (
    "UPDATE decision SET framework_id = (SELECT standard.framework_id FROM claim"
    " JOIN criterion ON criterion.id = claim.criterion_id"
    " JOIN standard ON standard.id = criterion.standard_id"
    " WHERE claim.id = decision.claim_id)"
    " WHERE framework_id IS NULL"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE decision DISABLE TRIGGER decision_append_only")
        op.execute(BACKFILL)
        op.execute("ALTER TABLE decision ENABLE TRIGGER decision_append_only")
        op.alter_column("decision", "framework_id", existing_type=sa.Integer(), nullable=False)
        return
    op.execute("DROP TRIGGER decision_no_update")
    op.execute(BACKFILL)
    op.execute(SQLITE_GUARD)
    _sqlite_framework_nullable(False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("decision", "framework_id", existing_type=sa.Integer(), nullable=True)
        return
    _sqlite_framework_nullable(True)


def _sqlite_framework_nullable(nullable: bool) -> None:
    """Batch mode makes the table anew and drops the old one. An IQA review's checks refer to
    decisions, and dropping a table whose rows are referred to is refused (or, with the check
    deferred, left failing at commit: the rows come back under the same name by a rename, which
    the check never sees). So the rows are set aside first, the table emptied (the check
    deferred to the commit), made anew by the batch, and the rows put back, which settles the
    deferred check; the triggers, lifted for this, are made again as they were."""
    bind = op.get_bind()
    triggers = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'decision'"
        " ORDER BY name"
    ).all()
    columns = ", ".join(r[1] for r in bind.exec_driver_sql("PRAGMA table_info(decision)"))
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit (SQLite resets it there)
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    # each decision's checks found by an index while its rows move, not by reading every check
    op.execute(f"CREATE INDEX {CHECKS_BY_DECISION} ON iqa_decision_check (decision_id)")
    op.execute(f"CREATE TEMP TABLE decision_set_aside AS SELECT {columns} FROM decision")
    op.execute("DELETE FROM decision")
    # the tables its foreign keys name are not read: only their names go into the new table
    # (read, the evidence table's index on lower(title) made SQLAlchemy warn that it skipped it)
    with op.batch_alter_table("decision", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.alter_column("framework_id", existing_type=sa.Integer(), nullable=nullable)
    op.execute(f"INSERT INTO decision ({columns}) SELECT {columns} FROM decision_set_aside")
    op.execute("DROP TABLE decision_set_aside")
    op.execute(f"DROP INDEX {CHECKS_BY_DECISION}")
    for _name, sql in triggers:
        op.execute(sql)
