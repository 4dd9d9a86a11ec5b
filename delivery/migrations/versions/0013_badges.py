"""badges: the Open Badges 3.0 credential issued for each sign-off, with its status-list entry

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signoff_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("credential_uuid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("status_list", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["issued_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["learner_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["signoff_id"], ["signoff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("status_list", "status_index", name="uq_badge_status_entry"),
    )
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_signoff_id"), ["signoff_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_badge_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_badge_credential_uuid"), ["credential_uuid"], unique=True
        )
    # Standards signed off before this revision get no badge here (the key and the site's
    # address are not known to a migration): `portfolio badges issue` issues theirs.


def downgrade() -> None:
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_credential_uuid"))
        batch_op.drop_index(batch_op.f("ix_badge_learner_id"))
        batch_op.drop_index(batch_op.f("ix_badge_signoff_id"))
    op.drop_table("badge")
