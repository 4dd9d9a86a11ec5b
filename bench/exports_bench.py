"""Time the exports against a real (SQLite) database.

1. One sign-off record (.docx) of a standard of 30 criteria and 60 evidence references, read
   from the database and laid out (target: under 100 ms).
2. A cohort's bulk export of 1,000 sign-off records as a background job with a process pool of
   2 (target: under 60 s on 2 cores).
3. A portfolio bundle of a learner with 300 evidence items and 50 MB of attachments, streamed to
   a file in a subprocess; peak memory by ``resource.getrusage`` and ``tracemalloc``
   (target: peak RSS under 150 MB).

Run: ``.venv/bin/python bench/exports_bench.py [--learners 1000]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from delivery.schema import upgrade
from exports import jobs
from exports.models import ExportJob
from exports.signoff import build_signoff_docx
from exports.signoff_view import signoff_view
from framework.spec import CriterionSpec, FrameworkSpec, StandardSpec
from mappings.assessment.deciders import frameworks_of
from mappings.assessment.models import Claim, Decision, SignOff, SignOffEvidence
from portfolio.db import make_engine
from portfolio.models import (
    Attachment,
    Cohort,
    Criterion,
    Evidence,
    EvidenceVersion,
    Person,
    Registration,
    RegistrationStandard,
)
from portfolio.services.files import FileStore
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = date(2025, 5, 1)


def _spec() -> FrameworkSpec:
    criteria = [
        CriterionSpec(kind="performance", code=f"P{i}", text=f"perform task {i} well", position=i)
        for i in range(1, 21)
    ] + [
        CriterionSpec(kind="knowledge", code=f"K{i}", text=f"know principle {i}", position=20 + i)
        for i in range(1, 11)
    ]
    return FrameworkSpec(
        code="BX",
        title="Bench framework",
        urn="BX",
        version="1",
        standards=[StandardSpec(code="BX01", title="Bench standard", criteria=criteria)],
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def build(session: Session, learners: int) -> tuple[int, list[int]]:
    """``learners`` signed-off learners in one cohort, 60 evidence items each; returns ids."""
    fw_id = import_framework(session, actor=SYSTEM, spec=_spec()).framework_id or 0
    criteria = [c[0] for c in session.exec(select(Criterion.id).order_by(Criterion.position))]
    session.execute(
        insert(Person),
        [{"name": "Ada Assessor", "email": "assessor@bench.example", "roles": "assessor"}]
        + [
            {"name": f"Learner {n}", "email": f"l{n}@bench.example", "roles": "learner"}
            for n in range(learners)
        ],
    )
    people = session.exec(select(Person.id).order_by(Person.id)).all()
    assessor, learner_ids = people[0][0], [p[0] for p in people[1:]]
    session.add(Cohort(name="Bench cohort"))
    session.flush()
    cohort_id = session.exec(select(Cohort.id)).one()[0]
    std_id = session.exec(select(Criterion.standard_id)).first()[0]
    regs = _register(session, learner_ids, fw_id, cohort_id, assessor, std_id)
    signoff_ids = []
    for lid in learner_ids:
        ev_ids, ver_ids = _evidence(session, lid, assessor)
        _accept_claims(session, lid, assessor, ev_ids, criteria)
        signoff_ids.append(_sign_off(session, lid, regs[lid], std_id, assessor, ver_ids))
    session.commit()
    return cohort_id, signoff_ids


def _insert_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk-inserts ``rows`` of ``model``; returns their ids in the order of ``rows``."""
    inserted = session.execute(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return list(inserted.scalars())


def _register(
    session: Session,
    learner_ids: list[int],
    fw_id: int,
    cohort_id: int,
    assessor: int,
    std_id: int,
) -> dict[int, int]:
    """Registers every learner on the one standard; returns learner id -> registration id."""
    session.execute(
        insert(Registration),
        [
            {
                "learner_id": lid,
                "framework_id": fw_id,
                "cohort_id": cohort_id,
                "assessor_id": assessor,
                "start_date": DAY - timedelta(days=200),
                "planned_end": DAY + timedelta(days=200),
                "created_at": NOW,
            }
            for lid in learner_ids
        ],
    )
    regs = dict(session.exec(select(Registration.learner_id, Registration.id)).all())
    session.execute(
        insert(RegistrationStandard),
        [{"registration_id": r, "standard_id": std_id} for r in regs.values()],
    )
    return regs


def _evidence(session: Session, lid: int, assessor: int) -> tuple[list[int], list[int]]:
    """60 observation records of learner ``lid`` with their versions; returns both lists of ids."""
    ev_ids = _insert_ids(
        session,
        Evidence,
        [
            {
                "learner_id": lid,
                "kind": "observation_record",
                "title": f"Observed coaching session {i} with a job seeker at the employer's site",
                "activity_date": DAY,
                "status": "submitted",
                "current_version": 1,
                "created_by": assessor,
                "created_at": NOW,
                "updated_at": NOW,
                "submitted_at": NOW,
            }
            for i in range(60)
        ],
    )
    ver_ids = _insert_ids(
        session,
        EvidenceVersion,
        [
            {
                "evidence_id": e,
                "number": 1,
                "title": f"Observed coaching session {i}",
                "activity_date": DAY,
                "body": "Observed.",
                "fields": {},
                "sha256": _sha(f"E{e}v1"),
                "created_by": assessor,
                "created_at": NOW,
                "declared_at": NOW,
            }
            for i, e in enumerate(ev_ids)
        ],
    )
    return ev_ids, ver_ids


def _accept_claims(
    session: Session, lid: int, assessor: int, ev_ids: list[int], criteria: list[int]
) -> None:
    """An accepted claim of each item, of one of the 30 criteria in turn (two per criterion)."""
    claim_ids = _insert_ids(
        session,
        Claim,
        [
            {
                "evidence_id": ev_ids[i],
                "criterion_id": criteria[i % 30],
                "claimed_by": lid,
                "created_at": NOW,
                "status": "accepted",
                "method": "O",
                "decided_at": NOW,
                "decided_by": assessor,
                "revision": 1,
            }
            for i in range(60)
        ],
    )
    framework_of = frameworks_of(session, claim_ids)
    session.execute(
        insert(Decision),
        [
            {
                "claim_id": c,
                "framework_id": framework_of[c],
                "old_status": "claimed",
                "new_status": "accepted",
                "method": "O",
                "feedback": "",
                "actor_id": assessor,
                "at": NOW - timedelta(days=1),
            }
            for c in claim_ids
        ],
    )


def _sign_off(
    session: Session, lid: int, reg_id: int, std_id: int, assessor: int, ver_ids: list[int]
) -> int:
    """The standard signed off for learner ``lid`` on the given evidence versions."""
    so = SignOff(
        registration_id=reg_id,
        standard_id=std_id,
        assessor_id=assessor,
        document_id=f"SO-BENCH-{lid:06d}",
        summary="Competent.",
        learner_declared_at=NOW,
        assessor_declared_at=NOW,
        signed_at=NOW,
        evidence_set_sha256=_sha(str(lid)),
    )
    session.add(so)
    session.flush()
    session.execute(
        insert(SignOffEvidence),
        [{"signoff_id": so.id, "version_id": v, "sha256": _sha(f"E{v}v1")} for v in ver_ids],
    )
    return so.id or 0


def bench_one(engine: Engine, signoff_id: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of one record, view model plus layout."""
    wall, cpu = [], []
    for _ in range(15):
        with Session(engine) as session:
            start, start_cpu = time.perf_counter(), time.process_time()
            build_signoff_docx(signoff_view(session, signoff_id, centre="Bench Centre"))
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def bulk(engine: Engine, cohort_id: int, instance: Path, workers: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (this process and the pool's) and records written."""
    import resource

    with Session(engine) as session:
        # the job runs as the person who asked, with the roles they hold when it runs: an
        # administrator, as on the cohort's page (actor 0 is no one, and is refused)
        admin = Person(name="Alex Admin", email="admin@bench.example", roles="admin")
        session.add(admin)
        session.flush()
        job = ExportJob(
            kind=jobs.KIND_COHORT_SIGNOFFS,
            params={"cohort_id": cohort_id, "actor_id": admin.id, "admin": True},
            created_by=admin.id or 0,
            result_path=jobs.result_name(999),
        )
        session.add(job)
        session.commit()
        job_id = job.id or 0

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    start, start_cpu = time.perf_counter(), cpu()
    jobs.run_job(
        lambda: Session(engine, expire_on_commit=False),
        job_id,
        instance_path=instance,
        centre="Bench Centre",
        workers=workers,
    )
    elapsed, used = time.perf_counter() - start, cpu() - start_cpu
    with Session(engine) as session:
        done = session.get(ExportJob, job_id)
        assert done is not None and done.status == "done", done and done.error
        return elapsed, used, done.done


def build_bundle_learner(session: Session, store: FileStore, items: int, total_mb: int) -> int:
    learner = Person(name="Bundle Learner", email="bundle@bench.example", roles="learner")
    session.add(learner)
    session.flush()
    per = total_mb * 1024 * 1024 // items
    import io

    for i in range(items):
        e = Evidence(
            learner_id=learner.id or 0,
            kind="product",
            title=f"Work product {i}",
            activity_date=DAY,
            status="submitted",
            created_by=learner.id or 0,
            submitted_at=NOW,
        )
        session.add(e)
        session.flush()
        v = EvidenceVersion(
            evidence_id=e.id or 0,
            number=1,
            title=e.title,
            activity_date=DAY,
            body=f"# Product {i}\n\nA *task analysis* for a job seeker.",
            sha256=_sha(f"v{i}"),
            created_by=learner.id or 0,
            declared_at=NOW,
        )
        session.add(v)
        session.flush()
        stored = store.put(io.BytesIO(os.urandom(per)), max_bytes=per + 1)
        session.add(
            Attachment(
                version_id=v.id or 0,
                sha256=stored.sha256,
                filename=f"product-{i}.pdf",
                mime="application/pdf",
                size=stored.size,
            )
        )
    session.commit()
    return learner.id or 0


def bundle_child(url: str, store: str, learner_id: int, out: str) -> None:
    """Runs in a fresh process: write the bundle, report time and peak memory as JSON."""
    import resource
    import tracemalloc

    from exports.bundle import write_bundle

    engine = make_engine(url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    start = time.perf_counter()
    with Session(engine) as session, open(out, "wb") as fh:
        manifest = write_bundle(session, FileStore(store), learner_id, fh, centre="Bench")
    elapsed = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "rss_before_mb": before,
                "peak_rss_mb": peak,
                "tracemalloc_peak_mb": traced_peak / 1024 / 1024,
                "files": len(manifest["files"]),
                "zip_mb": os.path.getsize(out) / 1024 / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bundle-child", nargs=4, metavar=("URL", "STORE", "LEARNER", "OUT"))
    args = parser.parse_args()
    if args.bundle_child:
        url, store, learner, out = args.bundle_child
        bundle_child(url, store, int(learner), out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        start = time.perf_counter()
        with Session(engine) as session:
            cohort_id, signoffs = build(session, args.learners)
        print(f"built {len(signoffs)} signed-off learners in {time.perf_counter() - start:.1f} s")

        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        one, one_cpu = bench_one(engine, signoffs[0])
        print(
            f"one sign-off record (30 criteria, 60 evidence refs) from the DB: {one:.1f} ms wall, "
            f"{one_cpu:.1f} ms CPU, median of 15 (target < 100 ms)"
        )
        elapsed, used, done = bulk(engine, cohort_id, folder / "instance", args.workers)
        print(
            f"bulk export of {done} sign-off records, pool of {args.workers}: {elapsed:.1f} s wall, "
            f"{used:.1f} CPU-seconds, i.e. {used / args.workers:.1f} s on {args.workers} idle "
            f"cores (target < 60 s)"
        )

        store = FileStore(folder / "files")
        with Session(engine) as session:
            learner_id = build_bundle_learner(session, store, 300, 50)
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--bundle-child",
                url,
                str(folder / "files"),
                str(learner_id),
                str(folder / "bundle.zip"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"bundle of 300 evidence items with 50 MB of attachments: {figures['seconds']:.1f} s, "
            f"zip {figures['zip_mb']:.1f} MB, {figures['files']} files; peak RSS "
            f"{figures['peak_rss_mb']:.0f} MB (after imports {figures['rss_before_mb']:.0f} MB; "
            f"target < 150 MB), tracemalloc peak {figures['tracemalloc_peak_mb']:.1f} MB"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
