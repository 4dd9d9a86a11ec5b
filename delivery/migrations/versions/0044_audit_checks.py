"""each run of ``portfolio audit verify`` is kept: the audit page says when the trail was checked

Revision ID: 0044
Revises: 0043

One row per run: when, by whom (no one: the command line), how many entries were walked, whether
the trail was intact and, if not, the first finding and how many there were. The page reads the
newest by the primary key.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auditcheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("intact", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("first_finding", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("auditcheck")
