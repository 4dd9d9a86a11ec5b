"""a VLE platform says which unlinked accounts its launches may link by e-mail

Revision ID: 0026
Revises: 0025

A launch used to link any account whose e-mail it carried (administrators excepted), so a VLE
could open an assessor's or IQA's account just by saying their address. Now each platform has a
rule an administrator chooses: "none", "learners" (the default, and what existing platforms get:
learner accounts only) or "staff" (learners, assessors and IQAs). Links already stored are kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "lti_platform",
        sa.Column("email_links", sa.String(length=20), nullable=False, server_default="learners"),
    )


def downgrade() -> None:
    op.drop_column("lti_platform", "email_links")
