"""Time coverage from the database: one big learner through ``load_standings``, and a caseload page.

* One learner on all 8 standards of the sample framework (188 criteria) with 300 evidence items
  and 1,500 claims (accepted, referred and awaiting, several methods): ``load_standings`` for
  that learner, 50 runs, p50/p95 and the number of SQL statements (target < 20 ms).
* An assessor with 60 such learners (smaller portfolios): ``GET /caseload`` through the Flask
  test client, 50 runs, p50/p95 (target < 150 ms).

Data is bulk-inserted (not through the services) so that setting up takes seconds.

Side by side in the same run, the baseline: the same learner's claims fetched as plain tuples
and folded to the best state per criterion (:func:`raw_fold`); the ratio of ``load_standings``
to it (CPU time, p50) is printed (target at most 5x).

Run: ``.venv/bin/python bench/coverage_bench.py [--postgres URL] [--no-caseload]``
(PostgreSQL: a temporary database is created on that server and dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from _common import temporary_database
from sqlalchemy import Engine, event, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from delivery.schema import upgrade
from demo.accounts import sample_framework_text
from framework.parse.nos_text import parse_nos_text
from mappings.assessment.models import Claim
from mappings.assessment.standing import load_standings
from portfolio.db import make_engine
from portfolio.models import (
    Criterion,
    Evidence,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.services.frameworks import import_framework
from portfolio.services.passwords import hash_password
from portfolio.services.people import SYSTEM

PASSWORD = "bench-password"
KINDS = ("reflective_account", "star_narrative", "witness_testimony", "product", "review_note")
METHODS = ("O", "WT", "P", "PD", "Q", "RA")
RUNS = 50


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
    with Session(engine) as session:
        import_framework(session, actor=SYSTEM, spec=parse_nos_text(sample_framework_text()))
        session.commit()
        criteria = list(session.exec(select(Criterion.id)).all())
        assessor_id, iqa_id = _staff(session)
        people = [
            {"name": f"Learner {i:03d}", "email": f"l{i}@bench.example", "roles": "learner"}
            for i in range(learners + 1)
        ]
        learner_ids = _people(session, people)
        big, caseload = learner_ids[0], learner_ids[1:]
        regs = _register(session, rng, learner_ids, big, assessor_id, iqa_id, now)
        _portfolio(session, rng, big, 300, 1500, criteria, assessor_id, now)
        for lid in caseload:
            _portfolio(session, rng, lid, 40, 150, criteria, assessor_id, now)
        session.commit()
    return {"big_registration": regs[big], "learners": learners}


def _staff(session: Session) -> list[int]:
    """The assessor (who logs in) and the IQA."""
    return _people(
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


def _register(
    session: Session,
    rng: random.Random,
    learner_ids: list[int],
    big: int,
    assessor_id: int,
    iqa_id: int,
    now: datetime,
) -> dict[int, int]:
    """Registers the learners (the big one on every standard, the others on 2 to 5, with the
    assessor); returns learner id -> registration id."""
    today = date.today()
    fw = session.exec(select(Framework)).one()
    standards = session.exec(select(Standard).order_by(col(Standard.position))).all()
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
    return regs


def _portfolio(
    session: Session,
    rng: random.Random,
    lid: int,
    items: int,
    claims: int,
    criteria: list[int | None],
    assessor_id: int,
    now: datetime,
) -> None:
    """``items`` submitted evidence items of learner ``lid`` and ``claims`` claims of them, most
    decided (accepted or referred) by the assessor."""
    today = date.today()
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


RANK = {"claimed": 2, "referred": 1}  # accepted and countable: 3; see raw_fold


def raw_fold(session: Session, learner_id: int, criteria: dict[int, str]) -> dict[int, int]:
    """The baseline: the learner's claims fetched as plain tuples (criterion, status, method,
    activity date) and folded to the best state per criterion, with the default rules inlined
    (performance criteria need O, WT or P; 3 years' currency). No reasons, no evidence lists."""
    rows = session.connection().execute(
        sa_select(col(Claim.criterion_id), col(Claim.status), col(Claim.method),
                  col(Evidence.activity_date))
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .where(col(Evidence.learner_id) == learner_id, col(Evidence.submitted_at).is_not(None))
    ).all()  # fmt: skip
    today = date.today()
    oldest = today.replace(year=today.year - 3)
    best: dict[int, int] = {}
    for criterion, status, method, activity in rows:
        rank = RANK.get(status, 1)
        performance = criteria.get(criterion) == "performance"
        if status == "accepted" and oldest <= activity <= today:
            rank = 3 if not performance or method in ("O", "WT", "P") else rank
        if rank > best.get(criterion, -1):
            best[criterion] = rank
    return best


def bench_standings(engine: Engine, registration_id: int, runs: int = RUNS) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with Session(engine) as session:
        (standing,) = load_standings(session, [registration_id])
        claims = sum(len(c.claims) for c in standing.coverage.criteria)
        learner = standing.learner.id or 0
        kinds = {c.criterion.id: c.criterion.kind for c in standing.coverage.criteria}
        event.listen(engine, "before_cursor_execute", count)
        load_standings(session, [registration_id])
        event.remove(engine, "before_cursor_execute", count)
        timing = timed(lambda: load_standings(session, [registration_id]), runs)
        raw = timed(lambda: raw_fold(session, learner, kinds), runs)
    print(
        f"raw fetch-and-fold of the same learner's {claims:,} claims (tuples, best state per "
        f"criterion): {raw} over {runs} runs"
    )
    print(
        f"load_standings, 1 learner, {standing.total} criteria, {claims:,} claims: {timing} "
        f"over {runs} runs, {len(statements)} SQL statements (target < 20 ms); "
        f"{timing.cpu[0] / raw.cpu[0]:.1f}x the raw fetch-and-fold (p50 CPU; target <= 5x)"
    )


def settle() -> None:
    """Wait for the app's start-up warming of the suggestion engines: while it runs it takes
    the CPU (and the GIL) from the requests timed, and the process's CPU time counts it."""
    for thread in threading.enumerate():
        if thread.name == "suggestions-warm":
            thread.join()


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

        # the first visit finds no summary stored: more than a visit works out, so it answers
        # at once (saying so) and a background thread stores them; later visits read them
        start, start_cpu = time.perf_counter(), time.process_time()
        get()
        cold = (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000
        for thread in threading.enumerate():
            if thread.name == "caseload-summaries":
                thread.join()
        stored = (time.perf_counter() - start) * 1000
        settle()
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        get()
        event.remove(engine, "before_cursor_execute", count)
        timing = timed(get, runs)
    print(
        f"GET /caseload, {learners} learners, first visit (no summaries stored): "
        f"{cold[0]:.0f} ms wall, {cold[1]:.0f} ms CPU; its background thread had stored them "
        f"{stored:.0f} ms after the visit began"
    )
    print(
        f"GET /caseload, {learners} learners, summaries stored: {timing} over {runs} runs, "
        f"{len(statements)} SQL statements (target p95 < 150 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="Run on this PostgreSQL server.")
    parser.add_argument("--learners", type=int, default=60, help="Caseload size (default 60).")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"Timed runs (default {RUNS}).")
    parser.add_argument("--no-caseload", action="store_true", help="Time one learner only.")
    args = parser.parse_args()
    with temporary_database(args.postgres, "coverage_bench") as url:
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
        if not args.no_caseload:
            bench_caseload(engine, args.learners, args.runs)
        print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
        engine.dispose()


if __name__ == "__main__":
    main()
