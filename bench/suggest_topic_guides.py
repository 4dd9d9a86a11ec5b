"""The engine on topic-guide units, measured on our own labelled evidence.

.venv/bin/python bench/suggest_topic_guides.py [--shared DIR] [--items PATH]

Issue #15's third target (recall@3 >= 0.70, strong F1 >= 0.65, no strong suggestion on evidence
about nothing assessable) is measured on held-back evidence that is not in the repository. This
bench stands in for it with ``bench/data/topic-guides.jsonl`` (how it was written:
``bench/data/SOURCES.md``): 36 items for the four topic guides in ``seeds/`` read together as
``portfolio framework import`` reads them (one framework, four units, 15 marking points), so each
item is ranked against every unit's marking points, as ``portfolio suggest`` ranks them when the
four are loaded. The engine is as shipped: its reranker was trained on the two NOS dev suites
only, so these units are unseen. Prints recall@1/3/10, MRR, the strong set's precision, recall and
F1, and how many items about nothing assessable got a strong suggestion, for the engine reading
meaning and for words alone. Then a learning curve: in each of ``--orders`` seeded orders of the
items the last 18 are measured after the first 0, 5, 10 and 18 are decided (their gold given to the
engine as accepted decisions, as ``portfolio suggest --examples`` gives them), the mean over the
orders. Unlike the NOS dev sets, whose items were written to cover each criterion once or twice,
each marking point here is gold in three or four items, so a marking point decided before is
likely to come again, as in a centre whose learners work on the same units.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED, gold_of, run  # noqa: E402
from framework.parse.combine import parse_files  # noqa: E402
from mappings.engine.cold import Params  # noqa: E402
from mappings.engine.dataset import Item, ItemsError, examples_of, framework_from_spec, load_items  # noqa: E402
from mappings.engine.embed import load_encoder  # noqa: E402
from mappings.engine.metrics import (  # noqa: E402
    empty_when_no_gold,
    mean_reciprocal_rank,
    recall_at_k_micro,
    set_prf_micro,
)
from mappings.engine.suggest import SuggestionEngine  # noqa: E402
from mappings.engine.weights import shipped_model  # noqa: E402

GUIDES = (  # the topic guides of seeds/, in file order (the units' codes come from their text)
    "000_89b4bdea8fcf20f4.txt",
    "001_846e160275ef996a.txt",
    "002_10af81fda55e4519.txt",
    "004_945078e1a309e24d.txt",
)
ITEMS = ROOT / "bench" / "data" / "topic-guides.jsonl"
STEPS = (0, 5, 10, 18)  # decided items of the learning curve; the last 18 of an order are measured


def curve(engine: SuggestionEngine, items: Sequence[Item], orders: int) -> None:
    """Recall@3, recall@10 and MRR of the held items after 0, 5, 10 and 18 decided, over orders."""
    held_n = len(items) - max(STEPS)
    sums = {n: [0.0, 0.0, 0.0] for n in STEPS}
    for seed in range(1, orders + 1):
        order = list(range(len(items)))
        random.Random(seed).shuffle(order)
        held = [items[j] for j in order[max(STEPS) :]]
        golds = [gold_of(it) for it in held]
        for n in STEPS:
            decided = [items[j] for j in order[:n]]
            warm = engine.with_examples(examples_of(decided)) if decided else engine
            ranked = run(lambda e=warm: e, held, None)[0]
            figures = (
                recall_at_k_micro(ranked, golds, 3),
                recall_at_k_micro(ranked, golds, 10),
                mean_reciprocal_rank(ranked, golds),
            )
            sums[n] = [a + b for a, b in zip(sums[n], figures, strict=True)]
    print(f"  learning curve, mean of {orders} orders, {held_n} items measured in each")
    for n in STEPS:
        r3, r10, mrr = (v / orders for v in sums[n])
        label = "cold" if n == 0 else f"after {n} decided"
        print(f"  {label:<18} recall@3 {r3:.3f}  recall@10 {r10:.3f}  MRR {mrr:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--items", type=Path, default=ITEMS, help="the labelled evidence")
    ap.add_argument("--orders", type=int, default=5, help="orders of the learning curve")
    args = ap.parse_args(argv)
    started = time.process_time()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    files = [(name, (args.shared / "seeds" / name).read_bytes()) for name in GUIDES]
    framework = framework_from_spec(parse_files(files))
    items = load_items(args.items)
    golds = [gold_of(it) for it in items]
    units = sorted({c.standard for c in framework.criteria})
    print(
        f"{len(items)} items ({sum(1 for g in golds if not g)} about nothing assessable), "
        f"{sum(len(g) for g in golds)} gold labels; {len(units)} units, "
        f"{len(framework.criteria)} marking points"
    )
    encoder = load_encoder()
    if encoder is None:
        print("embedding weights not installed: words alone")
    engines = {"words alone": framework.engine(Params(model=shipped_model(False)))}
    if encoder is not None:
        engines = {"meaning and words": framework.engine(Params(), encoder), **engines}
    for name, engine in engines.items():
        ranked, strong = run(lambda e=engine: e, items, None)[:2]
        prf = set_prf_micro(strong, golds)
        empty, none = empty_when_no_gold(strong, golds)
        recall = "  ".join(f"@{k} {recall_at_k_micro(ranked, golds, k):.3f}" for k in (1, 3, 10))
        print(f"== {name}")
        print(f"  recall {recall}  MRR {mean_reciprocal_rank(ranked, golds):.3f}")
        print(
            f"  strong set: P {prf.precision:.3f}  R {prf.recall:.3f}  F1 {prf.f1:.3f}"
            f"  (tp {prf.tp} fp {prf.fp} fn {prf.fn})"
        )
        print(
            f"  items about nothing assessable with a strong suggestion: {none - empty} of {none}"
        )
        curve(engine, items, args.orders)
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except ItemsError as exc:  # a labelled item it cannot read: named, as the CLI names it
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
