"""Time `audit verify` and measure its peak Python memory as the trail grows; time backup/restore.

Run: ``.venv/bin/python bench/audit_bench.py [POSTGRES_URL] [--sizes 2000 20000]``. Each size
builds a trail of N entries, each recording one evidence version (written in bulk, hashed as
``audit.record`` would), then verifies it. Target: peak memory of verify does not grow with N (the tables are streamed).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import temporary_database
from sqlalchemy import insert
from sqlmodel import Session

from delivery.schema import upgrade
from delivery.wiring import wire
from portfolio.db import make_engine
from portfolio.models import AuditEntry, AuditRow, Evidence, EvidenceVersion, Person
from portfolio.services import audit, audit_rows, backup
from portfolio.services.files import FileStore

SIZES = (2_000, 20_000)
BATCH = 1_000


def build(session: Session, n: int) -> None:
    """``n`` versions of one item and ``n`` entries recording them, linked as a chain."""
    person = Person(name="Bench", email="bench@test.example", roles="learner")
    session.add(person)
    session.flush()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    item = Evidence(
        learner_id=person.id or 0,
        kind="reflective_account",
        title="Bench",
        activity_date=date(2026, 1, 1),
        created_by=person.id or 0,
    )
    session.add(item)
    session.flush()
    prev = audit.GENESIS
    for first in range(1, n + 1, BATCH):
        numbers = range(first, min(first + BATCH, n + 1))
        session.execute(
            insert(EvidenceVersion),
            [
                {
                    "id": k, "evidence_id": item.id, "number": k, "title": f"Version {k}",
                    "activity_date": date(2026, 1, 1), "body": "text " * 40, "fields": {},
                    "sha256": "0" * 64, "created_by": person.id, "created_at": start,
                }
                for k in numbers
            ],
        )  # fmt: skip
        hashes = audit_rows.current_hashes(session, "evidenceversion", numbers)
        entries, rows = [], []
        for k in numbers:
            records = [("evidenceversion", k, hashes[k])]
            row_hash = audit_rows.digest(records)
            at = start + timedelta(seconds=k)
            data = {"version": k}
            digest = audit.entry_hash(
                prev, at, person.id, "evidence.edit", "evidence", item.id, data, row_hash
            )
            entries.append(
                {
                    "id": k, "at": at, "actor_id": person.id, "action": "evidence.edit",
                    "subject_type": "evidence", "subject_id": item.id, "data": data,
                    "prev_hash": prev, "hash": digest, "row_hash": row_hash,
                    # not hashed, but written by audit.record and checked by verify: its place
                    # in the trail and whom its subject (the learner's item) is about
                    "seq": k, "about_id": person.id,
                }
            )  # fmt: skip
            rows.append({"entry_id": k, "kind": "evidenceversion", "row_id": k, "hash": hashes[k]})
            prev = digest
        session.execute(insert(AuditEntry), entries)
        session.execute(insert(AuditRow), rows)
    session.commit()


def run(postgres: str | None, sizes: Sequence[int] = SIZES) -> None:
    for n in sizes:
        with temporary_database(postgres, "audit_bench") as url:
            engine = make_engine(url)
            upgrade(engine)
            with Session(engine) as session:
                build(session, n)
            with Session(engine) as session:
                began = time.perf_counter()
                report = audit.verify(session)
                took = time.perf_counter() - began
            with Session(engine) as session:  # again, traced (tracing slows it down)
                tracemalloc.start()
                audit.verify(session)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            assert report.ok and report.entries == n, report.breaks[:3]
            print(
                f"{engine.dialect.name} verify {n:>6} entries: {took:6.2f} s, "
                f"peak Python memory {peak / 1e6:6.1f} MB"
            )
            with tempfile.TemporaryDirectory() as folder:
                archive = Path(folder) / "backup.zip"
                began = time.perf_counter()
                written = backup.backup(engine, FileStore(Path(folder) / "files"), archive)
                took = time.perf_counter() - began
                print(
                    f"{engine.dialect.name} backup  {n:>6} entries: {took:6.2f} s, "
                    f"archive {archive.stat().st_size / 1e6:.1f} MB (head {written.audit_head[:20]}…)"
                )
                with temporary_database(postgres, "audit_bench_restore") as target_url:
                    target = make_engine(target_url)
                    began = time.perf_counter()
                    backup.restore(target, FileStore(Path(folder) / "restored"), archive)
                    took = time.perf_counter() - began
                    with Session(target) as session:
                        ok = audit.verify(session).ok
                    target.dispose()
                print(
                    f"{engine.dialect.name} restore {n:>6} entries: {took:6.2f} s, verify ok={ok}"
                )
            engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("postgres", nargs="?", help="URL of a PostgreSQL server to use")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="entries")
    args = parser.parse_args()
    wire()
    run(args.postgres, args.sizes)
