"""an assessment plan says the kind of evidence the assessor asks for, or leaves it to the learner

Revision ID: 0052
Revises: 0051

A plan said what to do, by when and for which criteria, but not the kind of evidence (the
assessment method) the assessor wanted: an observation, a professional discussion, a witness
testimony, a product, a reflective account. Its page offered the learner a reflective account
whatever the plan asked. A plan now keeps the kind asked for, one of the kinds of evidence
(``portfolio.models.evidence.KINDS``), or none: any kind, the learner's choice. Plans set before
ask for none, as they said nothing of it.

Downgrade drops the column (the kinds asked for are lost).
"""

import sqlalchemy as sa
from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessment_plan", sa.Column("evidence_kind", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # as in 0050: the tables its foreign keys name are not read, only their names are needed
    with op.batch_alter_table("assessment_plan", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.drop_column("evidence_kind")
