"""audit entries indexed by their subject: an item's history without reading the whole log

Revision ID: 0022
Revises: 0021

Every evidence page lists what happened to the item (its audit entries, by subject type and id),
and a subject access export reads a person's; without this index each read went through the whole
audit log, which grows with everything the centre does.
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_auditentry_subject", "auditentry", ["subject_type", "subject_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_auditentry_subject", table_name="auditentry")
