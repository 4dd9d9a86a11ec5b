"""an index of sign-offs by registration and standard: whether a claim's standard is signed off

Revision ID: 0041
Revises: 0040

The claims of a standard signed off await no decision (the sign-off froze them until it is
reopened): the marking queue, the centre's figure and the learner's home page ask, for each
claim, whether its registration's standard has a current sign-off. With an index on the
registration alone or on the standard alone, a database without statistics may read every
sign-off of the standard, all its learners'; this one reads the few of one registration's.
"""

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_signoff_registration_standard", "signoff", ["registration_id", "standard_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_signoff_registration_standard", table_name="signoff")
