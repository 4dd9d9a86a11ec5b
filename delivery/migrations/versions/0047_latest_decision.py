"""a claim's decisions and an item's judgements indexed with their ids: the latest of each is one
probe of an index whatever the history

Revision ID: 0047
Revises: 0046

The edit page shows each referred claim's latest decision and the item's latest judgement. By the
claim (or item) alone, the database read every decision (judgement) it ever had to find the
latest; led by the claim (item) and ending with the id, the index gives the latest at once. The
new indexes serve every look-up by claim (item) the old ones did.
"""

from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None

INDEXES = (  # (table, column, old index, new index)
    ("decision", "claim_id", "ix_decision_claim_id", "ix_decision_claim"),
    ("judgement", "evidence_id", "ix_judgement_evidence_id", "ix_judgement_evidence"),
)


def upgrade() -> None:
    for table, column, old, new in INDEXES:
        op.create_index(new, table, [column, "id"])
        op.drop_index(old, table_name=table)


def downgrade() -> None:
    for table, column, old, new in INDEXES:
        op.create_index(old, table, [column])
        op.drop_index(new, table_name=table)
