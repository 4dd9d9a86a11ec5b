"""a registration's stored summary says whether its learner has withdrawn

Revision ID: 0031
Revises: 0030

The caseload's figures (red, amber, green, claims awaiting a decision) are counted from the
stored summaries alone, and counted a withdrawn learner as active: the caseload said more claims
awaited a decision than the marking queue showed. The summary now says whether the learner has
withdrawn, so one statement counts them apart. Summaries stored before are marked from their
registrations.
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "registration_summary",
        sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE registration_summary SET withdrawn = TRUE WHERE registration_id IN"
        " (SELECT id FROM registration WHERE withdrawn_at IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("registration_summary") as batch:
        batch.drop_column("withdrawn")
