"""sessions: server-side log-in sessions, password-reset links, a per-person session secret

Revision ID: 0008
Revises: 0007
"""

import secrets

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _token_table(name: str, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        *extra,
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f(f"ix_{name}_person_id"), ["person_id"], unique=False)


def upgrade() -> None:
    # existing rows get a random secret each; the server default only keeps bulk inserts working
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "session_secret",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
    bind = op.get_bind()
    person = sa.table("person", sa.column("id", sa.Integer), sa.column("session_secret", sa.String))
    for (ident,) in bind.execute(sa.select(person.c.id)).all():
        bind.execute(
            person.update().where(person.c.id == ident).values(session_secret=secrets.token_hex(16))
        )
    _token_table(
        "loginsession",
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_why", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    )
    _token_table(
        "passwordreset",
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    for name in ("passwordreset", "loginsession"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_person_id"))
            batch_op.drop_index(batch_op.f(f"ix_{name}_token_hash"))
        op.drop_table(name)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("session_secret")
