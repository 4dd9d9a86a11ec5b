"""the administrators' search of the audit trail reads by who acted and by action, newest first

Revision ID: 0039
Revises: 0038

Two indexes, ``(actor_id, id)`` and ``(action, id)``: a page of entries by one person (or by the
system, no actor) or of one action is one backward range of one index, whatever the trail's
length. Entries about a subject already have ``ix_auditentry_subject``; days map to entries
through the index on ``at``.
"""

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_auditentry_actor", "auditentry", ["actor_id", "id"])
    op.create_index("ix_auditentry_action", "auditentry", ["action", "id"])


def downgrade() -> None:
    op.drop_index("ix_auditentry_action", table_name="auditentry")
    op.drop_index("ix_auditentry_actor", table_name="auditentry")
