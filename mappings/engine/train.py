"""Train the suggestion reranker on labelled evidence and write :mod:`mappings.engine.weights`.

Cold weights: L2 logistic regression over every (item, criterion) pair. Strong threshold: the cut
that maximises F1 over out-of-fold probabilities (inner K-fold). Warm offsets: fitted on warm
features that each item gets from the OTHER items' decisions only (inner K-fold), on top of
out-of-fold cold logits, as in use. Deterministic: folds are round-robin, the optimiser is exact.

Pure: the framework and the items come in as plain data (:mod:`mappings.engine.dataset`), a
:class:`~mappings.engine.model.RerankModel` goes out; :func:`write_weights` alone writes a file.
``portfolio engine train`` runs it; ``bench/suggest_eval.py --cv`` trains one model per fold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from mappings.engine.cold import Params
from mappings.engine.dataset import FrameworkText, Item, examples_of, gold_pairs
from mappings.engine.features import ALL_FEATURES, SEMANTIC_MODEL, WARM_FEATURES, WORDS_MODEL
from mappings.engine.metrics import kfold_indices
from mappings.engine.model import RerankModel, best_threshold, fit_cold, fit_warm, sigmoid
from mappings.engine.semantic import SEMANTIC_WARM, CriterionMeaning, Encodes, criterion_embeddings
from mappings.engine.suggest import SuggestionEngine

WEIGHTS_PY = Path(__file__).resolve().with_name("weights.py")
L2 = 0.01
FOLDS = 5

Factory = Callable[[], SuggestionEngine]


class TrainingSet:
    """Cold features and gold masks of every item, computed once."""

    def __init__(self, factory: Factory, items: Sequence[Item]) -> None:
        self.factory = factory
        self.items = list(items)
        engine = factory()
        index = {(c.standard, c.code): i for i, c in enumerate(engine.criteria)}
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
        found: dict[int, np.ndarray] = {}
        for j in targets:
            it = self.items[j]
            found[j] = engine.analysis(kind=it["kind"], title=it["title"], text=it["text"])[3]
        return found

    def fit_cold(
        self, rows: Sequence[int], l2: float, cols: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """A cold model fitted on the (item, criterion) pairs of items ``rows``, on feature
        columns ``cols`` (default all)."""
        x = np.vstack([self.x[j] for j in rows])
        return fit_cold(x if cols is None else x[:, cols], _stack([self.y[j] for j in rows]), l2)


class PooledSet(TrainingSet):
    """Several suites' training sets as one: items numbered in order, each item's warm features
    made from the decisions on items of its own suite only."""

    def __init__(self, parts: Sequence[TrainingSet]) -> None:
        self.parts = list(parts)
        self.items = [it for part in self.parts for it in part.items]
        self.x = [x for part in self.parts for x in part.x]
        self.y = [y for part in self.parts for y in part.y]
        self._where = [(p, j) for p, part in enumerate(self.parts) for j in range(len(part.items))]

    def warm_x(self, memory: Sequence[int], targets: Sequence[int]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        for p, part in enumerate(self.parts):
            mine = [self._where[j][1] for j in memory if self._where[j][0] == p]
            wanted = {self._where[j][1]: j for j in targets if self._where[j][0] == p}
            if wanted:
                for local, x in part.warm_x(mine, list(wanted)).items():
                    found[wanted[local]] = x
        return found


def _stack(arrays: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0)


def fit_model(
    data: TrainingSet,
    train: Sequence[int],
    l2: float = L2,
    folds: int = FOLDS,
    features: Sequence[str] = ALL_FEATURES,
) -> RerankModel:
    """A reranker trained on items ``train`` only (thresholds and warm offsets by inner CV),
    reading ``features``."""
    max_strong = Params().max_strong
    cols = np.array([ALL_FEATURES.index(f) for f in features], dtype=int)
    mean, scale, w, b = data.fit_cold(train, l2, cols)
    oof_logit: dict[int, np.ndarray] = {}
    warm_x: dict[int, np.ndarray] = {}
    for inner in kfold_indices(len(train), folds):
        test = [train[i] for i in inner]
        rest = [j for j in train if j not in set(test)]
        m, s, wi, bi = data.fit_cold(rest, l2, cols)
        for j in test:
            oof_logit[j] = ((data.x[j][:, cols] - m) / s) @ wi + bi
        warm_x.update(data.warm_x(rest, test))
    if not any(f.startswith("emb_") for f in features):  # a words model sees no meaning
        for j in train:
            warm_x[j] = warm_x[j].copy()
            warm_x[j][:, len(WARM_FEATURES) - len(SEMANTIC_WARM) :] = 0.0
    golds = [data.y[j] for j in train]
    threshold = best_threshold([sigmoid(oof_logit[j]) for j in train], golds, max_strong)
    v = fit_warm(
        np.vstack([warm_x[j] for j in train]),
        _stack(golds).astype(float),
        _stack([oof_logit[j] for j in train]),
        l2,
    )
    warm_threshold = best_threshold(
        [sigmoid(oof_logit[j] + warm_x[j] @ v) for j in train], golds, max_strong
    )
    return RerankModel(mean, scale, w, b, v, threshold, warm_threshold, tuple(features))


Suite = tuple[FrameworkText, Sequence[Item]]


def training_set(suites: Sequence[Suite], encoder: Encodes | None) -> TrainingSet:
    """The features of every item of every suite, each against its own framework (read with
    ``encoder`` if given: the criteria are embedded once per suite)."""
    parts: list[TrainingSet] = []
    for framework, items in suites:
        vectors = criterion_embeddings(encoder, framework.criteria) if encoder else None

        def factory(
            fw: FrameworkText = framework, v: CriterionMeaning | None = vectors
        ) -> SuggestionEngine:
            return fw.engine(Params(), encoder, v)

        parts.append(TrainingSet(factory, items))
    return parts[0] if len(parts) == 1 else PooledSet(parts)


def train(
    suites: Sequence[Suite],
    encoder: Encodes | None = None,
    l2: float = L2,
    folds: int = FOLDS,
) -> dict[str, RerankModel]:
    """The rerankers trained on every item of every suite (what ships in
    :mod:`mappings.engine.weights`): ``words`` reads words only; ``semantic``, trained when an
    encoder is given, reads the embeddings' features too."""
    data = training_set(suites, encoder)
    every = list(range(len(data.items)))
    models = {"words": fit_model(data, every, l2, folds, WORDS_MODEL)}
    if encoder is not None:
        models["semantic"] = fit_model(data, every, l2, folds, SEMANTIC_MODEL)
    return models


