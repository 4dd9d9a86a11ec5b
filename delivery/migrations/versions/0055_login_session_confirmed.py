"""a log-in session records when the person last gave their password again in it

Revision ID: 0055
Revises: 0054

Making an API token asks for a recent sign-in: the session's own beginning (``created_at``: a
log-in or a VLE launch) or, when that is older than 15 minutes, the password given again on the
tokens page, kept as ``confirmed_at``. Sessions begun before have none (their beginning counts).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0055"
down_revision = "0054"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "loginsession",
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("loginsession", "confirmed_at")
