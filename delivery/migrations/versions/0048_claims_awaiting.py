"""the claims awaiting a decision have an index of their own: the relearning job finds their items
without reading every claim ever made

Revision ID: 0048
Revises: 0047

After a decision the relearning job works out again the suggestions of the items still before an
assessor in that framework. It found them among every claim (and every evidence version) ever
written; the awaiting claims are a few of them, and this partial index holds those alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_claim_awaiting",
        "claim",
        ["evidence_id"],
        postgresql_where=sa.text("status = 'claimed'"),
        sqlite_where=sa.text("status = 'claimed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_claim_awaiting", table_name="claim")
