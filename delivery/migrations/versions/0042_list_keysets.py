"""indexes for the lists of people, cohorts, registrations and plans read by keyset

Revision ID: 0042
Revises: 0041

The API's lists of people, cohorts and registrations (by the learner's name) read each page from
the last row's name and id: these indexes make each page one range of one index (registrations:
then each learner's by its index on the learner), rather than a sort of every row. A learner's
plans: the open ones by due day are a range of ix_assessment_plan_learner_open, the ended ones,
most recently ended first, of ix_assessment_plan_learner_ended.
"""

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_person_name", "person", ["name", "id"])
    op.create_index("ix_cohort_name", "cohort", ["name", "id"])
    op.create_index(
        "ix_assessment_plan_learner_ended",
        "assessment_plan",
        ["learner_id", sa.text("ended_at DESC"), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_assessment_plan_learner_ended", table_name="assessment_plan")
    op.drop_index("ix_cohort_name", table_name="cohort")
    op.drop_index("ix_person_name", table_name="person")
