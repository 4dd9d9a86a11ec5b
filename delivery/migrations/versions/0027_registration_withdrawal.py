"""a registration records a learner's withdrawal: the day they left and why

Revision ID: 0027
Revises: 0026

A learner who left the programme stayed active: their evidence could still be mapped, their
claims decided and standards signed off. An administrator now records the withdrawal (a date and
a short reason) and may reinstate it; existing registrations are not withdrawn.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registration", sa.Column("withdrawn_at", sa.Date(), nullable=True))
    op.add_column("registration", sa.Column("withdrawn_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn_at")
