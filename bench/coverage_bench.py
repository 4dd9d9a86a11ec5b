"""Time coverage from the database: one big learner through ``load_standings``, and a caseload page.

* One learner on all 8 standards of the sample framework (188 criteria) with 300 evidence items
  and 1,500 claims (accepted, referred and awaiting, several methods): ``load_standings`` for
  that learner, 50 runs, p50/p95 and the number of SQL statements (target < 20 ms).
* An assessor with 60 such learners (smaller portfolios): ``GET /caseload`` through the Flask
  test client, 50 runs, p50/p95 (target < 150 ms).

Data is bulk-inserted (not through the services) so that setting up takes seconds.

Run: ``.venv/bin/python bench/coverage_bench.py [--postgres URL]`` (PostgreSQL: a temporary
database is created on that server and dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, event, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from delivery.schema import upgrade  # noqa: E402
from demo.accounts import sample_framework_text  # noqa: E402
from framework.parse.nos_text import parse_nos_text  # noqa: E402
from mappings.assessment.models import Claim  # noqa: E402
from mappings.assessment.standing import load_standings  # noqa: E402
from portfolio.db import make_engine, normalise_url  # noqa: E402
from portfolio.models import (  # noqa: E402
    Criterion,
    Evidence,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.services.frameworks import import_framework  # noqa: E402
from portfolio.services.passwords import hash_password  # noqa: E402
from portfolio.services.people import SYSTEM  # noqa: E402

PASSWORD = "bench-password"
KINDS = ("reflective_account", "star_narrative", "witness_testimony", "product", "review_note")
METHODS = ("O", "WT", "P", "PD", "Q", "RA")
RUNS = 50


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    admin_url = normalise_url(postgres)
    name = f"coverage_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _people(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    session.execute(insert(Person), rows)
    emails = [r["email"] for r in rows]
    rows_found = session.exec(select(Person.email, Person.id).where(col(Person.email).in_(emails)))
    found = dict(rows_found.all())
    return [found[e] or 0 for e in emails]


def build(engine: Engine, learners: int = 60) -> dict[str, Any]:
    """The framework, an assessor and an IQA, one big learner and ``learners`` caseload ones."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    today = date.today()
    with Session(engine) as session:
        import_framework(session, actor=SYSTEM, spec=parse_nos_text(sample_framework_text()))
        session.commit()
        fw = session.exec(select(Framework)).one()
        standards = session.exec(select(Standard).order_by(col(Standard.position))).all()
        criteria = session.exec(select(Criterion.id)).all()
        staff = _people(
            session,
            [
                {
                    "name": "Bench Assessor",
                    "email": "assessor@bench.example",
                    "roles": "assessor",
                    "password_hash": hash_password(PASSWORD),
                },
                {"name": "Bench IQA", "email": "iqa@bench.example", "roles": "iqa"},
            ],
        )
        assessor_id, iqa_id = staff
        people = [
            {"name": f"Learner {i:03d}", "email": f"l{i}@bench.example", "roles": "learner"}
            for i in range(learners + 1)
        ]
        learner_ids = _people(session, people)
        big, caseload = learner_ids[0], learner_ids[1:]
        session.execute(
            insert(Registration),
            [
                {
                    "learner_id": lid,
                    "framework_id": fw.id,
                    "assessor_id": assessor_id if lid != big else None,
                    "iqa_id": iqa_id,
                    "start_date": today - timedelta(days=rng.randint(0, 330)),
                    "planned_end": today + timedelta(days=rng.randint(30, 365)),
                    "created_at": now,
                }
                for lid in learner_ids
            ],
        )
        regs = dict(session.exec(select(Registration.learner_id, Registration.id)).all())
        links = []
        for lid in learner_ids:
            chosen = standards if lid == big else rng.sample(standards, rng.randint(2, 5))
            links += [{"registration_id": regs[lid], "standard_id": s.id} for s in chosen]
        session.execute(insert(RegistrationStandard), links)

        def portfolio(lid: int, items: int, claims: int) -> None:
            session.execute(
                insert(Evidence),
                [
                    {
                        "learner_id": lid,
                        "kind": KINDS[i % len(KINDS)],
                        "title": f"Evidence {i} of learner {lid}",
                        "activity_date": today - timedelta(days=rng.randint(1, 900)),
                        "status": "submitted",
                        "current_version": 1,
                        "created_by": lid,
                        "created_at": now,
                        "updated_at": now,
                        "submitted_at": now,
                    }
                    for i in range(items)
                ],
            )
            ids = session.exec(select(Evidence.id).where(Evidence.learner_id == lid)).all()
            pairs = set()
            while len(pairs) < claims:
                pairs.add((rng.choice(ids), rng.choice(criteria)))
            rows = []
            for eid, cid in sorted(pairs):
                status = rng.choices(("accepted", "referred", "claimed"), (6, 1, 3))[0]
                decided = status != "claimed"
                rows.append(
                    {
                        "evidence_id": eid,
                        "criterion_id": cid,
                        "claimed_by": lid,
                        "created_at": now,
                        "status": status,
                        "method": rng.choice(METHODS) if decided else None,
                        "decided_at": now if decided else None,
                        "decided_by": assessor_id if decided else None,
                        "revision": 1 if decided else 0,
                    }
                )
            session.execute(insert(Claim), rows)

        portfolio(big, 300, 1500)
        for lid in caseload:
            portfolio(lid, 40, 150)
        session.commit()
    return {"big_registration": regs[big], "learners": learners}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


