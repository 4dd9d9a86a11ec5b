"""Cohort exports at the size of a centre: memory and CPU time against the number of rows.

Seeds a database with the demo (``portfolio demo --learners N``: 2 to 8 standards and 20 evidence
items of 5 claims per learner), puts every synthetic learner in one cohort and signs off each one's
first standard (freezing their evidence), then runs each export in a fresh process and reports its
CPU time, peak RSS and time per row:

* ``portfolio export coverage --cohort C -o coverage.csv`` and ``-o coverage.xlsx``;
* ``portfolio export register --from .. --to .. -o register.csv`` and ``.xlsx`` (the register of
  every sign-off: one per learner);
* the bulk export of the cohort's sign-off records (:func:`exports.jobs.run_job`, one process).

``--code DIR`` (repeatable) runs the same exports with another checkout's code on the same data
(for example ``--code /work/main`` for the figures before a change); the outputs' SHA-256 show
whether they are byte for byte the same.

Run: ``.venv/bin/python bench/cohort_export_bench.py --learners 1000 5000
[--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--code DIR]``.
Target: peak RSS at most 150 MB at N=5,000, CPU time per row flat as N grows.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import temporary_database

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent


def seed(url: str, learners: int) -> int:
    """The demo with ``learners`` synthetic learners in one cohort; returns the cohort's id."""
    from sqlalchemy import func, update
    from sqlmodel import Session, col, select

    from delivery.schema import upgrade
    from delivery.wiring import wire
    from demo.accounts import load_demo
    from demo.synthetic import add_synthetic_centre
    from portfolio.db import make_engine, session_scope
    from portfolio.models import Cohort, Person, Registration

    wire()
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session)
        session.commit()
        last = session.exec(select(func.max(Person.id))).one()
    add_synthetic_centre(lambda: session_scope(engine), learners=learners, seed=1)
    with Session(engine) as session:
        synthetic_ids = list(session.exec(select(Person.id).where(col(Person.id) > last)))
        cohort = Cohort(name="Bench cohort", site="Main site")
        session.add(cohort)
        session.flush()
        session.execute(
            update(Registration)
            .where(col(Registration.learner_id).in_(synthetic_ids))
            .values(cohort_id=cohort.id)
        )
        _sign_first_standards(session, cohort.id or 0)
        session.commit()
        cohort_id = cohort.id or 0
    engine.dispose()
    return cohort_id


def _sign_first_standards(session: Any, cohort_id: int) -> None:
    """Signs off the first standard of every registration of the cohort not yet signed, on all
    the learner's evidence versions (rows as the sign-off service would leave them)."""
    from sqlalchemy import insert
    from sqlmodel import col, select

    from mappings.assessment.models import SignOff, SignOffEvidence
    from portfolio.models import Evidence, EvidenceVersion, Registration
    from portfolio.models import RegistrationStandard as RS

    done = set(session.exec(select(SignOff.registration_id)).all())
    first = session.exec(
        select(Registration.id, Registration.learner_id, Registration.assessor_id, RS.standard_id)
        .join(RS, col(RS.registration_id) == Registration.id)
        .where(Registration.cohort_id == cohort_id)
        .order_by(col(Registration.id), col(RS.standard_id))
    ).all()
    versions: dict[int, list[tuple[int, str]]] = {}
    for vid, lid, sha in session.exec(
        select(EvidenceVersion.id, Evidence.learner_id, EvidenceVersion.sha256).join(
            Evidence, col(Evidence.id) == EvidenceVersion.evidence_id
        )
    ).all():
        versions.setdefault(lid, []).append((vid or 0, sha))
    when = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    for reg_id, lid, assessor, std_id in first:
        if reg_id in done:
            continue
        done.add(reg_id)
        so_id = session.execute(
            insert(SignOff).returning(col(SignOff.id)),
            [
                {
                    "registration_id": reg_id,
                    "standard_id": std_id,
                    "assessor_id": assessor,
                    "document_id": f"SO-BENCH-{reg_id:06d}",
                    "summary": "Competent.",
                    "evidence_set_sha256": hashlib.sha256(str(reg_id).encode()).hexdigest(),
                    "status": "signed",
                    "learner_declared_at": when,
                    "assessor_declared_at": when,
                    "signed_at": when,
                }
            ],
        ).scalar_one()
        session.execute(
            insert(SignOffEvidence),
            [{"signoff_id": so_id, "version_id": v, "sha256": s} for v, s in versions.get(lid, [])],
        )


