"""a decision names its claim's framework, and an index led by it ends with the id: the newest
decision in a framework is one probe of the index whatever the other frameworks decided

Revision ID: 0049
Revises: 0048

After a decision the relearning job starts from the newest decision in that framework. A decision
named only its claim, so the database walked back along every decision, newest first, joining
each to its claim's criterion and standard to pass over those of other frameworks: the more they
decided since, the more it read. A claim never changes criterion, so the framework is written
with the decision; the decisions made before are given theirs here, the
append-only guard of migration 0004 lifted for the backfill and put back as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None

SQLITE_GUARD = (
    "CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision "
    "BEGIN SELECT RAISE(ABORT, 'append-only table decision: rows are never changed "
    "or deleted'); END"
)
BACKFILL = (
    "UPDATE decision SET framework_id = (SELECT standard.framework_id FROM claim"
    " JOIN criterion ON criterion.id = claim.criterion_id"
    " JOIN standard ON standard.id = criterion.standard_id"
    " WHERE claim.id = decision.claim_id)"
)


def upgrade() -> None:
    op.add_column("decision", sa.Column("framework_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE decision DISABLE TRIGGER decision_append_only")
        op.execute(BACKFILL)
        op.execute("ALTER TABLE decision ENABLE TRIGGER decision_append_only")
    else:
        op.execute("DROP TRIGGER decision_no_update")
        op.execute(BACKFILL)
        op.execute(SQLITE_GUARD)
    op.create_index("ix_decision_framework", "decision", ["framework_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_decision_framework", table_name="decision")
    op.drop_column("decision", "framework_id")  # native on SQLite 3.35+: keeps the triggers
