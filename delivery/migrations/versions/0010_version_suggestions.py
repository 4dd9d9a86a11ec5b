"""version suggestions: the criteria suggested for each evidence version, stored by a background job

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "version_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("engine_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("frameworks", sa.JSON(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("compute_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["evidenceversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("version_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_version_suggestions_version_id"), ["version_id"], unique=True
        )
    # Nothing is computed here: versions without stored suggestions are computed by the first
    # visit to their page (in the background) or by `portfolio worker --pending`.


def downgrade() -> None:
    with op.batch_alter_table("version_suggestions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_version_suggestions_version_id"))
    op.drop_table("version_suggestions")
