"""Time an IQA sampling plan at 25,000 decisions (50 assessors, 3,125 learners), on SQLite or PostgreSQL.

A temporary database (migrated, the sample framework loaded) gets the centre bulk-inserted: one
IQA, 50 assessors, ``--decisions / 8`` learners in 40 cohorts over 6 sites, each registered on 8
standards; per standard an evidence item with 3 accepted claims, each with its decision in the
cycle; 6 standards of 8 signed off (summative decisions), the other 2 left to interim sampling.
So 25,000 decisions to sample are 18,750 sign-offs and 6,250 interim groups over 75,000
recorded decisions.

Measured side by side in one run (best of ``--runs``, wall and CPU time of this process): a raw
fetch of the decisions and sign-offs as tuples (the baseline), :func:`load_facts`,
:func:`plan_cycle` end to end and :func:`plan_page`, with the ratio of each to the raw fetch;
then peak memory (tracemalloc, and the growth of the peak RSS), and the plan page through the
Flask test client with its SQL statement count. ``--pure`` also times the pure planner on
generated facts. The load average is printed: figures from a busy machine are not comparable.

Run: ``.venv/bin/python bench/iqa_plan_bench.py [--postgres URL] [--decisions N]``.
Target: plan under 2 s and 200 MB at 25,000 decisions.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from _common import temporary_database
from sqlalchemy import Engine, event, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from delivery.schema import upgrade
from demo.accounts import sample_framework_text
from framework.parse.nos_text import parse_nos_text
from mappings.assessment.deciders import frameworks_of
from mappings.assessment.models import Claim, Decision, SignOff
from mappings.quality.cycles import create_cycle
from mappings.quality.facts import load_facts
from mappings.quality.models import SamplingCycle
from mappings.quality.plan import plan_cycle, plan_page
from mappings.quality.sampling import (
    AssessorFact,
    DecisionFact,
    SamplingStrategy,
    gaps,
    plan_sample,
)
from portfolio.db import make_engine
from portfolio.models import (
    Cohort,
    Criterion,
    Evidence,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.models.base import utcnow
from portfolio.services.frameworks import import_framework
from portfolio.services.passwords import hash_password
from portfolio.services.people import SYSTEM, Actor

T = TypeVar("T")
PASSWORD = "bench-password"
CLAIMS = 3  # accepted claims (and decisions) per learner and standard
METHODS = ("O", "WT", "PD", "Q", "RA", "P", "RPL")
KINDS = (
    "reflective account",
    "STAR narrative",
    "review notes",
    "witness testimony",
    "observation record",
    "professional discussion",
    "questioning",
    "product",
)
SITES = ("Leeds", "Bradford", "Hull", "York", "Wakefield", "Outreach")
STANDARDS = tuple(f"SE{i:02d}" for i in range(1, 9))


def scenario(
    assessors: int = 50, learners: int = 2000, decisions: int = 16000, seed: int = 7
) -> tuple[list[AssessorFact], list[DecisionFact]]:
    rnd = random.Random(seed)
    people = []
    for i in range(assessors):
        status = "new" if i % 10 == 0 else "under_review" if i % 10 == 1 else "standard"
        people.append(AssessorFact(f"A{i:02d}", status, had_disagreements_last_cycle=i % 7 == 3))
    learner_assessor = {f"L{n:04d}": people[n % assessors].id for n in range(learners)}
    facts = []
    for k in range(decisions):
        learner = f"L{k % learners:04d}"
        facts.append(
            DecisionFact(
                id=f"D{k:05d}",
                learner=learner,
                cohort=f"C{(k % learners) // 50:02d}",
                assessor=learner_assessor[learner],
                standard=STANDARDS[(k // learners) % len(STANDARDS)],
                methods=tuple(sorted(rnd.sample(METHODS[:6], 2)))
                + (("RPL",) if rnd.random() < 0.002 else ()),
                evidence_kinds=tuple(sorted(rnd.sample(KINDS, 3))),
                record_type="summative" if rnd.random() < 0.7 else "interim",
                site=SITES[(k % learners) % len(SITES)],
            )
        )
    return people, facts


def build_database(engine: Engine, learners: int, assessors: int = 50, seed: int = 7) -> Any:
    """The centre, bulk-inserted into a migrated database; returns (cycle id, IQA's id)."""
    rnd = random.Random(seed)
    with Session(engine) as session:
        import_framework(session, actor=SYSTEM, spec=parse_nos_text(sample_framework_text()))
        session.commit()
        standards = session.exec(
            select(Standard).where(col(Standard.code).in_(STANDARDS)).order_by(col(Standard.code))
        ).all()
        now = utcnow()
        iqa_id, regs = _centre(session, standards, assessors, learners, now)
        _signed_work(session, rnd, standards, regs, now)
        cycle = create_cycle(session, actor=SYSTEM, name="Bench", iqa_id=iqa_id,
                             start=now.date() - timedelta(days=90), end=now.date(), seed=1)  # fmt: skip
        session.commit()
        return cycle.id, iqa_id


def _centre(
    session: Session, standards: Sequence[Standard], assessors: int, learners: int, now: datetime
) -> tuple[int, list[tuple[int, int, int | None]]]:
    """The IQA, assessors, learners and cohorts; every learner registered on every standard.

    Returns the IQA's id and the registrations as (registration, learner, assessor)."""
    session.execute(insert(Person), [
        {"name": f"Person {i}", "email": f"p{i}@bench.example",
         "password_hash": hash_password(PASSWORD) if i == 0 else "",
         "roles": "iqa" if i == 0 else "assessor" if i <= assessors else "learner",
         "active": True, "site": SITES[i % len(SITES)], "failed_logins": 0,
         "assessor_status": "new" if i % 10 == 1 else "under_review" if i % 10 == 2
         else "standard", "created_at": now}
        for i in range(1 + assessors + learners)
    ])  # fmt: skip
    ids = dict(session.exec(select(Person.email, Person.id)).all())
    iqa_id = ids["p0@bench.example"]
    staff = [ids[f"p{i}@bench.example"] for i in range(1, assessors + 1)]
    pupils = [ids[f"p{i}@bench.example"] for i in range(assessors + 1, assessors + 1 + learners)]
    session.execute(insert(Cohort), [
        {"name": f"Cohort {c:02d}", "site": SITES[c % len(SITES)], "created_at": now}
        for c in range(40)
    ])  # fmt: skip
    cohorts = list(session.exec(select(Cohort.id)).all())
    start = now.date() - timedelta(days=200)
    session.execute(insert(Registration), [
        {"learner_id": lid, "framework_id": standards[0].framework_id,
         "cohort_id": cohorts[n // 50 % 40], "assessor_id": staff[n % assessors], "iqa_id": iqa_id,
         "start_date": start, "planned_end": start + timedelta(days=365), "created_at": now}
        for n, lid in enumerate(pupils)
    ])  # fmt: skip
    regs = list(session.exec(select(Registration.id, Registration.learner_id,
                                    Registration.assessor_id)).all())  # fmt: skip
    session.execute(insert(RegistrationStandard), [
        {"registration_id": r, "standard_id": s.id} for r, _l, _a in regs for s in standards
    ])  # fmt: skip
    return iqa_id or 0, [(r or 0, lid, a) for r, lid, a in regs]


def _signed_work(
    session: Session,
    rnd: random.Random,
    standards: Sequence[Standard],
    regs: list[tuple[int, int, int | None]],
    now: datetime,
) -> None:
    """Per registration and standard: an evidence item with CLAIMS accepted claims (each with
    its decision in the cycle); 6 standards of 8 signed off, the other 2 left to interim."""
    start = now.date() - timedelta(days=200)
    kinds = ("reflective_account", "witness_testimony", "observation_record", "product",
             "professional_discussion", "star_narrative")  # fmt: skip
    session.execute(insert(Evidence), [
        {"learner_id": lid, "kind": kinds[(n + k) % len(kinds)], "title": f"E{n}-{k}",
         "activity_date": start, "status": "submitted", "current_version": 1,
         "created_by": lid, "created_at": now, "updated_at": now, "submitted_at": now}
        for n, (_r, lid, _a) in enumerate(regs) for k in range(len(standards))
    ])  # fmt: skip
    evidence = list(session.exec(select(Evidence.id, Evidence.learner_id)
                                 .order_by(col(Evidence.id))).all())  # fmt: skip
    criteria = {
        s.id: list(session.exec(select(Criterion.id).where(Criterion.standard_id == s.id)).all())
        for s in standards
    }
    assessor_of = {lid: a for _r, lid, a in regs}
    claims = []
    for n, (eid, lid) in enumerate(evidence):
        for criterion in criteria[standards[n % len(standards)].id][:CLAIMS]:
            method = rnd.choice(METHODS[:6]) if rnd.random() > 0.002 else "RPL"
            claims.append({"evidence_id": eid, "criterion_id": criterion, "claimed_by": lid,
                           "created_at": now, "status": "accepted", "method": method,
                           "decided_at": now, "decided_by": assessor_of[lid], "revision": 1})  # fmt: skip
    session.execute(insert(Claim), claims)
    claim_rows = list(session.exec(select(Claim.id, Claim.method, Claim.decided_by)).all())
    framework_of = frameworks_of(session, [cid or 0 for cid, _m, _who in claim_rows])
    session.execute(insert(Decision), [
        {"claim_id": cid, "framework_id": framework_of[cid or 0], "old_status": "claimed",
         "new_status": "accepted", "method": m, "feedback": "",
         "actor_id": who, "at": now - timedelta(days=rnd.randint(1, 80))}
        for cid, m, who in claim_rows
    ])  # fmt: skip
    session.execute(insert(SignOff), [
        {"registration_id": r, "standard_id": s.id, "assessor_id": a,
         "document_id": f"SO-{r}-{s.id}", "summary": "", "feedback": "",
         "learner_declared_at": now, "assessor_declared_at": now,
         "signed_at": now - timedelta(days=rnd.randint(1, 80)),
         "evidence_set_sha256": "0" * 64, "status": "signed", "reopen_reason": ""}
        for n, (r, _l, a) in enumerate(regs) for k, s in enumerate(standards) if (n + k) % 4
    ])  # fmt: skip


@dataclass
class Figures:
    """Best wall and CPU seconds over the runs of one measured step."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def time(self, fn: Callable[[], T]) -> T:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.cpu.append(time.process_time() - start_cpu)
        self.wall.append(time.perf_counter() - start)
        return result

    def __str__(self) -> str:
        return f"best {min(self.wall):.3f} s wall, {min(self.cpu):.3f} s CPU"


def peak_memory(fn: Callable[[], Any]) -> str:
    """Peak of Python allocations (tracemalloc) and the growth of the process's peak RSS."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()  # no tracing: the RSS peak grows only if this run needs more than the process had
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss
    tracemalloc.start()
    fn()
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return f"peak {peak / 2**20:.0f} MB traced, peak RSS grew {grown / 1024:.0f} MB"


def raw_fetch(session: Session, iqa_id: int) -> int:
    """The baseline: the decisions and sign-offs of the IQA's learners as plain tuples, with the
    least fold (methods per learner and standard), no planning."""
    rows = session.execute(
        sa_select(col(Evidence.learner_id), col(Criterion.standard_id), col(Decision.method))
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .where(col(Evidence.learner_id).in_(
            select(Registration.learner_id).where(Registration.iqa_id == iqa_id)))
    ).all()  # fmt: skip
    signed = session.execute(
        sa_select(col(SignOff.registration_id), col(SignOff.standard_id), col(SignOff.assessor_id))
    ).all()
    folded: dict[tuple[int, int], set[str]] = defaultdict(set)
    for learner, standard, method in rows:
        folded[(learner, standard)].add(method)
    return len(folded) + len(signed)


def database_bench(postgres: str | None, decisions: int, runs: int) -> None:
    learners = max(1, decisions // len(STANDARDS))
    with temporary_database(postgres, "iqa_plan_bench") as url:
        engine = make_engine(url)
        upgrade(engine)
        start = time.perf_counter()
        cycle_id, iqa_id = build_database(engine, learners)
        built = time.perf_counter() - start
        name = engine.url.get_backend_name()
        print(f"{name}: built in {built:.1f} s ({load_average()})")
        raw, loads, plans, pages, web = Figures(), Figures(), Figures(), Figures(), Figures()
        iqa = Actor(id=iqa_id, name="Person 0", roles=frozenset({"iqa"}))
        for seed in range(runs):
            with Session(engine) as session:
                raw.time(lambda: raw_fetch(session, iqa_id))
                cycle = session.get(SamplingCycle, cycle_id)
                assert cycle is not None
                facts = loads.time(lambda c=cycle: load_facts(session, c))  # type: ignore[misc]
                result = plans.time(
                    lambda: plan_cycle(session, actor=iqa, cycle_id=cycle_id, seed=seed)  # noqa: B023
                )
                session.commit()
                pages.time(lambda: plan_page(session, actor=iqa, cycle_id=cycle_id))
        with Session(engine) as session:
            memory_plan = peak_memory(
                lambda: plan_cycle(session, actor=iqa, cycle_id=cycle_id, seed=0)
            )
            session.rollback()
            memory_page = peak_memory(lambda: plan_page(session, actor=iqa, cycle_id=cycle_id))
        statements = web_page(engine, cycle_id, web, runs)
        engine.dispose()
    summative = sum(1 for f in facts.facts if f.record_type == "summative")
    base = min(raw.cpu)
    print(
        f"{name}: {len(facts.facts):,} decisions ({summative:,} sign-offs, "
        f"{len(facts.facts) - summative:,} interim) of {len(facts.assessors)} assessors, "
        f"{learners:,} learners; {len(result.plan.samples):,} samples; gaps: "
        f"{'none' if result.gaps.empty else result.gaps}"
    )
    print(f"{name}: raw fetch of the decisions and sign-offs as tuples: {raw}")
    print(f"{name}: load_facts: {loads}, {min(loads.cpu) / base:.1f}x the raw fetch (CPU)")
    print(
        f"{name}: plan_cycle (load, plan, store, gaps, audit): {plans}, "
        f"{min(plans.cpu) / base:.1f}x the raw fetch (CPU); {memory_plan} (target < 2 s, 200 MB)"
    )
    print(
        f"{name}: plan_page (what the page shows): {pages}, {min(pages.cpu) / base:.1f}x the raw "
        f"fetch (CPU); {memory_page}"
    )
    print(f"{name}: GET /iqa/cycles/<id>: {web}, {statements} SQL statements ({load_average()})")


def web_page(engine: Engine, cycle_id: int, figures: Figures, runs: int) -> int:
    """Times the plan page through the Flask test client; returns its number of statements."""
    from delivery.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"ENGINE": engine, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                          "INSTANCE_PATH": folder})  # fmt: skip
        client = app.test_client()
        login = client.post("/login", data={"email": "p0@bench.example", "password": PASSWORD})
        assert login.status_code == 302, login.status_code
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        assert client.get(f"/iqa/cycles/{cycle_id}").status_code == 200
        event.remove(engine, "before_cursor_execute", count)
        for _ in range(runs):
            figures.time(lambda: client.get(f"/iqa/cycles/{cycle_id}"))
    return len(statements)


def load_average() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average {load} on {os.cpu_count()} CPUs"


def pure_bench(decisions: int) -> None:
    people, facts = scenario(learners=max(1, decisions // 8), decisions=decisions)
    strategy = SamplingStrategy()
    runs = Figures()
    for seed in range(3):
        plan = runs.time(lambda: plan_sample(people, facts, strategy, seed=seed))  # noqa: B023
    start = time.perf_counter()
    missing = gaps(plan, facts, strategy)
    gap_time = time.perf_counter() - start
    required = sum(q.required for q in plan.quotas)
    statuses = Counter(q.status for q in plan.quotas)
    print(
        f"pure: {len(people)} assessors ({dict(statuses)} after bumps), "
        f"{len({f.learner for f in facts}):,} learners, {len(facts):,} decisions"
    )
    print(
        f"pure: plan_sample: {len(plan.samples):,} samples for {required:,} required by rate "
        f"quotas; {runs} over 3 seeds; gaps: {'none' if missing.empty else missing} in "
        f"{gap_time:.3f} s"
    )


def main() -> None:
    logging.getLogger("portfolio.requests").setLevel(logging.WARNING)  # no line per request
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="Run on this PostgreSQL server.")
    parser.add_argument("--decisions", type=int, default=25_000, help="Default 25,000.")
    parser.add_argument("--runs", type=int, default=3, help="Timed runs (default 3).")
    parser.add_argument("--pure", action="store_true", help="The pure planner too.")
    args = parser.parse_args()
    if args.pure:
        pure_bench(args.decisions)
    database_bench(args.postgres, args.decisions, args.runs)


if __name__ == "__main__":
    main()
