"""attachment readings: text and suggestions of each attachment, read once in the background

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachmentreading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("truncated", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("extract_ms", sa.Integer(), nullable=True),
        sa.Column("suggest_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachmentreading", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachmentreading_attachment_id"), ["attachment_id"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_attachmentreading_status"), ["status"], unique=False)
    # Attachments uploaded before this revision are read again, from their files, by
    # `portfolio attachments read` (or the worker): they start pending.
    op.execute(
        "INSERT INTO attachmentreading (attachment_id, status, text, chars, truncated, error, "
        "suggestions, attempts, queued_at) SELECT id, 'pending', '', 0, '', '', '[]', 0, "
        "created_at FROM attachment"
    )


def downgrade() -> None:
    with op.batch_alter_table("attachmentreading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachmentreading_status"))
        batch_op.drop_index(batch_op.f("ix_attachmentreading_attachment_id"))
    op.drop_table("attachmentreading")