def describe(model: RerankModel) -> list[str]:
    """One line per weight, then bias and thresholds: what ``--check`` prints."""
    d = model.to_dict()
    lines = [
        f"  {name:20s} {wt:+.3f}" for name, wt in zip(d["cold_features"], d["weights"], strict=True)
    ]
    lines += [
        f"  warm {name:15s} {wt:+.3f}"
        for name, wt in zip(d["warm_features"], d["warm_weights"], strict=True)
    ]
    lines.append(
        f"  bias {d['bias']:+.3f}  threshold {d['threshold']:.3f}  warm {d['warm_threshold']:.3f}"
    )
    return lines


WEIGHTS_START = "WEIGHTS: dict[str, Any] | None = "
WEIGHTS_END = "\n\n\n@lru_cache"


def weights_source(models: dict[str, RerankModel], module: str) -> str:
    """The text of the weights module ``module`` with its ``WEIGHTS`` replaced by ``models``."""
    head, sep, _rest = module.partition(WEIGHTS_START)
    tail = module[module.index(WEIGHTS_END) :]
    return head + sep + _compact({name: m.to_dict() for name, m in sorted(models.items())}) + tail


def _compact(models: dict[str, dict[str, object]]) -> str:
    """The models as a Python literal: one line per field, each list on one line."""
    lines = ["{"]
    for name, fields in models.items():
        lines.append(f"    {json.dumps(name)}: {{")
        lines += [f"        {json.dumps(k)}: {json.dumps(v)}," for k, v in fields.items()]
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines)


def write_weights(models: dict[str, RerankModel], path: Path = WEIGHTS_PY) -> None:
    """Write the weights module, the package's own with its ``WEIGHTS`` replaced, to ``path``."""
    module = WEIGHTS_PY.read_text(encoding="utf-8")
    path.write_text(weights_source(models, module), encoding="utf-8")
