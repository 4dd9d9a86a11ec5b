"""Train the suggestion reranker on the labelled dev items and write mappings/engine/weights.py.

.venv/bin/python bench/suggest_train.py [--dev PATH] [--l2 X] [--folds K] [--check]

Cold weights: L2 logistic regression over every (item, criterion) pair. Strong threshold: the cut
that maximises F1 over out-of-fold probabilities (inner K-fold). Warm offsets: fitted on warm
features that each item gets from the OTHER items' decisions only (inner K-fold), on top of
out-of-fold cold logits, as in use. Deterministic: folds are round-robin, the optimiser is exact.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mappings.engine.features import warm_features  # noqa: E402
from mappings.engine.metrics import kfold_indices  # noqa: E402
from mappings.engine.model import RerankModel, best_threshold, fit_cold, fit_warm, sigmoid  # noqa: E402
from mappings.engine.suggest import Example, Params, SuggestionEngine  # noqa: E402

WEIGHTS_PY = ROOT / "mappings" / "engine" / "weights.py"
L2 = 0.001
FOLDS = 5

Factory = Callable[[], SuggestionEngine]


def gold_pairs(item: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted({(g["standard"], g["criterion"]) for g in item["gold"]})


def examples_of(items: Sequence[dict[str, Any]]) -> list[Example]:
    return [
        Example(it["kind"], it["title"], it["text"], s, c, True)
        for it in items
        for s, c in gold_pairs(it)
    ]


class Data:
    """Cold features and gold masks of every item, computed once."""

    def __init__(self, factory: Factory, items: Sequence[dict[str, Any]]) -> None:
        self.factory = factory
        self.items = list(items)
        engine = factory()
        index = {(c.standard, c.code): i for i, c in enumerate(engine._criteria)}
        self.x: list[np.ndarray] = []
        self.y: list[np.ndarray] = []
        for it in self.items:
            _parts, x, _w = engine.features(kind=it["kind"], title=it["title"], text=it["text"])
            y = np.zeros(len(x), dtype=bool)
            for pair in gold_pairs(it):
                if pair in index:
                    y[index[pair]] = True
            self.x.append(x)
            self.y.append(y)

    def warm_x(self, memory: Sequence[int], targets: Sequence[int]) -> dict[int, np.ndarray]:
        """Warm features of ``targets`` with the decisions of items ``memory`` as examples."""
        engine = self.factory()
        engine.add_examples(examples_of([self.items[j] for j in memory]))
        n = len(self.y[0]) if self.y else 0
        return {
            j: warm_features(engine.neighbours(self.items[j]["title"], self.items[j]["text"]), n)
            for j in targets
        }


def fit_model(data: Data, train: Sequence[int], l2: float = L2, folds: int = FOLDS) -> RerankModel:
    """A reranker trained on items ``train`` only (thresholds and warm offsets by inner CV)."""
    max_strong = Params().max_strong
    stack = lambda arrs: np.concatenate(arrs) if arrs else np.zeros(0)  # noqa: E731
    mean, scale, w, b = fit_cold(
        np.vstack([data.x[j] for j in train]), stack([data.y[j] for j in train]), l2
    )
    oof_logit: dict[int, np.ndarray] = {}
    warm_x: dict[int, np.ndarray] = {}
    for inner in kfold_indices(len(train), folds):
        test = [train[i] for i in inner]
        rest = [j for j in train if j not in set(test)]
        m, s, wi, bi = fit_cold(
            np.vstack([data.x[j] for j in rest]), stack([data.y[j] for j in rest]), l2
        )
        for j in test:
            oof_logit[j] = ((data.x[j] - m) / s) @ wi + bi
        warm_x.update(data.warm_x(rest, test))
    threshold = best_threshold(
        [sigmoid(oof_logit[j]) for j in train], [data.y[j] for j in train], max_strong
    )
    v = fit_warm(
        np.vstack([warm_x[j] for j in train]),
        stack([data.y[j] for j in train]).astype(float),
        stack([oof_logit[j] for j in train]),
        l2,
    )
    warm_threshold = best_threshold(
        [sigmoid(oof_logit[j] + warm_x[j] @ v) for j in train],
        [data.y[j] for j in train],
        max_strong,
    )
    return RerankModel(mean, scale, w, b, v, threshold, warm_threshold)


def write_weights(model: RerankModel, path: Path = WEIGHTS_PY) -> None:
    body = json.dumps(model.to_dict(), indent=4)
    src = path.read_text(encoding="utf-8")
    head, sep, _rest = src.partition("WEIGHTS: dict[str, Any] | None = ")
    tail = src[src.index("\n\n\n@lru_cache") :]
    path.write_text(head + sep + body + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from suggest_eval import DEV, load_framework, load_items

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--l2", type=float, default=L2)
    ap.add_argument("--folds", type=int, default=FOLDS)
    ap.add_argument("--check", action="store_true", help="train, print, write nothing")
    args = ap.parse_args(argv)
    fw = load_framework()
    items = load_items(args.dev)
    data = Data(lambda: fw.engine(Params()), items)
    model = fit_model(data, list(range(len(items))), args.l2, args.folds)
    d = model.to_dict()
    for name, wt in zip(d["cold_features"], d["weights"], strict=True):
        print(f"  {name:20s} {wt:+.3f}")
    for name, wt in zip(d["warm_features"], d["warm_weights"], strict=True):
        print(f"  warm {name:15s} {wt:+.3f}")
    print(
        f"  bias {d['bias']:+.3f}  threshold {d['threshold']:.3f}  warm {d['warm_threshold']:.3f}"
    )
    if not args.check:
        write_weights(model)
        print(f"wrote {WEIGHTS_PY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
