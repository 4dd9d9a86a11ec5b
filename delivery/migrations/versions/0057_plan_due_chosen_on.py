"""an assessment plan keeps the day its due date was last chosen by its assessor

Revision ID: 0057
Revises: 0056

Ending a break in learning moves a plan on by the days of the break after its due date was
chosen: the day it was set, or the latest day the assessor gave it a new due date (a move by an
earlier break is not their choice). That day was worked out each time from the plan's audit
trail (its ``plan.set``, ``plan.edit`` and ``plan.move`` entries); the plan now keeps it, as
``due_chosen_on``, written when it is set and when a change gives it a new due date.

Plans stored before are given the day exactly as it was worked out: the day of ``set_at`` on the
server's clock, raised to the day of each ``plan.edit`` entry whose due date differs from the
one before it in the plan's trail (the ``plan.set``, ``plan.edit`` or ``plan.move`` entry before
it; a move is never a choice itself). The column is then NOT NULL. On SQLite that makes the
table anew (batch mode); its rows are set aside while it is made, as in migration 0050, as the
plans' criteria and evidence links refer to them, and its indexes are made again from their own
stored text.

Downgrade drops the column (the audit entries it was worked out from stay).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0057"
down_revision = "0056"
branch_labels = None
depends_on = None

PLANS = sa.table(
    "assessment_plan",
    sa.column("id", sa.Integer()),
    sa.column("set_at", UTCDateTime()),
)
TRAIL = sa.table(
    "auditentry",
    sa.column("id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("action", sa.String()),
    sa.column("subject_type", sa.String()),
    sa.column("subject_id", sa.Integer()),
    sa.column("data", sa.JSON()),
)
SET_DAY = sa.text("UPDATE assessment_plan SET due_chosen_on = :on WHERE id = :plan_id")
BATCH = 1000


def _day(at: datetime) -> date:
    """The moment's day on the server's clock, as the breaks' days are (``date.today``)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone().date()


def _chosen() -> dict[int, date]:
    """Each plan's day, read from its trail in order (one statement on the subject index)."""
    bind = op.get_bind()
    chosen = {pid: _day(at) for pid, at in bind.execute(sa.select(PLANS.c.id, PLANS.c.set_at))}
    due: dict[int, Any] = {}
    trail = bind.execute(
        sa.select(TRAIL.c.subject_id, TRAIL.c.action, TRAIL.c.at, TRAIL.c.data)
        .where(
            TRAIL.c.subject_type == "assessment_plan",
            TRAIL.c.action.in_(("plan.set", "plan.edit", "plan.move")),
        )
        .order_by(TRAIL.c.id)
    )
    for plan_id, action, at, data in trail:
        if plan_id not in chosen:
            continue  # a plan no longer stored
        data = data or {}
        if action == "plan.move":
            due[plan_id] = (data.get("due_on") or {}).get("now")
            continue
        if action == "plan.edit" and plan_id in due and data.get("due_on") != due[plan_id]:
            chosen[plan_id] = max(chosen[plan_id], _day(at))
        due[plan_id] = data.get("due_on")
    return chosen


def upgrade() -> None:
    op.add_column("assessment_plan", sa.Column("due_chosen_on", sa.Date(), nullable=True))
    rows = [{"plan_id": pid, "on": on} for pid, on in sorted(_chosen().items())]
    for at in range(0, len(rows), BATCH):
        op.get_bind().execute(SET_DAY, rows[at : at + BATCH])
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("assessment_plan", "due_chosen_on", existing_type=sa.Date(), nullable=False)
        return
    _sqlite_made_anew(
        lambda batch: batch.alter_column(
            "due_chosen_on", existing_type=sa.Date(), nullable=False
        )
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("assessment_plan", "due_chosen_on")
        return
    _sqlite_made_anew(lambda batch: batch.drop_column("due_chosen_on"))


def _sqlite_made_anew(change: Callable[[BatchOperations], object]) -> None:
    """Batch mode makes the table anew and drops the old one, whose rows the plans' criteria and
    evidence links refer to: as in migration 0050 the rows are set aside, the table emptied (the
    foreign key check deferred to the commit), made anew by the batch and the rows put back,
    which settles the deferred check. Its indexes are dropped first and made again from their
    own stored text after (the batch would make them again from what it reads of them)."""
    bind = op.get_bind()
    indexes = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assessment_plan'"
        " AND sql IS NOT NULL ORDER BY name"
    ).all()
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit (SQLite resets it there)
    for name, _sql in indexes:
        op.execute(f"DROP INDEX {name}")
    op.execute("CREATE TEMP TABLE assessment_plan_set_aside_0057 AS SELECT * FROM assessment_plan")
    op.execute("DELETE FROM assessment_plan")
    # the tables its foreign keys name are not read, only their names are needed (as in 0050)
    with op.batch_alter_table("assessment_plan", reflect_kwargs={"resolve_fks": False}) as batch:
        change(batch)
    columns = ", ".join(
        f'"{r[1]}"' for r in bind.exec_driver_sql("PRAGMA table_info(assessment_plan)")
    )
    op.execute(
        f"INSERT INTO assessment_plan ({columns}) SELECT {columns}"
        " FROM assessment_plan_set_aside_0057 ORDER BY id"
    )
    op.execute("DROP TABLE assessment_plan_set_aside_0057")
    for _name, sql in indexes:
        op.execute(sql)
