"""The suggestion engine on every dev set: cross-validated, leave-one-framework-out, learning curve.

.venv/bin/python bench/suggest_suites.py [--shared DIR] [--folds K] [--steps 0,5,10,20]

For each labelled suite in the shared folder (Supported Employment: ``eval/dev.jsonl`` with the NOS
text of ``seeds/003_…``; Management and Leadership: ``eval/dev-management.jsonl`` with
``eval/frameworks/management-leadership.csv``) it prints three figures:

* **CV**: a reranker trained per fold on the other folds of the same suite, measured on the held-out
  fold, cold (no examples). Tuned on the suite it measures: an optimistic figure.
* **Leave one framework out (LOFO)**: the reranker trained on every item of the OTHER suites only and
  measured on this suite, cold. This is what a centre sees on the day it imports its own framework.
* **Learning curve**: the LOFO engine given the first N items of this suite (a fixed shuffle) as
  decided examples, measured on the same held-out items (those after the largest N) for every N:
  recall@10 and MRR after 0, 5, 10, 20 decided items.

The Supported Employment thesaurus is hand-written vocabulary for that suite; its LOFO and curve
figures are printed both with and without it (``thesaurus off``), and only the latter say what the
engine does for a framework it has never seen.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED, run, summary  # noqa: E402
from mappings.engine import analyse  # noqa: E402
from mappings.engine.dataset import (  # noqa: E402
    FrameworkText,
    Item,
    examples_of,
    load_framework,
    load_items,
)
from mappings.engine.suggest import Params, SuggestionEngine  # noqa: E402
from mappings.engine.train import L2, TrainingSet, fit_model  # noqa: E402

SUITES = {
    "supported-employment": ("seeds/003_b475007781b3f849.txt", "eval/dev.jsonl"),
    "management": ("eval/frameworks/management-leadership.csv", "eval/dev-management.jsonl"),
}


@dataclass
class Suite:
    name: str
    framework: FrameworkText
    items: list[Item]

    def engine(self, params: Params | None = None) -> SuggestionEngine:
        return self.framework.engine(params)


@contextmanager
def thesaurus(on: bool) -> Iterator[None]:
    """Run with the hand-written thesaurus switched off (no concepts, no domain markers)."""
    if on:
        yield
        return
    saved = (analyse.terms.__defaults__, analyse.DOMAIN_TAGGER)
    analyse.terms.__defaults__ = (analyse.ConceptTagger({}),)
    analyse.DOMAIN_TAGGER = analyse.ConceptTagger({"_domain": ()})
    try:
        yield
    finally:
        analyse.terms.__defaults__, analyse.DOMAIN_TAGGER = saved


def line(label: str, figures: dict[str, float]) -> str:
    return (
        f"  {label:<34} r@10 {figures['r10']:.3f}  MRR {figures['mrr']:.3f}"
        f"  strong F1 {figures['f1']:.3f}"
    )


def cross_validated(suite: Suite, folds: int) -> dict[str, float]:
    data = TrainingSet(suite.engine, suite.items)

    def fold_factory(train: list[int]) -> SuggestionEngine:
        return suite.engine(Params(model=fit_model(data, train, L2)))

    return summary(*run(suite.engine, suite.items, folds, fold_factory, warm=False))


def lofo_model(others: list[Suite]):
    """A reranker trained on all items of ``others`` (each with its own framework's features)."""
    if len(others) != 1:
        raise SystemExit("leave-one-framework-out needs exactly two suites here")
    other = others[0]
    data = TrainingSet(other.engine, other.items)
    return fit_model(data, list(range(len(other.items))), L2)


def curve(suite: Suite, model, steps: list[int], seed: int = 1) -> list[tuple[int, dict]]:
    order = list(range(len(suite.items)))
    random.Random(seed).shuffle(order)
    held = [suite.items[j] for j in order[max(steps) :]]
    rows = []
    for n in steps:
        decided = [suite.items[j] for j in order[:n]]
        engine = suite.engine(Params(model=model))
        if decided:
            engine.add_examples(examples_of(decided))
        rows.append((n, summary(*run(lambda e=engine: e, held, None))))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--steps", default="0,5,10,20", help="decided items for the learning curve")
    args = ap.parse_args(argv)
    steps = [int(s) for s in args.steps.split(",")]
    started = time.process_time()
    for on in (True, False):
        print(f"==== thesaurus {'on' if on else 'off'}")
        with thesaurus(on):
            suites = [
                Suite(name, load_framework(args.shared / fw), load_items(args.shared / dev))
                for name, (fw, dev) in SUITES.items()
            ]
            for suite in suites:
                others = [s for s in suites if s is not suite]
                print(f"== {suite.name}: {len(suite.items)} items, "
                      f"{len(suite.framework.criteria)} criteria")  # fmt: skip
                print(
                    line(f"CV ({args.folds}-fold, same suite)", cross_validated(suite, args.folds))
                )
                model = lofo_model(others)
                for n, figures in curve(suite, model, steps):
                    label = "LOFO cold" if n == 0 else f"LOFO + {n} decided items"
                    print(line(f"{label} (held {len(suite.items) - max(steps)})", figures))
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
