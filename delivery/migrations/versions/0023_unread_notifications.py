"""notifications not yet read indexed apart: the bell's count reads the unread, not the history

Revision ID: 0023
Revises: 0022

Every page's header counts the person's unread notifications. Notifications are never deleted,
so through the index on person_id alone that count read every notification the person ever had;
a partial index holds only the unread ones (both SQLite and PostgreSQL index a WHERE clause).
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

UNREAD = sa.text("read_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_notification_unread",
        "notification",
        ["person_id"],
        postgresql_where=UNREAD,
        sqlite_where=UNREAD,
    )


def downgrade() -> None:
    op.drop_index("ix_notification_unread", table_name="notification")
