"""Time an IQA sampling plan for 50 assessors, 2,000 learners and 16,000 signed-off standards.

Run: ``.venv/bin/python bench/iqa_plan_bench.py``. Target: under 2 s.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mappings.sampling import (  # noqa: E402
    AssessorFact,
    DecisionFact,
    SamplingStrategy,
    gaps,
    plan_sample,
)

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


if __name__ == "__main__":
    main()
