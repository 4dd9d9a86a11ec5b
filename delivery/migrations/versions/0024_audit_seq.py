"""each audit entry holds its place in the trail: the head is read without counting the trail

Revision ID: 0024
Revises: 0023

Every sign-off prints the audit trail's head (how many entries, the newest one's hash) on its
record; it was found by counting the whole trail, which grows with everything the centre does.
The entries written so far get their place in id order.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


PLACE = (
    "UPDATE auditentry SET seq = placed.n FROM "
    "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM auditentry) AS placed "
    "WHERE auditentry.id = placed.id"
)
# the append-only guard of migration 0004, lifted for this one statement and put back as it was
SQLITE_GUARD = (
    "CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry "
    "BEGIN SELECT RAISE(ABORT, 'append-only table auditentry: rows are never changed "
    "or deleted'); END"
)


def upgrade() -> None:
    op.add_column("auditentry", sa.Column("seq", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE auditentry DISABLE TRIGGER auditentry_append_only")
        op.execute(PLACE)
        op.execute("ALTER TABLE auditentry ENABLE TRIGGER auditentry_append_only")
        return
    op.execute("DROP TRIGGER auditentry_no_update")
    op.execute(PLACE)
    op.execute(SQLITE_GUARD)


def downgrade() -> None:
    op.drop_column("auditentry", "seq")  # native on SQLite 3.35+: keeps the triggers
