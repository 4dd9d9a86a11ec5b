"""assessment plans: tasks an assessor sets a learner, with the criteria they target and the
evidence written for them

Revision ID: 0029
Revises: 0028

An assessor had no way to tell a learner "by 20 Dec, write a reflective account covering SE03
P4-P7", and a learner had no list of what they were asked to do. A plan belongs to one
registration; its state (open, evidence submitted, done, overdue) is derived from these rows.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"]),
        sa.ForeignKeyConstraint(["learner_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["set_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["ended_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assessment_plan_registration_id", "assessment_plan", ["registration_id"]
    )
    op.create_index(
        "ix_assessment_plan_learner_open", "assessment_plan", ["learner_id", "status", "due_on"]
    )
    op.create_table(
        "assessment_plan_criterion",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["assessment_plan.id"]),
        sa.ForeignKeyConstraint(["criterion_id"], ["criterion.id"]),
        sa.PrimaryKeyConstraint("plan_id", "criterion_id"),
    )
    op.create_index(
        "ix_assessment_plan_criterion_criterion_id",
        "assessment_plan_criterion",
        ["criterion_id"],
    )
    op.create_table(
        "assessment_plan_evidence",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.Integer(), nullable=False),
        sa.Column("linked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["assessment_plan.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["linked_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("plan_id", "evidence_id"),
    )
    op.create_index(
        "ix_assessment_plan_evidence_evidence_id", "assessment_plan_evidence", ["evidence_id"]
    )


def downgrade() -> None:
    op.drop_table("assessment_plan_evidence")
    op.drop_table("assessment_plan_criterion")
    op.drop_table("assessment_plan")
