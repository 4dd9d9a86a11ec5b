"""indexes for a learner's evidence list read by keyset, in each of its orders

Revision ID: 0040
Revises: 0039

The API's evidence list reads each page from the last item's sort key and id (newest or oldest
activity first, or by title in lower case): these indexes make each page one range of one index,
however far down the list, rather than a sort of every item of the learner.
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_evidence_learner_activity", "evidence", ["learner_id", "activity_date", "id"]
    )
    op.create_index(
        "ix_evidence_learner_title", "evidence", ["learner_id", sa.text("lower(title)"), "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_evidence_learner_title", table_name="evidence")
    op.drop_index("ix_evidence_learner_activity", table_name="evidence")
