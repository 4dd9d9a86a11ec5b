"""two-step verification: a TOTP secret per person who turned it on, and recovery codes

Revision ID: 0036
Revises: 0035

A person may turn on two-step verification on their account page: after the right password the
log-in asks for the 6-digit code of their authenticator app (or one of ten single-use recovery
codes). ``two_step`` holds the secret and the last time step whose code was accepted (a code
works once); ``recovery_code`` holds the SHA-256 of each recovery code and when it was used.
No one has it turned on after the upgrade.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "two_step",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.Column("turned_on_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recovery_code_code_hash"), ["code_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_code_hash"))
        batch_op.drop_index(batch_op.f("ix_recovery_code_person_id"))
    op.drop_table("recovery_code")
    op.drop_table("two_step")