def grow(url: str, cohort_id: int, copies: range) -> None:
    """Adds copies numbered ``copies`` of the cohort's first (demo) learners (people, registrations, evidence, claims,
    decisions; bulk inserts) and signs their first standards: the demo at a multiple of its size
    in seconds rather than the demo's hour."""
    from sqlmodel import Session, col, select

    from mappings.assessment.models import Claim, Decision
    from portfolio.db import make_engine
    from portfolio.models import Evidence, EvidenceVersion, Person, Registration
    from portfolio.models import RegistrationStandard as RS

    engine = make_engine(url)
    with Session(engine) as session:

        def rows(model: Any, where: Any) -> list[dict[str, Any]]:
            return [
                dict(r) for r in session.execute(select(model.__table__).where(where)).mappings()
            ]

        people = rows(
            Person,
            col(Person.id).in_(
                select(Registration.learner_id).where(Registration.cohort_id == cohort_id)
            )
            & col(Person.email).not_like("copy%"),
        )
        learners = [p["id"] for p in people]
        regs = rows(Registration, col(Registration.learner_id).in_(learners))
        reg_std = rows(RS, col(RS.registration_id).in_([r["id"] for r in regs]))
        # subqueries, not lists of ids: PostgreSQL takes at most 65,535 parameters
        theirs = col(Evidence.learner_id).in_(learners)
        evidence = rows(Evidence, theirs)
        ev_ids = select(Evidence.id).where(theirs)
        versions = rows(EvidenceVersion, col(EvidenceVersion.evidence_id).in_(ev_ids))
        claims = rows(Claim, col(Claim.evidence_id).in_(ev_ids))
        claim_ids = select(Claim.id).where(col(Claim.evidence_id).in_(ev_ids))
        decisions = rows(Decision, col(Decision.claim_id).in_(claim_ids))
        for k in copies:
            named = [
                {**p, "email": f"copy{k}-{p['email']}", "name": f"{p['name']} ({k})"}
                for p in people
            ]
            person = _copy(session, Person, named, {})
            reg = _copy(session, Registration, regs, {"learner_id": person})
            _copy(session, RS, reg_std, {"registration_id": reg}, ids=False)
            ev = _copy(session, Evidence, evidence, {"learner_id": person, "created_by": person})
            _copy(session, EvidenceVersion, versions, {"evidence_id": ev, "created_by": person})
            claim = _copy(session, Claim, claims, {"evidence_id": ev, "claimed_by": person})
            _copy(session, Decision, decisions, {"claim_id": claim})
        session.commit()
        _sign_first_standards(session, cohort_id)
        session.commit()
    engine.dispose()


def _copy(
    session: Any,
    model: Any,
    rows: list[dict[str, Any]],
    remap: dict[str, dict[int, int]],
    *,
    ids: bool = True,
) -> dict[int, int]:
    """Inserts a copy of ``rows`` with the keys in ``remap`` changed; old id -> new id."""
    from sqlalchemy import insert

    table = model.__table__
    copies = [
        {
            **{k: v for k, v in r.items() if not (ids and k == "id")},
            **{k: m.get(r[k], r[k]) for k, m in remap.items()},
        }
        for r in rows
    ]
    if not ids:
        session.execute(insert(table), copies)
        return {}
    new = session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), copies
    ).scalars()
    return dict(zip([r["id"] for r in rows], new, strict=True))


def _usage() -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of this process so far. The peak is the kernel's VmHWM of
    this program: ``ru_maxrss`` would carry the parent's peak over the fork and exec."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    peak = own.ru_maxrss / 1024
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return own.ru_utime + own.ru_stime, peak


