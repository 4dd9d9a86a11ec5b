"""witness requests are replaced by a later one: an earlier unanswered link stops working

Revision ID: 0034
Revises: 0033

Asking the witness again sent a new link but left the earlier unanswered ones working, so the
witness could answer an old e-mail. A new request now marks the item's earlier links that still
work as replaced: when (``replaced_at``) and by which request (``replaced_by``). Rows stored
before are left as they were (no link is withdrawn retroactively).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("witness_confirmation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("replaced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("replaced_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_witness_confirmation_replaced_by", "witness_confirmation", ["replaced_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("witness_confirmation", schema=None) as batch_op:
        batch_op.drop_constraint("fk_witness_confirmation_replaced_by", type_="foreignkey")
        batch_op.drop_column("replaced_by")
        batch_op.drop_column("replaced_at")
