"""a claim records whether the suggestion engine had suggested it: which engine, how strongly

Revision ID: 0028
Revises: 0027

An awarding body's auditor asks whether the assessor only accepted the machine's suggestion. A
claim made on a criterion the engine had suggested for the version (its stored suggestions) now
records the engine's version, the score and whether the suggestion was strong; claims made before
record nothing (not known).
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim", sa.Column("suggested_engine", sa.String(length=32), nullable=True))
    op.add_column("claim", sa.Column("suggested_score", sa.Float(), nullable=True))
    op.add_column("claim", sa.Column("suggested_strong", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.drop_column("suggested_strong")
        batch.drop_column("suggested_score")
        batch.drop_column("suggested_engine")
