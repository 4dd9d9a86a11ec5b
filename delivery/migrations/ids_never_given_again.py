"""The machinery of the migrations that make tables AUTOINCREMENT on SQLite, so that a deleted
row's id is never given to a new row (0051: the tables a discarded draft deletes from; 0053: the
IQA's samples and the VLE platforms; 0054: the API tokens and notifications an erasure deletes).

Migrations run these functions long after they were written: what they do must never change.
Mend a fault by a new function (and a new migration), never by changing one in use. Each table
is made anew from its own ``CREATE TABLE`` text (see :func:`make_anew`); ``tag`` names the
migration in the names of what is made for the move alone and in its error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from alembic import op

PLAIN_ID = re.compile(r"^(\s*)id INTEGER NOT NULL,", re.MULTILINE)
AUTOINCREMENT_ID = re.compile(r"^(\s*)id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", re.MULTILINE)
PRIMARY_KEY = re.compile(r"^\s*PRIMARY KEY \(id\),[ ]*\n", re.MULTILINE)
FIRST_CONSTRAINT = re.compile(r"^(\s*)(FOREIGN KEY|CONSTRAINT|UNIQUE|CHECK)\b", re.MULTILINE)
# the largest of: the largest id in the table, the largest id of it an audit entry is about, and
# the largest id of it an audit entry records written or removed
SEED = (
    "SELECT max(coalesce((SELECT max(id) FROM {t}), 0),"
    " coalesce((SELECT max(subject_id) FROM auditentry WHERE subject_type = '{t}'), 0),"
    " coalesce((SELECT max(row_id) FROM auditrow WHERE kind = '{t}'), 0))"
)


def upgrade(
    tables: tuple[str, ...], *, tag: str, also_named: Mapping[str, str] | None = None
) -> None:
    """Make each of ``tables`` (parents first) AUTOINCREMENT and seed what SQLite remembers of
    its largest id given (``sqlite_sequence``) with :data:`SEED`. Nothing on PostgreSQL.

    ``also_named`` (0054 on; none before) gives, for a table, a query of the largest id of it
    named where :data:`SEED` does not look (the audit entries that record a token's id in their
    data, not as their subject): the seed is the larger of the two."""
    if op.get_bind().dialect.name != "sqlite":
        return  # a sequence never gives an id twice
    for table in tables:
        make_anew(table, autoincrement=True, tag=tag)
        seed = op.get_bind().exec_driver_sql(SEED.format(t=table)).scalar_one()
        if also_named and table in also_named:
            named = op.get_bind().exec_driver_sql(also_named[table]).scalar_one()
            seed = max(int(seed or 0), int(named or 0))
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
        if seed:
            op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', {int(seed)})")


def downgrade(tables: tuple[str, ...], *, tag: str) -> None:
    """Make each of ``tables`` anew without AUTOINCREMENT (children first), as it was."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in reversed(tables):
        make_anew(table, autoincrement=False, tag=tag)
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")


def with_autoincrement(sql: str, *, tag: str = "0051") -> str:
    """``CREATE TABLE`` text whose ``id`` is its primary key by a table constraint, with the key
    written on the column with AUTOINCREMENT instead (as SQLAlchemy writes it)."""
    sql, columns = PLAIN_ID.subn(r"\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", sql, 1)
    sql, keys = PRIMARY_KEY.subn("", sql, 1)  # the key's line, whole
    if (columns, keys) != (1, 1):
        raise RuntimeError(f"migration {tag} cannot read this table's definition: {sql}")
    return sql


def without_autoincrement(sql: str, *, tag: str = "0051") -> str:
    """The text :func:`with_autoincrement` was given, back."""
    sql, columns = AUTOINCREMENT_ID.subn(r"\1id INTEGER NOT NULL,", sql, 1)
    first = FIRST_CONSTRAINT.search(sql)
    if columns != 1 or first is None:
        raise RuntimeError(f"migration {tag} cannot read this table's definition: {sql}")
    at = first.start()  # the key's line before the first constraint's, as SQLAlchemy writes it
    return f"{sql[:at]}{first.group(1)}PRIMARY KEY (id), \n{sql[at:]}"


def make_anew(table: str, *, autoincrement: bool, tag: str) -> None:
    """Make ``table`` anew from its own text changed, keeping its rows, indexes and triggers and
    the rows of other tables that refer to it.

    As in migration 0050 the foreign keys of the rows referring to the table stay checked: its
    rows are set aside, the table emptied (the check deferred to the commit), dropped and made
    anew under its own name (no rename: the references from other tables name it and are never
    rewritten), and the rows put back with their ids, which settles the deferred check. Its
    indexes and triggers are made again from their stored text; an index on each referring
    column that has none is made for the move alone, so each row's references are found by an
    index, not by reading the referring table."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if ("AUTOINCREMENT" in sql.upper()) == autoincrement:
        return  # already as asked
    if autoincrement:
        new_sql = with_autoincrement(sql, tag=tag)
    else:
        new_sql = without_autoincrement(sql, tag=tag)
    kept = [
        tuple(row)
        for row in bind.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ?"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
            (table,),
        )
    ]
    columns = ", ".join(f'"{r[1]}"' for r in bind.exec_driver_sql(f"PRAGMA table_info({table})"))
    moving = _index_referring_columns(table, tag=tag)
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit (SQLite resets it there)
    for kind, name, _sql in kept:
        if kind == "trigger":
            op.execute(f"DROP TRIGGER {name}")
    set_aside = f"{table}_set_aside_{tag}"
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


def _index_referring_columns(table: str, *, tag: str) -> list[str]:
    """An index, for the move alone, on each column of another table that refers to ``table``
    and leads no index; their names."""
    bind = op.get_bind()
    referring = [
        tuple(row)
        for row in bind.exec_driver_sql(
            'SELECT m.name, f."from" FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f'
            " WHERE m.type = 'table' AND f.\"table\" = ? AND m.name != ?"
            ' ORDER BY m.name, f."from"',
            (table, table),
        )
    ]
    made = []
    for child, column in referring:
        led = bind.exec_driver_sql(
            "SELECT 1 FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS i"
            " WHERE i.seqno = 0 AND i.name = ?",
            (child, column),
        ).first()
        if led is None:
            name = f"ix_{child}_{column}_{tag}"
            op.execute(f'CREATE INDEX {name} ON {child} ("{column}")')
            made.append(name)
    return made
