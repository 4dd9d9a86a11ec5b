"""a registration records a break in learning: since when, why, and when the learner is expected back

Revision ID: 0035
Revises: 0034

A learner away for a while (maternity leave, long-term sickness) could only be left active, their
plans going overdue and their planned end passing, or withdrawn, which stops their work. An
administrator now records a break (its day, a short reason, the expected return if known) and
ends it, which moves the planned end on by the break's length; existing registrations are on no
break.
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registration", sa.Column("break_since", sa.Date(), nullable=True))
    op.add_column("registration", sa.Column("break_reason", sa.String(length=200), nullable=True))
    op.add_column("registration", sa.Column("break_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("break_until")
        batch.drop_column("break_reason")
        batch.drop_column("break_since")
