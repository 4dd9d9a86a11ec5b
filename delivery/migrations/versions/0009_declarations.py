"""declarations: the learner's declaration per standard, both wordings on the sign-off, notifications

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("declared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column(
            "evidence_set_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.ForeignKeyConstraint(["learner_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"]),
        sa.ForeignKeyConstraint(["standard_id"], ["standard.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("learner_declaration", schema=None) as batch_op:
        for column in ("learner_id", "registration_id", "standard_id"):
            batch_op.create_index(
                batch_op.f(f"ix_learner_declaration_{column}"), [column], unique=False
            )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("signoff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("learner_declaration_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("learner_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("learner_wording", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("assessor_wording", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("audit_entries", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "audit_head_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.create_foreign_key(
            "fk_signoff_learner_declaration_id",
            "learner_declaration",
            ["learner_declaration_id"],
            ["id"],
        )
        batch_op.create_foreign_key("fk_signoff_learner_id", "person", ["learner_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("signoff", schema=None) as batch_op:
        batch_op.drop_constraint("fk_signoff_learner_id", type_="foreignkey")
        batch_op.drop_constraint("fk_signoff_learner_declaration_id", type_="foreignkey")
        for column in (
            "audit_head_sha256",
            "audit_entries",
            "assessor_wording",
            "learner_wording",
            "learner_id",
            "learner_declaration_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_person_id"))
    op.drop_table("notification")
    with op.batch_alter_table("learner_declaration", schema=None) as batch_op:
        for column in ("learner_id", "registration_id", "standard_id"):
            batch_op.drop_index(batch_op.f(f"ix_learner_declaration_{column}"))
    op.drop_table("learner_declaration")
