"""Measure the personal-data detector on the labelled set: precision and recall per kind, time.

    .venv/bin/python bench/privacy_bench.py [--exact] [--show]

A finding is right when a gold finding of the same kind overlaps it (each gold finding matched at
most once); ``--exact`` asks for the same offsets instead. Both figures are printed either way;
the flag picks which one the misses listed by ``--show`` are judged by. Time per item is the
scan alone (the model is loaded first), CPU and wall, with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from portfolio.privacy.names import warm_up
from portfolio.privacy.scan import KINDS, PATTERN_KINDS, scan

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "privacy" / "labelled.jsonl"


def _match(found: list[dict[str, Any]], gold: list[dict[str, Any]], exact: bool) -> list[bool]:
    """For each gold finding, whether a finding of its kind matches it (one to one)."""
    used: set[int] = set()
    hits = []
    for g in gold:
        hit = False
        for i, f in enumerate(found):
            if i in used or f["kind"] != g["kind"]:
                continue
            same = (f["start"], f["end"]) == (g["start"], g["end"])
            if same or (not exact and f["start"] < g["end"] and g["start"] < f["end"]):
                used.add(i)
                hit = True
                break
        hits.append(hit)
    return hits


Counts = tuple[Counter[str], Counter[str], Counter[str]]


def _count(
    results: list[tuple[dict[str, Any], list[dict[str, Any]]]], exact: bool, show: bool
) -> Counts:
    """Matched gold per kind (and matched findings under "found:kind"), gold and found per kind."""
    tp, n_gold, n_found = Counter[str](), Counter[str](), Counter[str]()
    for item, found in results:
        gold = item["gold"]
        hits = _match(found, gold, exact)
        back = _match(gold, found, exact)  # each finding: does a gold one match it?
        for g, hit in zip(gold, hits, strict=True):
            n_gold[g["kind"]] += 1
            tp[g["kind"]] += hit
            if show and not hit:
                print(f"  missed {item['id']} {g['kind']}: {g['text']!r}")
        for f, ok in zip(found, back, strict=True):
            n_found[f["kind"]] += 1
            tp["found:" + f["kind"]] += ok
            if show and not ok:
                print(f"  false alarm {item['id']} {f['kind']}: {f['text']!r}")
    return tp, n_gold, n_found


def _table(tp: Counter[str], n_gold: Counter[str], n_found: Counter[str]) -> None:
    print(f"  {'kind':<15}{'gold':>6}{'found':>7}{'precision':>11}{'recall':>8}")
    groups: list[tuple[str, tuple[str, ...]]] = [(k, (k,)) for k in KINDS]
    groups += [("pattern kinds", PATTERN_KINDS), ("overall", KINDS)]
    for label, kinds in groups:
        g = sum(n_gold[k] for k in kinds)
        f = sum(n_found[k] for k in kinds)
        hit_g = sum(tp[k] for k in kinds)
        hit_f = sum(tp["found:" + k] for k in kinds)
        precision = f"{hit_f / f:.3f}" if f else "-"
        recall = f"{hit_g / g:.3f}" if g else "-"
        print(f"  {label:<15}{g:>6}{f:>7}{precision:>11}{recall:>8}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exact", action="store_true", help="list misses by exact offsets")
    parser.add_argument("--show", action="store_true", help="print every miss and false alarm")
    args = parser.parse_args()
    items = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    warm_up()
    print(f"model loaded in {time.perf_counter() - started:.2f} s")
    for item in items[:5]:  # first calls are slower (allocations); not counted
        scan(item["text"], learner=item["learner"])
    figures: dict[bool, Counts] = {}
    walls, cpus = [], []
    results = []
    for item in items:
        w0, c0 = time.perf_counter(), time.process_time()
        found = [f.as_dict() for f in scan(item["text"], learner=item["learner"])]
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
        results.append((item, found))
    for exact in (False, True):
        figures[exact] = _count(results, exact, show=args.show and exact == args.exact)
    print(f"{len(items)} texts, {sum(1 for i in items if not i['gold'])} with no personal data")
    for exact in (False, True):
        print("\n" + ("exact offsets" if exact else "overlapping spans (same kind)"))
        _table(*figures[exact])
    held = [r for r in results if r[0].get("batch") == "held-out"]
    print(
        f"\nheld-out batch only ({len(held)} texts written after the tuning, never used for it), overlapping spans"
    )
    _table(*_count(held, False, show=False))
    ms = 1000.0
    print(
        f"\ntime per item: wall p50 {statistics.median(walls) * ms:.1f} ms, "
        f"p95 {_percentile(walls, 0.95) * ms:.1f} ms; CPU p50 {statistics.median(cpus) * ms:.1f} ms, "
        f"p95 {_percentile(cpus, 0.95) * ms:.1f} ms"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
