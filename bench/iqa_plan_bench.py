"""Time an IQA sampling plan for 50 assessors, 2,000 learners and 16,000 signed-off standards.

Twice: the pure planner on generated facts, then from the database: a temporary SQLite database
(migrated, the sample framework loaded) gets the centre bulk-inserted (one IQA, 50 assessors,
2,000 learners in 40 cohorts over 6 sites, 16,000 sign-offs each with a minimal accepted claim and
decision), and :func:`mappings.quality.facts.load_facts` plus :func:`mappings.quality.plan.plan_cycle`
are timed.

Run: ``.venv/bin/python bench/iqa_plan_bench.py``. Target: under 2 s.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlmodel import Session, select

from delivery.schema import upgrade
from demo.accounts import sample_framework_text
from framework.parse.nos_text import parse_nos_text
from mappings.assessment.models import Claim, Decision, SignOff
from mappings.quality.cycles import create_cycle
from mappings.quality.facts import load_facts
from mappings.quality.models import SamplingCycle
from mappings.quality.plan import plan_cycle
from mappings.quality.sampling import (
    AssessorFact,
    DecisionFact,
    SamplingStrategy,
    gaps,
    plan_sample,
)
from mappings.quality.strategy import Strategy
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
from portfolio.services.people import SYSTEM

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


def build_database(folder: Path, assessors: int = 50, learners: int = 2000, seed: int = 7) -> Any:
    """A migrated SQLite database holding the centre; returns (engine, cycle id)."""
    rnd = random.Random(seed)
    engine = make_engine(f"sqlite:///{folder / 'iqa-bench.sqlite3'}")
    upgrade(engine)
    with Session(engine) as session:
        import_framework(session, actor=SYSTEM, spec=parse_nos_text(sample_framework_text()))
        session.commit()
        standards = session.exec(
            select(Standard).where(Standard.code.in_(STANDARDS))  # type: ignore[attr-defined]
        ).all()
        now = utcnow()
        iqa_id, regs = _centre(session, standards, assessors, learners, now)
        _signed_work(session, rnd, standards, regs, now)
        cycle = create_cycle(session, actor=SYSTEM, name="Bench", iqa_id=iqa_id,
                             start=now.date() - timedelta(days=90), end=now.date(), seed=1)  # fmt: skip
        session.commit()
        return engine, cycle.id


def _centre(
    session: Session, standards: Sequence[Standard], assessors: int, learners: int, now: datetime
) -> tuple[int, list[tuple[int, int, int | None]]]:
    """The IQA, assessors, learners and cohorts; every learner registered on every standard.

    Returns the IQA's id and the registrations as (registration, learner, assessor)."""
    session.execute(insert(Person), [
        {"name": f"Person {i}", "email": f"p{i}@bench.example", "password_hash": "",
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
    """Per registration and standard: evidence, an accepted claim, its decision, a sign-off."""
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
                                 .order_by(Evidence.id)).all())  # fmt: skip
    first = {
        s.id: session.exec(select(Criterion.id).where(Criterion.standard_id == s.id)).first()
        for s in standards
    }
    assessor_of = {lid: a for _r, lid, a in regs}
    claims = []
    for n, (eid, lid) in enumerate(evidence):
        std = standards[n % len(standards)]
        method = rnd.choice(METHODS[:6]) if rnd.random() > 0.002 else "RPL"
        claims.append({"evidence_id": eid, "criterion_id": first[std.id], "claimed_by": lid,
                       "created_at": now, "status": "accepted", "method": method,
                       "decided_at": now, "decided_by": assessor_of[lid], "revision": 1})  # fmt: skip
    session.execute(insert(Claim), claims)
    claim_rows = list(session.exec(select(Claim.id, Claim.method, Claim.decided_by)).all())
    session.execute(insert(Decision), [
        {"claim_id": cid, "old_status": "claimed", "new_status": "accepted", "method": m,
         "feedback": "", "actor_id": who, "at": now - timedelta(days=rnd.randint(1, 80))}
        for cid, m, who in claim_rows
    ])  # fmt: skip
    session.execute(insert(SignOff), [
        {"registration_id": r, "standard_id": s.id, "assessor_id": a,
         "document_id": f"SO-{r}-{s.id}", "summary": "", "feedback": "",
         "learner_declared_at": now, "assessor_declared_at": now,
         "signed_at": now - timedelta(days=rnd.randint(1, 80)),
         "evidence_set_sha256": "0" * 64, "status": "signed", "reopen_reason": ""}
        for r, _l, a in regs for s in standards
    ])  # fmt: skip


def database_bench() -> None:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        engine, cycle_id = build_database(Path(folder))
        built = time.perf_counter() - start
        loads, plans, totals = [], [], []
        for seed in range(3):
            with Session(engine) as session:
                cycle = session.get(SamplingCycle, cycle_id)
                assert cycle is not None
                t0 = time.perf_counter()
                facts = load_facts(session, cycle)
                loads.append(time.perf_counter() - t0)
                strategy = Strategy.from_dict(cycle.strategy).plan
                t0 = time.perf_counter()
                plan_sample(facts.assessors, facts.facts, strategy, seed=seed)
                plans.append(loads[-1] + time.perf_counter() - t0)
                t0 = time.perf_counter()
                result = plan_cycle(session, actor=SYSTEM, cycle_id=cycle_id, seed=seed)
                session.commit()
                totals.append(time.perf_counter() - t0)
        engine.dispose()
    summative = sum(1 for f in facts.facts if f.record_type == "summative")
    print(
        f"database: built in {built:.1f} s; {len(facts.facts):,} decisions "
        f"({summative:,} sign-offs in the cycle) of {len(facts.assessors)} assessors"
    )
    print(
        f"database: fact loading best {min(loads):.3f} s; fact loading + planning best "
        f"{min(plans):.3f} s, worst {max(plans):.3f} s (target < 2 s)"
    )
    print(
        f"database: plan_cycle end to end (load, plan, store {len(result.plan.samples):,} "
        f"samples, gaps, audit) best {min(totals):.3f} s; gaps: "
        f"{'none' if result.gaps.empty else result.gaps}"
    )


def main() -> None:
    people, facts = scenario()
    strategy = SamplingStrategy()
    runs = []
    for seed in range(3):
        start = time.perf_counter()
        plan = plan_sample(people, facts, strategy, seed=seed)
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()
    missing = gaps(plan, facts, strategy)
    gap_time = time.perf_counter() - start
    required = sum(q.required for q in plan.quotas)
    statuses = Counter(q.status for q in plan.quotas)
    print(
        f"{len(people)} assessors ({dict(statuses)} after bumps), "
        f"{len({f.learner for f in facts}):,} learners, {len(facts):,} decisions"
    )
    print(
        f"plan: {len(plan.samples):,} samples for {required:,} required by rate quotas; "
        f"best {min(runs):.3f} s, worst {max(runs):.3f} s over {len(runs)} seeds (target < 2 s)"
    )
    print(f"gaps: {'none' if missing.empty else missing} in {gap_time:.3f} s")
    database_bench()


if __name__ == "__main__":
    main()
