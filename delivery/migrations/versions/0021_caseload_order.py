"""registration summaries carry what the caseload sorts, searches and counts by, indexed per sort

Revision ID: 0021
Revises: 0012

The summaries already stored are filled in from their registrations (the RAG on the day each
was worked out); none is dropped, so the caseload need not fold anyone again after the upgrade.
The downgrade drops the new columns and indexes.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from mappings.assessment.progress import rag_status

revision = "0021"
down_revision = "0012"
branch_labels = None
depends_on = None

RAG_RANK = {"red": 0, "amber": 1, "green": 2}
SORTS = (
    ("name", ("name_key",)),
    ("progress", ("percent", "name_key")),
    ("rag", ("rag_rank", "percent", "name_key")),
    ("end", ("planned_end", "name_key")),
)
NEW = (
    ("learner_id", sa.Integer(), False),
    ("assessor_id", sa.Integer(), True),
    ("iqa_id", sa.Integer(), True),
    ("name_key", sa.String(), False),
    ("planned_end", sa.Date(), False),
    ("percent", sa.Integer(), False),
    ("rag_rank", sa.Integer(), False),
)
CHUNK = 5000


def upgrade() -> None:
    # The table is made anew (not updated in place: that would leave a dead row per summary
    # behind where nothing vacuums), its rows filled in here, its indexes built after them.
    found = [_row(r) for r in _stored()]
    op.drop_table("registration_summary")
    table = op.create_table(
        "registration_summary",
        sa.Column("registration_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("awaiting", sa.Integer(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        *(sa.Column(name, kind, nullable=nullable) for name, kind, nullable in NEW),
        sa.PrimaryKeyConstraint("registration_id"),
    )
    for start in range(0, len(found), CHUNK):
        op.bulk_insert(table, found[start : start + CHUNK])
    for role in ("assessor", "iqa"):
        for key, columns in SORTS:
            op.create_index(
                f"ix_registration_summary_{role}_{key}",
                "registration_summary",
                [f"{role}_id", *columns, "registration_id"],
            )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE registration_summary")  # the planner's figures for the new indexes


def _stored() -> list[Any]:
    """The summaries stored, with their registrations (one whose registration is gone is left
    out: the caseload would never read it)."""
    return list(
        op.get_bind().execute(
            sa.text(
                "SELECT s.registration_id, s.met, s.total, s.awaiting, s.computed_on,"
                " r.learner_id, r.assessor_id, r.iqa_id, r.start_date, r.planned_end, p.name"
                " FROM registration_summary s JOIN registration r ON r.id = s.registration_id"
                " JOIN person p ON p.id = r.learner_id ORDER BY s.registration_id"
            )
        )
    )


def _row(found: Any) -> dict[str, Any]:
    reg_id, met, total, awaiting, on, learner, assessor, iqa, start, planned_end, name = found
    on, start, planned_end = (_date(d) for d in (on, start, planned_end))
    percent = (200 * met + total) // (2 * total) if total else 0
    share = min(100.0 * met / (total or 1), 100.0)
    return {
        "registration_id": reg_id,
        "met": met,
        "total": total,
        "awaiting": awaiting,
        "computed_on": on,
        "learner_id": learner,
        "assessor_id": assessor,
        "iqa_id": iqa,
        "name_key": name.casefold(),
        "planned_end": planned_end,
        "percent": percent,
        "rag_rank": RAG_RANK[rag_status(share, start, max(planned_end, start), on)],
    }


def _date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


def downgrade() -> None:
    with op.batch_alter_table("registration_summary") as batch:
        for role in ("assessor", "iqa"):
            for key, _ in SORTS:
                batch.drop_index(f"ix_registration_summary_{role}_{key}")
        for name, _, _ in reversed(NEW):
            batch.drop_column(name)
