"""Evaluate the criteria suggestion engine on the dev sets.

.venv/bin/python bench/suggest_eval.py [--shared DIR] [--folds K] [--shuffles N] [--quick]
.venv/bin/python bench/suggest_eval.py --single [--dev PATH] [--split odd|even|all] [--cv] [--repeats N]

Without ``--single``: every dev suite, cross-validated, leave one framework out and a learning
curve, for the engine reading meaning and for words alone (``bench/suggest_suites.py``).

``--single``: the Supported Employment dev set alone, words only, no vocabulary:

Plain: the engine as shipped (the reranker's weights were trained on all dev items, so on dev this
is an in-sample figure). ``--cv``: the honest figure. For each of K folds a reranker is trained on
the other folds only (:mod:`mappings.engine.train`, as ``portfolio engine train`` does, with its own
inner folds for the strong threshold and the warm offsets) and evaluated on the held-out fold, cold
and warm (warm: the training folds' decisions are the examples). ``--cv --repeats N``: the same
with N fold assignments (the official round-robin one, then N-1 shuffles with fixed seeds); prints
the mean and the minimum over them of recall@10, MRR and strong F1, cold and warm, a steadier
yardstick than one assignment on 48 items. The dev set and the Supported Employment suite are read
from the shared folder (``--shared``, default ``../shared`` beside the repository).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mappings.engine.dataset import (  # noqa: E402
    FrameworkText,
    ItemsError,
    examples_of,
    gold_pairs,
    load_framework,
    load_items,
)
from mappings.engine.metrics import (  # noqa: E402
    empty_when_no_gold,
    kfold_indices,
    mean_reciprocal_rank,
    percentile,
    recall_at_k_macro,
    recall_at_k_micro,
    set_prf_micro,
)
from mappings.engine.suggest import CriterionDoc, Params, SuggestionEngine  # noqa: E402
from mappings.engine.train import L2, TrainingSet, fit_model  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED = Path("seeds") / "003_b475007781b3f849.txt"  # the Supported Employment suite
DEV = Path("eval") / "dev.jsonl"


def gold_of(item: dict) -> set[tuple[str, str]]:
    return set(gold_pairs(item))


def shuffled_folds(n: int, folds: int, seed: int) -> list[list[int]]:
    """Round-robin folds over a seeded permutation of ``range(n)`` (seed 0: the official plan)."""
    if seed == 0:
        return kfold_indices(n, folds)
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[i] for i in fold) for fold in kfold_indices(n, folds)]


def run(
    engine_factory,
    items,
    folds: int | None,
    fold_factory=None,
    warm: bool = True,
    plan: list[list[int]] | None = None,
):
    """Rank every item; with ``folds`` each item sees the other folds' gold as examples.

    ``fold_factory(train_indices)`` makes the engine for a fold (a reranker trained on those items);
    ``plan`` overrides the round-robin folds."""
    ranked, strong, golds, lat = [], [], [], []
    if plan is None:
        plan = kfold_indices(len(items), folds) if folds else [list(range(len(items)))]
    results = {}
    for fold in plan:
        train = [j for j in range(len(items)) if j not in set(fold)]
        engine = fold_factory(train) if fold_factory else engine_factory()
        if folds and warm:
            engine.add_examples(examples_of([items[j] for j in train]))
        for j in fold:
            it = items[j]
            t0 = time.perf_counter()
            sug = engine.suggest(kind=it["kind"], title=it["title"], text=it["text"], top=10)
            results[j] = (sug, time.perf_counter() - t0)
    for j in range(len(items)):
        sug, dt = results[j]
        ranked.append([(s.standard, s.criterion) for s in sug])
        strong.append({(s.standard, s.criterion) for s in sug if s.strong})
        golds.append(gold_of(items[j]))
        lat.append(dt * 1000)
    return ranked, strong, golds, lat


def summary(ranked, strong, golds, lat) -> dict[str, float]:
    prf = set_prf_micro(strong, golds)
    x, y = empty_when_no_gold(strong, golds)
    return {
        "r10": recall_at_k_micro(ranked, golds, 10),
        "mrr": mean_reciprocal_rank(ranked, golds),
        "f1": prf.f1,
        "empty": x / y if y else 1.0,
    }


def report(name, ranked, strong, golds, lat) -> None:
    r = {k: recall_at_k_micro(ranked, golds, k) for k in (1, 3, 5, 10)}
    rm = {k: recall_at_k_macro(ranked, golds, k) for k in (1, 3, 5, 10)}
    mrr = mean_reciprocal_rank(ranked, golds)
    prf = set_prf_micro(strong, golds)
    x, y = empty_when_no_gold(strong, golds)
    print(f"== {name} ({len(golds)} items)")
    print("  recall@k micro: " + "  ".join(f"@{k} {v:.3f}" for k, v in r.items()))
    print("  recall@k macro: " + "  ".join(f"@{k} {v:.3f}" for k, v in rm.items()))
    print(f"  MRR {mrr:.3f}")
    print(
        f"  strong set: P {prf.precision:.3f}  R {prf.recall:.3f}  F1 {prf.f1:.3f}"
        f"  (tp {prf.tp} fp {prf.fp} fn {prf.fn})"
    )
    print(f"  no-gold items with no strong suggestion: {x} of {y}")
    print(f"  latency per item: p50 {percentile(lat, 50):.1f} ms  p95 {percentile(lat, 95):.1f} ms")


def synthetic_build_time(fw: FrameworkText, n: int = 10_000) -> float:
    base = fw.criteria
    rng = random.Random(7)
    words = sorted({w for c in base for w in c.text.split()})
    docs = []
    for i in range(n):
        c = base[i % len(base)]
        extra = " ".join(rng.choice(words) for _ in range(6))
        docs.append(
            CriterionDoc(
                f"X{i // 20:04d}",
                f"{c.code}_{i}",
                c.kind,
                f"{c.text} {extra}",
                c.standard_title,
                c.standard_overview,
            )
        )
    t0 = time.perf_counter()
    SuggestionEngine.build(docs, fw.glossary, None, fw.values)
    return time.perf_counter() - t0


def repeated(items, folds: int, repeats: int, factory, fold_factory) -> None:
    """CV over ``repeats`` fold assignments: per-assignment figures, then mean and min."""
    rows: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    print(f"== CV over {repeats} fold assignments ({folds}-fold; seed 0 is the official one)")
    for seed in range(repeats):
        plan = shuffled_folds(len(items), folds, seed)
        for mode in ("cold", "warm"):
            res = summary(*run(factory, items, folds, fold_factory, mode == "warm", plan))
            rows[mode].append(res)
        c, w = rows["cold"][-1], rows["warm"][-1]
        print(
            f"  seed {seed}: cold r@10 {c['r10']:.3f} MRR {c['mrr']:.3f} F1 {c['f1']:.3f}"
            f"  | warm r@10 {w['r10']:.3f} MRR {w['mrr']:.3f} F1 {w['f1']:.3f}"
        )
    for mode in ("cold", "warm"):
        vals = rows[mode]
        line = "  ".join(
            f"{label} mean {sum(v[k] for v in vals) / len(vals):.3f} min {min(v[k] for v in vals):.3f}"
            for k, label in (("r10", "r@10"), ("mrr", "MRR"), ("f1", "F1"))
        )
        print(f"  {mode.upper()}: {line}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--dev", type=Path, default=None, help="default: SHARED/eval/dev.jsonl")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--split",
        choices=("all", "odd", "even"),
        default="all",
        help="evaluate on every item, or only on odd/even positions",
    )
    ap.add_argument("--no-build-bench", action="store_true")
    ap.add_argument("--cv", action="store_true", help="train the reranker per fold (honest)")
    ap.add_argument("--hand", action="store_true", help="the hand-tuned scorer, no reranker")
    ap.add_argument("--l2", type=float, default=None)
    ap.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="with --cv: N fold assignments (official + N-1 seeded shuffles); mean and min",
    )
    ap.add_argument(
        "--single",
        action="store_true",
        help="the Supported Employment dev set alone, words only (the options above); "
        "without it: every dev suite, CV, leave one framework out and learning curve",
    )
    ap.add_argument("--quick", action="store_true", help="every suite: no CV, semantic only")
    ap.add_argument("--shuffles", type=int, default=5, help="orders the learning curve averages")
    args = ap.parse_args(argv)
    if not args.single:
        from bench.suggest_suites import main as suites

        quick = ["--quick"] if args.quick else []
        rest = ["--folds", str(args.folds), "--shuffles", str(args.shuffles), *quick]
        return suites(["--shared", str(args.shared), *rest])
    args.dev = args.dev or args.shared / DEV
    fw = load_framework(args.shared / SEED)
    items = load_items(args.dev)
    if args.split != "all":
        items = items[(0 if args.split == "even" else 1) :: 2]
    print(
        f"framework: {len(fw.criteria)} criteria, {len(fw.glossary)} glossary entries, "
        f"{len(fw.values)} values; "
        f"items: {len(items)} from {args.dev}"
    )
    params = Params(reranker=not args.hand)

    def factory() -> SuggestionEngine:
        return fw.engine(params)

    if args.cv:
        data = TrainingSet(factory, items)
        models = {}

        def fold_factory(train: list[int]) -> SuggestionEngine:
            key = tuple(train)
            if key not in models:
                models[key] = fit_model(data, train, L2 if args.l2 is None else args.l2)
            return fw.engine(Params(model=models[key]))

        f = args.folds
        report(f"CV COLD ({f}-fold reranker)", *run(factory, items, f, fold_factory, warm=False))
        report(f"CV WARM ({f}-fold reranker and examples)", *run(factory, items, f, fold_factory))
        if args.repeats > 1:
            repeated(items, f, args.repeats, factory, fold_factory)
    else:
        report("COLD", *run(factory, items, None))
        report(f"WARM ({args.folds}-fold)", *run(factory, items, args.folds))
    if not args.no_build_bench:
        print(f"index build, synthetic 10,000 criteria: {synthetic_build_time(fw):.2f} s")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except ItemsError as exc:  # a labelled item it cannot read: named, as the CLI names it
        raise SystemExit(f"{Path(__file__).name}: {exc}") from None
