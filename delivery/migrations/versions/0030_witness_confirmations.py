"""witness confirmations: the witness of a testimony confirms it (or not) by an e-mailed link

Revision ID: 0030
Revises: 0029

A witness testimony was typed by the learner, and nothing showed that the witness ever saw it.
The learner or their assessor now asks the witness by e-mail; the link (single use, 14 days; only
a hash of its token kept) opens a page where the witness answers whether the submitted version
is accurate. Each row names the version by id and content hash, the witness's address, the
answer, comment and time.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "witness_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("version_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("witness_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["evidenceversion.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("witness_confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_witness_confirmation_token_hash"), ["token_hash"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_witness_confirmation_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("witness_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_witness_confirmation_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_witness_confirmation_token_hash"))
    op.drop_table("witness_confirmation")
