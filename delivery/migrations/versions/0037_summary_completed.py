"""a registration's stored summary says the day it was completed; the status order puts the
completed after the working learners and before the withdrawn

Revision ID: 0037
Revises: 0036

A registration whose every standard has a current (not reopened) sign-off is completed, on the
day of the latest. The caseload listed such learners among those still working. The summary now
carries ``completed_on``, and ``stage`` (0 working, 1 completed, 2 withdrawn) with
``stage_back`` (2 - stage), which lead the two status indexes in place of ``withdrawn`` and
``active``: ascending reads the first forward, descending the second backwards, each page one
range of one index. Summaries stored before are filled from their registrations' sign-offs.
"""

from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

ROLES = ("assessor", "iqa")
REST = ("rag_rank", "percent", "name_key", "registration_id")
COMPLETED = sa.text(
    "SELECT rs.registration_id, MAX(s.signed_at) FROM registrationstandard rs"
    " JOIN registration_summary summary ON summary.registration_id = rs.registration_id"
    " LEFT JOIN signoff s ON s.registration_id = rs.registration_id"
    " AND s.standard_id = rs.standard_id AND s.status = 'signed'"
    " GROUP BY rs.registration_id"
    " HAVING COUNT(DISTINCT rs.standard_id) = COUNT(DISTINCT s.standard_id)"
)


def _day(at: object) -> date:
    if isinstance(at, datetime):
        return at.date()
    return date.fromisoformat(str(at)[:10])


def upgrade() -> None:
    with op.batch_alter_table("registration_summary") as batch:
        batch.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("stage", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("stage_back", sa.Integer(), nullable=False, server_default="2"))
    bind = op.get_bind()
    for reg_id, at in bind.execute(COMPLETED).all():
        if at is not None:
            bind.execute(
                sa.text(
                    "UPDATE registration_summary SET completed_on = :on, stage = 1,"
                    " stage_back = 1 WHERE registration_id = :id"
                ),
                {"on": _day(at), "id": reg_id},
            )
    op.execute("UPDATE registration_summary SET stage = 2, stage_back = 0 WHERE withdrawn")
    for role in ROLES:
        for key, new in (("rag", "stage"), ("rag_desc", "stage_back")):
            name = f"ix_registration_summary_{role}_{key}"
            op.drop_index(name, table_name="registration_summary")
            op.create_index(name, "registration_summary", [f"{role}_id", new, *REST])


def downgrade() -> None:
    with op.batch_alter_table("registration_summary") as batch:
        for role in ROLES:
            for key, old in (("rag", "withdrawn"), ("rag_desc", "active")):
                name = f"ix_registration_summary_{role}_{key}"
                batch.drop_index(name)
                batch.create_index(name, [f"{role}_id", old, *REST])
        batch.drop_column("stage_back")
        batch.drop_column("stage")
        batch.drop_column("completed_on")
