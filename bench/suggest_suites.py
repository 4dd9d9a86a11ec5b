"""The suggestion engine on every dev set: cross-validated, leave-one-framework-out, learning curve.

.venv/bin/python bench/suggest_suites.py [--shared DIR] [--folds K] [--steps 0,5,10,20] [--shuffles 5]
[--quick]

(``bench/suggest_eval.py`` with no option runs this.) For each labelled suite in the shared folder
(Supported Employment: ``eval/dev.jsonl`` with the NOS text of ``seeds/003_…``; Management and
Leadership: ``eval/dev-management.jsonl`` with ``eval/frameworks/management-leadership.csv``), read
with no vocabulary (the Supported Employment vocabulary is hand-written for that suite and does not
count toward these figures), it prints for the engine reading meaning (``semantic``: words and
sentence embeddings) and for words alone (``words``):

* **CV**: a reranker trained per fold on the other folds of the same suite, measured on the held-out
  fold, cold (no examples). Tuned on the suite it measures: an optimistic figure.
* **Leave one framework out (LOFO)**: the reranker trained on every item of the OTHER suite only and
  measured on this suite, cold. This is what a centre sees on the day it imports its own framework.
* **Learning curve**: the LOFO engine given the first N items of this suite as decided examples,
  measured on the same held-out items (those after the largest N) for every N: recall@10 and MRR
  after 0, 5, 10, 20 decided items, the mean over ``--shuffles`` seeded orders (5). Each line also
  splits recall@10 between the held gold criteria decided before and those never decided (each
  beside the cold engine's recall@10 of the same criteria: what learning changed), and the
  curve ends with how much likelier a criterion decided before is to be gold in a held item: the
  dev sets were written to cover every criterion once or twice, so it is less likely (about 0.5x
  and 0.75x), and learning that promotes the criteria decided before costs recall here
  (``docs/suggestions.md``, "Learning from decisions").

Then one row for the sample with its own vocabulary, as the demo imports it (LOFO: trained on the
other suite). Figures: recall@10 (micro), MRR, F1 of the strong set, as ``bench/suggest_eval.py``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED, run, summary  # noqa: E402
from demo.accounts import sample_vocabulary_text  # noqa: E402
from mappings.engine.dataset import (  # noqa: E402
    FrameworkText,
    Item,
    ItemsError,
    examples_of,
    load_framework,
    load_items,
)
from mappings.engine.embed import MemoEncoder, load_encoder  # noqa: E402
from mappings.engine.features import SEMANTIC_MODEL, WORDS_MODEL  # noqa: E402
from mappings.engine.metrics import recall_at_k_micro  # noqa: E402
from mappings.engine.model import RerankModel  # noqa: E402
from mappings.engine.semantic import criterion_embeddings  # noqa: E402
from mappings.engine.suggest import Params, SuggestionEngine  # noqa: E402
from mappings.engine.train import L2, PooledSet, TrainingSet, fit_model  # noqa: E402
from mappings.engine.vocabulary import Vocabulary  # noqa: E402

SUITES = {
    "supported-employment": ("seeds/003_b475007781b3f849.txt", "eval/dev.jsonl"),
    "management": ("eval/frameworks/management-leadership.csv", "eval/dev-management.jsonl"),
}
FEATURES = {"semantic": SEMANTIC_MODEL, "words": WORDS_MODEL}


@dataclass
class Suite:
    name: str
    framework: FrameworkText
    items: list[Item]
    encoder: MemoEncoder | None

    def __post_init__(self) -> None:
        enc = self.encoder
        self.vectors = criterion_embeddings(enc, self.framework.criteria) if enc else None
        self._data: TrainingSet | None = None

    def engine(self, model: RerankModel | None = None) -> SuggestionEngine:
        words = model is not None and not model.semantic
        encoder = None if words else self.encoder
        return self.framework.engine(Params(model=model), encoder, self.vectors)

    @property
    def data(self) -> TrainingSet:
        """Features of every item, computed once (the semantic ones hold the word ones too)."""
        if self._data is None:
            self._data = TrainingSet(self.engine, self.items)
        return self._data


def dev_suites(shared: Path, encoder: MemoEncoder | None) -> list[Suite]:
    """Every dev suite of ``shared`` (its framework and gold-labelled items), read with ``encoder``."""
    return [
        Suite(name, load_framework(shared / fw), load_items(shared / dev), encoder)
        for name, (fw, dev) in SUITES.items()
    ]


def encoded_dev_suites(shared: Path) -> tuple[MemoEncoder, list[Suite]] | None:
    """The dev suites read with the engine's encoder; ``None`` (and says so) without the weights."""
    loaded = load_encoder()
    if loaded is None:
        print("embedding weights not installed")
        return None
    encoder = MemoEncoder(loaded)
    return encoder, dev_suites(shared, encoder)


def line(label: str, figures: dict[str, float]) -> str:
    return (
        f"  {label:<38} r@10 {figures['r10']:.3f}  MRR {figures['mrr']:.3f}"
        f"  strong F1 {figures['f1']:.3f}"
    )


def curve_line(label: str, figures: dict[str, float]) -> str:
    if not figures["seen_gold"]:
        return line(label, figures)
    return (
        line(label, figures)
        + f"  r@10 on criteria decided before {figures['r10_seen']:.3f}"
        + f" (cold {figures['r10_seen_cold']:.3f}), never decided {figures['r10_new']:.3f}"
        + f" (cold {figures['r10_new_cold']:.3f})"
    )


def cross_validated(suite: Suite, folds: int, features: Sequence[str]) -> dict[str, float]:
    def fold_factory(train: list[int]) -> SuggestionEngine:
        return suite.engine(fit_model(suite.data, train, L2, features=features))

    return summary(*run(suite.engine, suite.items, folds, fold_factory, warm=False))


