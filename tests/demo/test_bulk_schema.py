"""On PostgreSQL the bulk load sets the secondary indexes and foreign keys of the tables it fills
aside, and makes them again in the same transaction: after a load, or after a load that failed
or was killed midway, the schema is the one the migrations made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import demo.synthetic as synthetic
from demo.accounts import load_demo
from demo.bulk_schema import read_set_aside
from demo.synthetic import FILLED, add_synthetic_centre, vacuum_filled
from demo.synthetic_rows import Learner, table
from mappings.assessment import summaries
from mappings.assessment.models import RegistrationSummary
from portfolio.db import session_scope
from portfolio.models import AuditEntry, Person, Registration
from portfolio.services import audit
from tests.conftest import ROOT, migrated_database

Schema = set[tuple[Any, ...]]

_SCHEMA = """
SELECT 'index', tablename, indexname, indexdef, '', '' FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid),
       contype::text, convalidated::text
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
"""


def _schema(engine: Engine) -> Schema:
    """Every index and constraint of the database, as its catalogue defines them."""
    with engine.connect() as conn:
        return {tuple(row) for row in conn.execute(text(_SCHEMA))}


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated PostgreSQL database of this test's own, committed to, with the demo loaded."""
    if backend != "postgresql":
        pytest.skip("indexes and foreign keys are set aside on PostgreSQL only")
    with migrated_database(backend, tmp_path) as eng:
        with session_scope(eng) as session:
            load_demo(session)
        yield eng


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_the_load_sets_indexes_and_foreign_keys_aside_and_leaves_the_migrated_schema(
    engine: Engine,
) -> None:
    migrated = _schema(engine)
    with Session(engine) as session:
        found = read_set_aside(session, [table(m) for m in FILLED])
    # what is set aside: foreign keys, unique constraints and plain indexes, never a primary key
    assert "ALTER TABLE claim DROP CONSTRAINT claim_evidence_id_fkey" in found.drops
    assert "ALTER TABLE auditentry DROP CONSTRAINT auditentry_hash_key" in found.drops
    assert "DROP INDEX ix_claim_evidence_id" in found.drops
    assert not any("pkey" in statement for statement in found.drops)
    assert found.makes[-1].startswith("ALTER TABLE") and "FOREIGN KEY" in found.makes[-1]
    locks: list[str] = []
    watcher = create_engine(engine.url)

    def progress(line: str) -> None:
        if "synthetic learners:" in line:  # meanwhile another session sees claim locked
            with watcher.connect() as conn:
                locks.extend(
                    conn.execute(
                        text(
                            "SELECT mode FROM pg_locks WHERE granted "
                            "AND relation = 'claim'::regclass AND pid <> pg_backend_pid()"
                        )
                    ).scalars()
                )
        lines.append(line)

    lines: list[str] = []
    report = add_synthetic_centre(
        lambda: session_scope(engine),
        learners=5,
        items_per_learner=3,
        chunk=2,
        set_aside=True,
        progress=progress,
    )
    watcher.dispose()

    assert report.learners == 5
    assert "AccessExclusiveLock" in locks
    assert f"  {len(found.makes)} indexes and foreign keys made again" in "\n".join(lines)
    assert _schema(engine) == migrated
    with Session(engine) as session:
        assert audit.verify(session).ok
        regs = session.exec(
            select(Registration.id)
            .join(Person, col(Person.id) == Registration.learner_id)
            .where(col(Person.email).like("synthetic%"))
        ).all()
        stored = {
            s.registration_id: (s.met, s.total, s.awaiting)
            for s in session.exec(select(RegistrationSummary)).all()
        }
        worked = summaries.work_out(session, list(regs), date.today())
    assert len(regs) == 5
    assert stored == {r: (s.met, s.total, s.awaiting) for r, s in worked.items()}
    # what `portfolio demo` does next: every page of the summaries marked all-visible, so the
    # caseload's index-only scans read none of them
    visible, pages = _visible(engine, "registration_summary")
    assert visible == 0 < pages
    vacuum_filled(engine)
    assert _visible(engine, "registration_summary") == (pages, pages)


def _visible(engine: Engine, name: str) -> tuple[int, int]:
    """The table's pages marked all-visible (by ``VACUUM``), and its pages."""
    with engine.connect() as conn:
        visible, pages = conn.execute(
            text("SELECT relallvisible, relpages FROM pg_class WHERE relname = :name"),
            {"name": name},
        ).one()
    return int(visible), int(pages)


def test_by_default_the_indexes_are_set_aside_only_when_the_load_doubles_the_people(
    engine: Engine,
) -> None:
    people = _count(engine, Person)
    lines: list[str] = []
    add_synthetic_centre(
        lambda: session_scope(engine),
        learners=people - 1,
        items_per_learner=1,
        progress=lines.append,
    )
    assert not any("made again" in line for line in lines)
    add_synthetic_centre(
        lambda: session_scope(engine),
        learners=2 * people - 1,
        items_per_learner=1,
        progress=lines.append,
    )
    assert any("made again" in line for line in lines)


def test_a_failure_midway_leaves_the_schema_and_the_data_as_they_were(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrated = _schema(engine)
    people, entries = _count(engine, Person), _count(engine, AuditEntry)
    written = synthetic._write_batch
    calls: list[int] = []

    def fails_the_second_time(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the load broke off")
        return written(*args)

    monkeypatch.setattr(synthetic, "_write_batch", fails_the_second_time)
    monkeypatch.setattr(synthetic, "BATCH", 2)
    lines: list[str] = []
    with pytest.raises(RuntimeError, match="broke off"):
        add_synthetic_centre(
            lambda: session_scope(engine),
            learners=6,
            items_per_learner=2,
            chunk=2,
            set_aside=True,
            progress=lines.append,
        )
    assert lines and "2 of 6" in lines[0]  # a chunk was written before the failure
    assert _schema(engine) == migrated
    assert (_count(engine, Person), _count(engine, AuditEntry)) == (people, entries)


def test_a_row_the_remade_foreign_key_refuses_undoes_the_whole_load(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrated = _schema(engine)
    people = _count(engine, Person)
    drawn = synthetic.draw

    def with_a_missing_criterion(*args: Any) -> Learner:
        learner = drawn(*args)
        _, status, method = learner.items[0].claims[0]
        learner.items[0].claims[0] = (10**9, status, method)
        return learner

    monkeypatch.setattr(synthetic, "draw", with_a_missing_criterion)
    with pytest.raises(IntegrityError, match="claim_criterion_id_fkey"):
        add_synthetic_centre(
            lambda: session_scope(engine), learners=3, items_per_learner=2, set_aside=True
        )
    assert _schema(engine) == migrated
    assert _count(engine, Person) == people


def test_a_demo_killed_midway_leaves_the_schema_and_the_data_as_they_were(
    engine: Engine, tmp_path: Path
) -> None:
    migrated = _schema(engine)
    people = _count(engine, Person)
    url = engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-c", "from delivery.cli.main import main; main()"]
    process = subprocess.Popen(
        [*command, "--db", url, "demo", "--learners", "100000", "--items", "2", "--chunk", "50"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if "of 100,000 synthetic learners" in line:  # a chunk written, the indexes dropped
                break
        else:
            pytest.fail("the demo ended before writing a chunk")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert _schema(engine) == migrated
    assert _count(engine, Person) == people
