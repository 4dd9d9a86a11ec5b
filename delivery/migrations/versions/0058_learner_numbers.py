"""a learner's unique learner number and a registration's awarding body number

Revision ID: 0058
Revises: 0057

Awarding bodies know a learner by their unique learner number (ULN: ten digits, the last a check
digit) and each registration by the body's own registration (candidate) number; the records sent
to them said only the centre's row numbers ("L-00012", "REG-00034"). A person may now keep a ULN
(``person.uln``, unique: no two accounts share one) and a registration the body's number
(``registration.awarding_body_ref``). Both are empty for everything stored before: the records
go on saying the centre's own references until an administrator gives them.

Downgrade drops both columns (and the ULN's unique index).
"""

import sqlalchemy as sa
from alembic import op

revision = "0058"
down_revision = "0057"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("uln", sa.String(length=10), nullable=True))
    op.create_index("ix_person_uln", "person", ["uln"], unique=True)
    op.add_column(
        "registration", sa.Column("awarding_body_ref", sa.String(length=30), nullable=True)
    )


def downgrade() -> None:
    # native on SQLite 3.35+ (as 0049 and 0055): a batch would make both tables anew and drop
    # the old ones, which the rows referring to them refuse
    op.drop_column("registration", "awarding_body_ref")
    op.drop_index("ix_person_uln", table_name="person")
    op.drop_column("person", "uln")