def lofo_model(others: list[Suite], features: Sequence[str]) -> RerankModel:
    """A reranker trained on every item of ``others`` (each with its own framework's features)."""
    data = others[0].data if len(others) == 1 else PooledSet([o.data for o in others])
    return fit_model(data, list(range(len(data.items))), L2, features=features)


def curve(
    suite: Suite, model: RerankModel, steps: list[int], shuffles: int = 5
) -> list[tuple[int, dict[str, float]]]:
    """The learning curve, averaged over ``shuffles`` seeded orders of the items: in each order the
    first N items are the decided examples and the items after the largest N are measured, the same
    ones for every N (an item measured is never one decided). Besides the usual figures, recall@10
    of the held gold criteria an assessor had decided before (``r10_seen``) and of the others
    (``r10_new``), each beside the cold engine's on the same criteria (``..._cold``), and
    ``base_ratio``: how much likelier a criterion decided in the first max(N)
    items is to be gold in a held item than one never decided (1: as likely)."""
    rows = []
    orders = []
    for seed in range(1, shuffles + 1):
        order = list(range(len(suite.items)))
        random.Random(seed).shuffle(order)
        held = [suite.items[j] for j in order[max(steps) :]]
        cold = run(lambda e=suite.engine(model): e, held, None)[0]
        orders.append((order, cold))
    for n in steps:
        runs = [_curve_point(suite, model, order, cold, n, max(steps)) for order, cold in orders]
        rows.append((n, {k: sum(r[k] for r in runs) / len(runs) for k in runs[0]}))
    return rows


def _curve_point(
    suite: Suite,
    model: RerankModel,
    order: list[int],
    cold: list[list[tuple[str, str]]],
    n: int,
    largest: int,
) -> dict[str, float]:
    """Figures after the first ``n`` items of ``order`` are decided (``cold``: the cold engine's
    ranking of the held items, for the split of recall@10 on the same criteria)."""
    decided = [suite.items[j] for j in order[:n]]
    held = [suite.items[j] for j in order[largest:]]
    engine = suite.engine(model)
    if decided:
        engine = engine.with_examples(examples_of(decided))
    ranked, strong, golds, lat = run(lambda e=engine: e, held, None)
    figures = summary(ranked, strong, golds, lat)
    seen = {(e.standard, e.code) for e in examples_of(decided)}
    for name, keep in (("seen", True), ("new", False)):
        part = [{g for g in gold if (g in seen) == keep} for gold in golds]
        figures[f"r10_{name}"] = recall_at_k_micro(ranked, part, 10)
        figures[f"r10_{name}_cold"] = recall_at_k_micro(cold, part, 10)
    figures["seen_gold"] = float(sum(len(g & seen) for g in golds))
    every = {(c.standard, c.code) for c in suite.framework.criteria}
    before = {(e.standard, e.code) for e in examples_of([suite.items[j] for j in order[:largest]])}
    gold_before = sum(len(g & before) for g in golds) / max(len(before) * len(held), 1)
    never = every - before
    gold_never = sum(len(g & never) for g in golds) / max(len(never) * len(held), 1)
    figures["base_ratio"] = gold_before / gold_never if gold_never else 0.0
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--steps", default="0,5,10,20", help="decided items for the learning curve")
    ap.add_argument("--quick", action="store_true", help="no CV, semantic only")
    ap.add_argument("--shuffles", type=int, default=5, help="orders the learning curve averages")
    args = ap.parse_args(argv)
    steps = [int(s) for s in args.steps.split(",")]
    started = time.process_time()
    loaded = load_encoder()
    encoder = MemoEncoder(loaded) if loaded else None
    if encoder is None:
        print("embedding weights not installed: words only")
    suites = dev_suites(args.shared, encoder)
    variants = {k: v for k, v in FEATURES.items() if encoder or k == "words"}
    if args.quick:
        variants = dict(list(variants.items())[:1])
    for suite in suites:
        others = [s for s in suites if s is not suite]
        print(f"== {suite.name}: {len(suite.items)} items, "
              f"{len(suite.framework.criteria)} criteria, no vocabulary")  # fmt: skip
        for variant, features in variants.items():
            if not args.quick:
                figures = cross_validated(suite, args.folds, features)
                print(line(f"{variant}: CV ({args.folds}-fold, same suite)", figures))
            model = lofo_model(others, features)
            every = summary(*run(lambda e=suite.engine(model): e, suite.items, None))
            print(line(f"{variant}: LOFO cold (all {len(suite.items)})", every))
            held = len(suite.items) - max(steps)
            print(f"  {variant}: learning curve, mean of {args.shuffles} orders, held {held}")
            for n, figures in curve(suite, model, steps, args.shuffles):
                label = "LOFO cold" if n == 0 else f"LOFO + {n} decided items"
                print(curve_line(label, figures))
            print(f"  criteria decided before are {figures['base_ratio']:.2f}x as likely to be"
                  " gold in a held item as those never decided")  # fmt: skip
    sample = suites[0]
    vocabulary = Vocabulary.parse(sample_vocabulary_text())
    fw = sample.framework
    with_words = Suite(
        sample.name,
        FrameworkText(fw.criteria, fw.glossary, fw.values, vocabulary),
        sample.items,
        encoder,
    )
    print(f"== {sample.name} with its own vocabulary (as the demo imports it)")
    for variant, features in variants.items():
        engine = with_words.engine(lofo_model(suites[1:], features))
        figures = summary(*run(lambda e=engine: e, with_words.items, None))
        print(line(f"{variant}: LOFO cold", figures))
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except ItemsError as exc:  # a labelled item it cannot read: named, as the CLI names it
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
