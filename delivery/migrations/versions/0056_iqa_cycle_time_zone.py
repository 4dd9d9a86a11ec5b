"""a sampling cycle keeps the centre's time zone: its days are the centre's days

Revision ID: 0056
Revises: 0055

A cycle's days (``start_date`` to ``end_date``) were UTC days: a decision made between 00:00
and 01:00 in British Summer Time on a cycle's first day fell in the cycle before. A cycle now
keeps the centre's time zone (its ``TIME_ZONE``, an IANA name such as "Europe/London") when it
is created, and its days are that zone's days. Cycles created before have none (NULL) and keep
their UTC days, so the decisions they hold, planned and reviewed, stay the same.

Downgrade drops the column: every cycle has UTC days again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0056"
down_revision = "0055"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("iqa_cycle", sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # as in 0050: the tables its foreign keys name are not read, only their names are needed
    with op.batch_alter_table("iqa_cycle", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.drop_column("time_zone")
