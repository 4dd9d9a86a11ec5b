"""an export job remembers when it was last queued: one queued long without starting may be retried

Revision ID: 0025
Revises: 0024

When the hand-off to the workers failed after the commit (the queue did not answer), a cohort
export stayed "queued" for good and only a failed one could be retried. A job queued for five
minutes without starting may now be queued again; a retry's time is kept here (none: when the
job was made).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exportjob", sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("exportjob", "queued_at")
