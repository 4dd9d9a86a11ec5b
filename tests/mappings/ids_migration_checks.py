"""What the tests of the migrations making tables AUTOINCREMENT on SQLite (0051, 0053, 0054) check
alike, given the tables each one is about: the rows and the catalogue before and after, that the
indexes, triggers and foreign keys are kept and still enforced, the largest ids SQLite remembers,
and the id a new row is given. Not a test module itself (its name does not start with test_)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

Rows = dict[str, list[tuple[Any, ...]]]


@contextmanager
def database_at(
    backend: str, tmp_path: Path, revision: str, given: Callable[[Any], None]
) -> Iterator[tuple[str, Engine]]:
    """A fresh database (its address and an engine) migrated up to `revision`, holding the sample
    framework (no trail) and what `given` writes, in one transaction."""
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, revision)
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                given(conn)
            yield url, engine
        finally:
            engine.dispose()


def rows(engine: Engine, tables: Iterable[str]) -> Rows:
    """Every row of each of the tables, in id order."""
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in tables
        }


def schema(engine: Engine) -> Any:
    """Every index and trigger of the database, and each table's definition (its foreign keys
    with it), as the catalogue holds them."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = (
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
        else:
            query = (
                "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes"
                " WHERE schemaname = 'public'"
                " UNION ALL SELECT 'trigger', tgname, tgrelid::regclass::text,"
                " pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
                " UNION ALL SELECT 'constraint', conname, conrelid::regclass::text,"
                " pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE connamespace = 'public'::regnamespace"
            )
        return {tuple(r) for r in conn.execute(text(query))}


def kept(
    engine: Engine,
    before: Any,
    *,
    migration: str,
    tables: Collection[str],
    autoincrement: bool,
    earlier: Collection[str] = (),
    refused: Iterable[str] = (),
) -> None:
    """The indexes, triggers and foreign keys are as they were in `before` (on SQLite each of the
    migration's tables' text differs by AUTOINCREMENT alone), and are still enforced: each of the
    `refused` statements is refused. On SQLite the AUTOINCREMENT tables are the `earlier`
    migrations' ones, and the migration's own `tables` while it is up."""
    found = schema(engine)
    if engine.dialect.name == "sqlite":
        if autoincrement:
            found = {_without_autoincrement(row, migration, tables) for row in found}
        assert found == before
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            made = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'"
            ).scalars()
            assert set(made) == set(earlier) | (set(tables) if autoincrement else set())
    else:
        assert found == before
    all_refused(engine, refused)


def all_refused(engine: Engine, statements: Iterable[str]) -> None:
    """Each statement, in a transaction of its own, is refused by a constraint or trigger."""
    for statement in statements:
        with pytest.raises((IntegrityError, DatabaseError)), engine.begin() as conn:
            conn.execute(text(statement))


def _without_autoincrement(
    row: tuple[Any, ...], migration: str, tables: Collection[str]
) -> tuple[Any, ...]:
    """A catalogue row as it was before the migration (named by its file, without .py) made its
    table AUTOINCREMENT."""
    module = import_module(f"delivery.migrations.versions.{migration}")
    kind, name, table, sql = row
    if kind == "table" and name in tables:
        sql = module.never_again.without_autoincrement(sql, tag=module.revision)
    return kind, name, table, sql


def sequences(engine: Engine) -> dict[str, int]:
    """The largest id SQLite remembers each AUTOINCREMENT table gave."""
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")
        return {name: seq for name, seq in found}


def downgrade(engine: Engine, url: str, revision: str) -> None:
    """The migrations taken down to `revision`, in one transaction."""
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def copier(table: str, columns: str, **changed: str) -> Callable[[Any], int]:
    """What, given a connection, writes a new row of `table` copied from its row 1 and says the
    id it was given: the `columns` (named with commas between) copied, those in `changed` given
    the SQL expression there instead (to keep a unique column unique)."""
    values = ", ".join(changed.get(c, c) for c in columns.split(", "))
    statement = text(
        f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} WHERE id = 1 RETURNING id"
    )

    def new_id(conn: Any) -> int:
        return int(conn.execute(statement).scalar_one())

    return new_id
