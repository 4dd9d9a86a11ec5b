"""the caseload's name, progress and planned-end indexes led by the stage: the learners in
learning and the finished listed apart

Revision ID: 0045
Revises: 0044

The caseload lists the learners still in learning (on a break too) apart from the finished ones
(completed or withdrawn) whatever it is sorted by, each part paged on its own: each page reads
``stage = 0`` or ``stage > 0`` of an index led by the stage (the status indexes already were,
0037), so a page stays one range of one index.
"""

from alembic import op

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

ROLES = ("assessor", "iqa")
SORTS = (("name", ("name_key",)), ("progress", ("percent", "name_key")),
         ("end", ("planned_end", "name_key")))  # fmt: skip


def _remake(stage: tuple[str, ...]) -> None:
    for role in ROLES:
        for key, columns in SORTS:
            name = f"ix_registration_summary_{role}_{key}"
            op.drop_index(name, table_name="registration_summary")
            op.create_index(
                name,
                "registration_summary",
                [f"{role}_id", *stage, *columns, "registration_id"],
            )


def upgrade() -> None:
    _remake(("stage",))


def downgrade() -> None:
    _remake(())