def child(task: str, url: str, cohort_id: int, out: str) -> None:
    """Runs in a fresh process: one export, then its figures as one line of JSON."""
    from sqlmodel import Session, select

    from delivery.cli.main import main
    from delivery.wiring import wire
    from demo.quality import ADMIN_EMAIL
    from exports import jobs
    from exports.models import ExportJob
    from portfolio.db import make_engine
    from portfolio.models import Person

    wire()
    cpu0, rss0 = _usage()
    start = time.perf_counter()
    rows = 0
    if task in ("coverage", "register"):
        command = (
            ["export", "coverage", "--cohort", str(cohort_id)]
            if task == "coverage"
            else ["export", "register", "--from", "2026-01-01", "--to", "2026-12-31"]
        )
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            main(["--db", url, *command, "-o", out, "--json"], standalone_mode=False)
        summary = json.loads(said.getvalue())
        rows = summary.get("rows", summary.get("signoffs", 0))
    else:
        engine = make_engine(url)
        with Session(engine) as session:
            # the job runs as the person who asked, with the roles they hold when it runs: the
            # demo's administrator, as on the cohort's page (actor 0 is no one, and is refused)
            admin = session.exec(select(Person).where(Person.email == ADMIN_EMAIL)).one()
            job = ExportJob(
                kind=jobs.KIND_COHORT_SIGNOFFS,
                params={"cohort_id": cohort_id, "actor_id": admin.id, "admin": True},
                created_by=admin.id or 0,
            )
            session.add(job)
            session.commit()
            job_id = job.id or 0
            job.result_path = f"bench-{job_id}.zip"
            session.add(job)
            session.commit()
        jobs.run_job(
            lambda: Session(engine, expire_on_commit=False),
            job_id,
            instance_path=Path(out).parent,
            centre="Bench Centre",
            workers=1,
        )
        with Session(engine) as session:
            done = session.get(ExportJob, job_id)
            assert done is not None and done.status == "done", done and done.error
            rows = done.done
        os.replace(Path(out).parent / f"bench-{job_id}.zip", out)
        engine.dispose()
    elapsed = time.perf_counter() - start
    cpu1, rss1 = _usage()
    print(
        json.dumps(
            {"rows": rows, "seconds": elapsed, "cpu": cpu1 - cpu0, "rss0": rss0, "rss": rss1}
        )
    )


def _digest(path: Path) -> str:
    """SHA-256 of a file; of a zip (.xlsx too), of its members' names and contents (not its
    timestamps, nor the workbook's creation time)."""
    if path.suffix in (".zip", ".xlsx"):
        h = hashlib.sha256()
        with zipfile.ZipFile(path) as zf:
            for name in sorted(set(zf.namelist()) - {"docProps/core.xml"}):
                h.update(name.encode() + b"\0" + zf.read(name))
        return h.hexdigest()[:12]
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def measure(code: Path, task: str, url: str, cohort_id: int, out: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    result = subprocess.run(
        [sys.executable, str(HERE), "--child", task, url, str(cohort_id), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"{task} with {code} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["sha"] = _digest(out)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, nargs="+", default=[1000])
    parser.add_argument("--postgres", default=None, help="URL of a PostgreSQL server to use.")
    parser.add_argument("--code", type=Path, action="append", default=[], help="Other checkouts.")
    parser.add_argument(
        "--signoffs-up-to",
        type=int,
        default=None,
        help="Time the bulk sign-off export only at sizes up to this (it lays out a .docx per "
        "learner, ~60 ms of CPU each).",
    )
    parser.add_argument("--child", nargs=4, metavar=("TASK", "URL", "COHORT", "OUT"))
    args = parser.parse_args()
    if args.child:
        task, url, cohort, out = args.child
        child(task, url, int(cohort), out)
        return
    codes = [ROOT, *[c.resolve() for c in args.code]]
    backend = "PostgreSQL" if args.postgres else "SQLite"
    sizes = sorted(args.learners)
    with (
        temporary_database(args.postgres, "exports") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        start = time.perf_counter()
        cohort_id = seed(url, sizes[0])
        print(f"{backend}: demo with {sizes[0]} learners in {time.perf_counter() - start:.0f} s")
        made = 1  # copies of the demo's learners in the cohort, the demo's own included
        for learners in sizes:
            if learners != sizes[0]:
                if learners % sizes[0]:
                    raise SystemExit("each size must be a multiple of the smallest")
                grow(url, cohort_id, range(made, learners // sizes[0]))
                made = learners // sizes[0]
            print(
                f"  N={learners}: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
            )
            tasks = [(t, s) for t in ("coverage", "register") for s in ("csv", "xlsx")]
            if args.signoffs_up_to is None or learners <= args.signoffs_up_to:
                tasks.append(("signoffs", "zip"))
            for task, suffix in tasks:
                for code in codes:
                    f = measure(code, task, url, cohort_id, Path(tmp) / f"out.{suffix}")
                    label = f"{task} {suffix}"
                    per_row = f["cpu"] / max(f["rows"], 1) * 1e6
                    print(
                        f"  {label:<13} N={learners:<5} {code}: {f['rows']} rows, "
                        f"{f['seconds']:.1f} s wall, {f['cpu']:.1f} s CPU "
                        f"({per_row:.0f} us CPU/row), peak RSS {f['rss']:.0f} MB "
                        f"(after imports {f['rss0']:.0f} MB), output sha256 {f['sha']}",
                        flush=True,
                    )
        print(f"  load average {os.getloadavg()[0]:.2f} after the runs")


if __name__ == "__main__":
    main()