@dataclass
class Timing:
    wall: tuple[float, float]  # p50, p95 in ms
    cpu: tuple[float, float]  # the same in CPU time of this process (fair on a busy machine)

    def __str__(self) -> str:
        return (
            f"p50 {self.wall[0]:.1f} ms, p95 {self.wall[1]:.1f} ms wall; "
            f"p50 {self.cpu[0]:.1f} ms, p95 {self.cpu[1]:.1f} ms CPU"
        )


def timed(fn: Callable[[], Any], runs: int = RUNS) -> Timing:
    fn()  # warm up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return Timing(percentiles(wall), percentiles(cpu))


def bench_standings(engine: Engine, registration_id: int, runs: int = RUNS) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with Session(engine) as session:
        (standing,) = load_standings(session, [registration_id])
        claims = sum(len(c.claims) for c in standing.coverage.criteria)
        event.listen(engine, "before_cursor_execute", count)
        load_standings(session, [registration_id])
        event.remove(engine, "before_cursor_execute", count)
        timing = timed(lambda: load_standings(session, [registration_id]), runs)
    print(
        f"load_standings, 1 learner, {standing.total} criteria, {claims:,} claims: {timing} "
        f"over {runs} runs, {len(statements)} SQL statements (target < 20 ms)"
    )


def bench_caseload(engine: Engine, learners: int, runs: int = RUNS) -> None:
    from delivery.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "ENGINE": engine,
                "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_PATH": folder,
            }
        )
        client = app.test_client()
        response = client.post(
            "/login", data={"email": "assessor@bench.example", "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code

        def get() -> None:
            page = client.get("/caseload?sort=progress")
            assert page.status_code == 200

        timing = timed(get, runs)
    print(f"GET /caseload, {learners} learners: {timing} over {runs} runs (target < 150 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="Run on this PostgreSQL server.")
    parser.add_argument("--learners", type=int, default=60, help="Caseload size (default 60).")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"Timed runs (default {RUNS}).")
    args = parser.parse_args()
    with database(args.postgres) as url:
        engine = make_engine(url)
        upgrade(engine)
        start = time.perf_counter()
        built = build(engine, args.learners)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{engine.url.get_backend_name()}: data built in {time.perf_counter() - start:.1f} s "
            f"(load average {load} on {os.cpu_count()} CPUs)"
        )
        bench_standings(engine, built["big_registration"], args.runs)
        bench_caseload(engine, args.learners, args.runs)
        engine.dispose()


if __name__ == "__main__":
    main()
