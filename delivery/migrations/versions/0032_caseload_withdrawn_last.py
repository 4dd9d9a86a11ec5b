"""the caseload sorted by status puts withdrawn learners after the active ones, either way

Revision ID: 0032
Revises: 0031

Sorted by status, the caseload placed a withdrawn learner by the red, amber or green stored in
their summary, among the active learners. The status order now leads with whether the learner
withdrew: ascending reads the index (holder, withdrawn, rag_rank, percent, name_key,
registration_id) forward; descending must still put the withdrawn last, so it reads a second
index, led by the new column ``active`` (not withdrawn), backwards. Each page stays one range of
one index. Summaries stored before are marked from their ``withdrawn`` column.
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

ROLES = ("assessor", "iqa")
OLD = ("rag_rank", "percent", "name_key")


def upgrade() -> None:
    op.add_column(
        "registration_summary",
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.execute("UPDATE registration_summary SET active = FALSE WHERE withdrawn")
    for role in ROLES:
        op.drop_index(f"ix_registration_summary_{role}_rag", table_name="registration_summary")
        for key, lead in (("rag", "withdrawn"), ("rag_desc", "active")):
            op.create_index(
                f"ix_registration_summary_{role}_{key}",
                "registration_summary",
                [f"{role}_id", lead, *OLD, "registration_id"],
            )


def downgrade() -> None:
    with op.batch_alter_table("registration_summary") as batch:
        for role in ROLES:
            batch.drop_index(f"ix_registration_summary_{role}_rag_desc")
            batch.drop_index(f"ix_registration_summary_{role}_rag")
            batch.create_index(
                f"ix_registration_summary_{role}_rag", [f"{role}_id", *OLD, "registration_id"]
            )
        batch.drop_column("active")
