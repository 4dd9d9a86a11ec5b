"""privacy findings: personal data found in evidence versions, and when each text was scanned

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("scanned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["evidenceversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("privacy_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_scan_version_id"), ["version_id"])
    op.create_table(
        "privacy_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("placeholder", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("found_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["evidenceversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("privacy_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_finding_version_id"), ["version_id"])
    # Nothing is scanned here: a draft is scanned when next saved or checked, and submitting
    # scans whatever was not scanned yet.


def downgrade() -> None:
    with op.batch_alter_table("privacy_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_finding_version_id"))
    op.drop_table("privacy_finding")
    with op.batch_alter_table("privacy_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_scan_version_id"))
    op.drop_table("privacy_scan")
