"""on SQLite a draft's ids are never given again: the tables a discard deletes from are AUTOINCREMENT

Revision ID: 0051
Revises: 0050

Discarding a draft (``mappings.assessment.discard``) deletes its rows: the evidence item, its
versions, their files, the files' readings, privacy scans and findings, suggestions, and its
claims. SQLite, without AUTOINCREMENT, gives the next new row the largest id in the table plus
one, so the id of a discarded draft (the newest item) went to the next item made, anyone's: an
audit entry naming the draft, a link in an e-mail, an API client holding the id, then pointed at
someone else's work. PostgreSQL's sequences never give an id twice, so there nothing is done.

On SQLite each of those tables is made anew with ``INTEGER PRIMARY KEY AUTOINCREMENT`` (the models
say ``sqlite_autoincrement``, so a schema made from them agrees), as the table stands: its own
``CREATE TABLE`` text with the id column's primary key written on the column, every other column,
constraint and foreign key as it was. As in migration 0050 the foreign keys of the rows referring
to the table stay checked: its rows are set aside, the table emptied (the check deferred to the
commit), dropped and made anew under its own name (no rename: the references from other tables
name it and are never rewritten), and the rows put back with their ids, which settles the
deferred check. Its indexes and triggers are made again from their stored text; an index on
each referring column that has none is made for the move alone, so each row's references are
found by an index, not by reading the referring table.

SQLite then remembers the largest id each table has given (``sqlite_sequence``). It is seeded
with the largest of: the largest id in the table, the largest id of that table an audit entry is
about, and the largest id of it an audit entry records written or removed. So an id handed out,
and the id of a draft discarded before this migration (the audit trail names it), is not given
again. An id deleted before this migration and named nowhere in the trail cannot be known; the
work-rounds for ids given again (item history, ``audit verify``, subject access) stay for the
history made before.

Downgrade makes each table anew without AUTOINCREMENT, its text as it was before.
"""

import re

from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None

# the tables a discard deletes from whose rows have an id of their own (a plan's link to an
# item is named by the plan and the item), parents before the tables that refer to them
TABLES = (
    "evidence",
    "evidenceversion",
    "attachment",
    "attachmentreading",
    "privacy_scan",
    "privacy_finding",
    "version_suggestions",
    "claim",
)
PLAIN_ID = re.compile(r"^(\s*)id INTEGER NOT NULL,", re.MULTILINE)
AUTOINCREMENT_ID = re.compile(r"^(\s*)id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", re.MULTILINE)
PRIMARY_KEY = re.compile(r"^\s*PRIMARY KEY \(id\),[ ]*\n", re.MULTILINE)
FIRST_CONSTRAINT = re.compile(r"^(\s*)(FOREIGN KEY|CONSTRAINT|UNIQUE|CHECK)\b", re.MULTILINE)
SEED = (
    "SELECT max(coalesce((SELECT max(id) FROM {t}), 0),"
    " coalesce((SELECT max(subject_id) FROM auditentry WHERE subject_type = '{t}'), 0),"
    " coalesce((SELECT max(row_id) FROM auditrow WHERE kind = '{t}'), 0))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # a sequence never gives an id twice
    for table in TABLES:
        _make_anew(table, autoincrement=True)
        seed = op.get_bind().exec_driver_sql(SEED.format(t=table)).scalar_one()
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
        if seed:
            op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', {int(seed)})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in reversed(TABLES):
        _make_anew(table, autoincrement=False)
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")


def with_autoincrement(sql: str) -> str:
    """``CREATE TABLE`` text whose ``id`` is its primary key by a table constraint, with the key
    written on the column with AUTOINCREMENT instead (as SQLAlchemy writes it)."""
    sql, columns = PLAIN_ID.subn(r"\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", sql, 1)
    sql, keys = PRIMARY_KEY.subn("", sql, 1)  # the key's line, whole
    if (columns, keys) != (1, 1):
        raise RuntimeError(f"migration 0051 cannot read this table's definition: {sql}")
    return sql


def without_autoincrement(sql: str) -> str:
    """The text :func:`with_autoincrement` was given, back."""
    sql, columns = AUTOINCREMENT_ID.subn(r"\1id INTEGER NOT NULL,", sql, 1)
    first = FIRST_CONSTRAINT.search(sql)
    if columns != 1 or first is None:
        raise RuntimeError(f"migration 0051 cannot read this table's definition: {sql}")
    at = first.start()  # the key's line before the first constraint's, as SQLAlchemy writes it
    return f"{sql[:at]}{first.group(1)}PRIMARY KEY (id), \n{sql[at:]}"


def _make_anew(table: str, *, autoincrement: bool) -> None:
    """Make ``table`` anew from its own text changed, keeping its rows, indexes and triggers and
    the rows of other tables that refer to it (see the module's docstring)."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if ("AUTOINCREMENT" in sql.upper()) == autoincrement:
        return  # already as asked
    new_sql = with_autoincrement(sql) if autoincrement else without_autoincrement(sql)
    kept = (
        bind.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ?"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
            (table,),
        )
        .tuples()
        .all()
    )
    columns = ", ".join(f'"{r[1]}"' for r in bind.exec_driver_sql(f"PRAGMA table_info({table})"))
    moving = _index_referring_columns(table)
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit (SQLite resets it there)
    for kind, name, _sql in kept:
        if kind == "trigger":
            op.execute(f"DROP TRIGGER {name}")
    set_aside = f"{table}_set_aside_0051"
    op.execute(f"CREATE TEMP TABLE {set_aside} AS SELECT {columns} FROM {table}")
    op.execute(f"DELETE FROM {table}")
    op.execute(f"DROP TABLE {table}")  # its indexes with it
    op.execute(new_sql)
    op.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {set_aside} ORDER BY id")
    op.execute(f"DROP TABLE {set_aside}")
    for _kind, _name, made in kept:
        op.execute(made)
    for name in moving:
        op.execute(f"DROP INDEX {name}")


def _index_referring_columns(table: str) -> list[str]:
    """An index, for the move alone, on each column of another table that refers to ``table``
    and leads no index; their names."""
    bind = op.get_bind()
    referring = bind.exec_driver_sql(
        "SELECT m.name, f.\"from\" FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f"
        " WHERE m.type = 'table' AND f.\"table\" = ? AND m.name != ? ORDER BY m.name, f.\"from\"",
        (table, table),
    ).tuples()
    made = []
    for child, column in referring:
        led = bind.exec_driver_sql(
            "SELECT 1 FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS i"
            " WHERE i.seqno = 0 AND i.name = ?",
            (child, column),
        ).first()
        if led is None:
            name = f"ix_{child}_{column}_0051"
            op.execute(f'CREATE INDEX {name} ON {child} ("{column}")')
            made.append(name)
    return made
