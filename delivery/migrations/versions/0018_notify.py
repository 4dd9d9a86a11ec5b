"""notifications by e-mail (kind, how and when mailed), each person's choice per kind, and the
comments on evidence items

Revision ID: 0018
Revises: 0020
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="other",
            )
        )
        batch_op.add_column(
            sa.Column(
                "mail", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="off"
            )
        )
        batch_op.add_column(
            sa.Column("mailed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_notification_mail"), ["mail"])
    # the defaults were only for the rows already there
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("mail", server_default=None)
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "kind", name="uq_preference_person_kind"),
    )
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_preference_person_id"), ["person_id"])
    op.create_table(
        "evidence_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_comment_evidence_id"), ["evidence_id"])


def downgrade() -> None:
    with op.batch_alter_table("evidence_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_comment_evidence_id"))
    op.drop_table("evidence_comment")
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_preference_person_id"))
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_mail"))
        batch_op.drop_column("mailed_at")
        batch_op.drop_column("mail")
        batch_op.drop_column("kind")
