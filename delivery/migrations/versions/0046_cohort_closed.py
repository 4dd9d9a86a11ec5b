"""a cohort may be closed: the registration forms and services offer and take only open ones

Revision ID: 0046
Revises: 0045

A centre makes a cohort a year and keeps every one; the registration forms offered them all. A
cohort's ``closed_at`` is when an administrator closed it (none: open, as every cohort made
before is); its registrations stay in it, untouched.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "cohort", sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("cohort", "closed_at")
