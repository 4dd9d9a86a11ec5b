"""audit rows: entries record the hash of the rows they are about; TRUNCATE refused

Each audit entry about a decision, claim, evidence version or sign-off records the canonical hash
of that row (table ``auditrow``, bound into the entry's hash by ``auditentry.row_hash``), so that
``portfolio audit verify`` can re-hash the rows. ``auditrow`` is append-only like the trail, and on
PostgreSQL a statement trigger refuses TRUNCATE of the append-only tables (row triggers do not
see it).

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("auditentry", "decision", "auditrow")


def upgrade() -> None:
    op.add_column(
        "auditentry",
        sa.Column("row_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.create_table(
        "auditrow",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["auditentry.id"]),
        sa.PrimaryKeyConstraint("entry_id", "kind", "row_id"),
    )
    op.create_index("ix_auditrow_kind_row", "auditrow", ["kind", "row_id", "entry_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER auditrow_append_only BEFORE UPDATE OR DELETE ON auditrow "
            "FOR EACH ROW EXECUTE FUNCTION portfolio_append_only()"
        )
        op.execute(
            """
            CREATE OR REPLACE FUNCTION portfolio_no_truncate() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'append-only table %: never truncated', TG_TABLE_NAME;
            END
            $$ LANGUAGE plpgsql
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION portfolio_no_truncate()"
            )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER auditrow_no_{event.lower()} BEFORE {event} ON auditrow "
            "BEGIN SELECT RAISE(ABORT, 'append-only table auditrow: rows are never changed "
            "or deleted'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS portfolio_no_truncate()")
        op.execute("DROP TRIGGER IF EXISTS auditrow_append_only ON auditrow")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS auditrow_no_{event}")
    op.drop_index("ix_auditrow_kind_row", table_name="auditrow")
    op.drop_table("auditrow")
    op.drop_column("auditentry", "row_hash")  # native on SQLite 3.35+: keeps the triggers
