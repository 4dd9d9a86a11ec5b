"""Ways of learning from decisions tried on the dev sets, each measured as the learning curve is.

.venv/bin/python bench/suggest_learning.py [--shared DIR] [--orders 10] [--only NAME]

For each dev suite (no vocabulary): the reranker reading meaning trained on the OTHER suite (LOFO,
as ``bench/suggest_suites.py``), and each item's cold logits, feature rows and sentence embeddings,
computed once. Then for each way of learning below, in each of ``--orders`` seeded orders of the
items, the first N items (0, 5, 10, 20) are the decided ones (their gold criteria accepted) and the
items after the first 20 are measured, the same for every N: recall@10 and MRR, the mean over the
orders. Each way adds an offset to the cold logits; none is in the engine (what was measured and
why: ``docs/suggestions.md``, "Learning from decisions").
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED  # noqa: E402
from bench.suggest_suites import Suite, encoded_dev_suites, lofo_model  # noqa: E402
from mappings.engine.dataset import gold_pairs  # noqa: E402
from mappings.engine.features import SEMANTIC_MODEL  # noqa: E402
from mappings.engine.model import _fit_logistic, sigmoid  # noqa: E402

STEPS = (0, 5, 10, 20)


@dataclass
class Prepared:
    """One suite as the learning methods see it: per item, cold logits, standardised feature rows,
    sentence vectors, sentences x criteria cosines and the gold mask; the criteria's vectors."""

    name: str
    logit: list[np.ndarray]
    rows: list[np.ndarray]
    vectors: list[np.ndarray]
    sims: list[np.ndarray]
    gold: list[np.ndarray]
    criteria: np.ndarray

    def whole(self, j: int) -> np.ndarray:
        """Item ``j``'s sentences' mean vector, unit length."""
        mean = self.vectors[j].mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12))


def prepare(suite: Suite, others: list[Suite]) -> Prepared:
    model = lofo_model(others, SEMANTIC_MODEL)
    engine = suite.engine(model)
    index = {(c.standard, c.code): i for i, c in enumerate(engine.criteria)}
    assert suite.vectors is not None
    p = Prepared(suite.name, [], [], [], [], [], np.asarray(suite.vectors.vectors))
    for it in suite.items:
        _parts, sem, x, _w = engine.analysis(kind=it["kind"], title=it["title"], text=it["text"])
        assert sem is not None
        y = np.zeros(len(x), dtype=bool)
        y[[index[pair] for pair in gold_pairs(it)]] = True
        p.logit.append(model.cold_logit(x))
        p.rows.append((x[:, model.columns] - model.mean) / model.scale)
        p.vectors.append(sem.vectors)
        p.sims.append(sem.sims)
        p.gold.append(y)
    return p


# A way of learning: (suite, decided items, held items) -> an offset to each held item's logits.
Method = Callable[[Prepared, list[int], list[int]], list[np.ndarray]]


def _memory(p: Prepared, decided: list[int], per: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The ``per`` sentences of each decided item nearest each criterion accepted for it: their
    vectors and criteria."""
    vecs: list[np.ndarray] = []
    crit: list[int] = []
    for j in decided:
        for c in np.flatnonzero(p.gold[j]):
            for t in np.argsort(-p.sims[j][:, c], kind="stable")[:per]:
                vecs.append(p.vectors[j][t])
                crit.append(int(c))
    dim = p.criteria.shape[1]
    return np.array(vecs, dtype=float).reshape(len(vecs), dim), np.array(crit, dtype=int)


def _prototype_match(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
    """Per held item and criterion, the best cosine of a sentence with one accepted for the
    criterion (-1 where none was accepted)."""
    vecs, crit = _memory(p, decided)
    out = []
    for j in held:
        best = np.full(len(p.criteria), -1.0)
        if len(vecs):
            np.maximum.at(best, crit, (p.vectors[j] @ vecs.T).max(axis=0))
        out.append(best)
    return out


def nothing(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
    return [np.zeros(len(p.criteria)) for _ in held]


def evidence_vote(
    weight: float = 0.5, k: int = 5, power: float = 4.0, kernel: float | None = None
) -> Method:
    """The nearest decided evidence (whole-text cosine) votes for its accepted criteria:
    normalised over the ``k`` nearest, weighted by cosine**power, as the shipped engine; or with
    ``kernel`` (sd above the mean cosine of decided items with each other) only evidence nearer
    than that counts, in proportion."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        if len(decided) < 2:
            return nothing(p, decided, held)
        whole = np.array([p.whole(j) for j in decided])
        labels = np.array([p.gold[j] for j in decided], dtype=float)
        pairs = (whole @ whole.T)[np.triu_indices(len(decided), 1)]
        floor = min(float(pairs.mean() + (kernel or 0.0) * pairs.std()), 0.95)
        out = []
        for j in held:
            near = whole @ p.whole(j)
            if kernel is not None:
                out.append(
                    weight * np.clip(np.clip((near - floor) / (1 - floor), 0, 1) @ labels, 0, 1)
                )
                continue
            top = np.argsort(-near, kind="stable")[:k]
            w = np.maximum(near[top], 0.0) ** power
            out.append(weight * (w @ labels[top]) / max(float(w.sum()), 1e-12))
        return out

    return method


def sentence_knn(weight: float = 2.0, k: int = 10, power: float = 4.0) -> Method:
    """Each held sentence's ``k`` nearest accepted sentences vote for their criteria."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        vecs, crit = _memory(p, decided)
        out = []
        for j in held:
            vote = np.zeros(len(p.criteria))
            if len(vecs):
                for row in p.vectors[j] @ vecs.T:
                    top = np.argsort(-row, kind="stable")[:k]
                    w = np.maximum(row[top], 0.0) ** power
                    np.add.at(vote, crit[top], w / max(float(w.sum()), 1e-12))
                vote /= len(p.vectors[j])
            out.append(weight * vote)
        return out

    return method


def prototypes(weight: float = 1.0, how: str = "relative", gate: float = 0.6) -> Method:
    """Per-criterion prototypes (the sentences accepted for it): ``relative``, the best match less
    the item's best match, + 1; ``gated``, only a match above ``gate``; ``standardised``, the match
    standardised among the criteria decided before (no net push for them)."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        out = []
        for best in _prototype_match(p, decided, held):
            known = best > -1
            f = np.zeros(len(best))
            if known.any() and how == "relative":
                f[known] = best[known] - best.max() + 1.0
            elif known.any() and how == "gated":
                f = np.maximum(best - gate, 0.0) / (1 - gate)
            elif known.any():
                f[known] = (best[known] - best[known].mean()) / (best[known].std() + 1e-9)
            out.append(weight * f)
        return out

    return method


def propagated(weight: float = 1.0, power: float = 4.0) -> Method:
    """Label propagation: each criterion takes the prototype matches of the criteria decided
    before, times their cosine with it to the ``power``, so criteria never decided learn too
    (relative to the item's best, as ``prototypes``)."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        near = np.maximum(p.criteria @ p.criteria.T, 0.0) ** power
        out = []
        for best in _prototype_match(p, decided, held):
            spread = (near * np.maximum(best, 0.0)[np.newaxis, :]).max(axis=1)
            f = np.where(spread > 0, spread - spread.max() + 1.0, 0.0)
            out.append(weight * f)
        return out

    return method


def label_neighbours(weight: float = 1.0, k: int = 5) -> Method:
    """Decided evidence whose accepted criteria the cold ranking favours votes for them all."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        kept = [j for j in decided if p.gold[j].any()]
        if not kept:
            return nothing(p, decided, held)
        labels = np.array([p.gold[j] for j in kept], dtype=float)
        out = []
        for j in held:
            q = sigmoid(p.logit[j])
            near = (labels @ q) / np.sqrt(labels.sum(axis=1)) / float(np.linalg.norm(q))
            top = np.argsort(-near, kind="stable")[:k]
            out.append(weight * (near[top] @ labels[top]) / max(float(near[top].sum()), 1e-12))
        return out

    return method


def refit(l2: float = 0.3) -> Method:
    """The reranker's weights refitted on the decided items, pulled towards the shipped ones."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        if not decided:
            return nothing(p, decided, held)
        x = np.vstack([p.rows[j] for j in decided])
        y = np.concatenate([p.gold[j] for j in decided]).astype(float)
        w, b = _fit_logistic(x, y, l2, offset=np.concatenate([p.logit[j] for j in decided]))
        return [p.rows[j] @ w + b for j in held]

    return method


def metric(l2: float = 1e-5) -> Method:
    """A diagonal reweighting of the embedding dimensions (whole evidence x criterion) learnt on
    the decided items: it could carry to criteria never decided."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        if not decided:
            return nothing(p, decided, held)
        x = np.vstack([p.whole(j)[np.newaxis, :] * p.criteria for j in decided])
        y = np.concatenate([p.gold[j] for j in decided]).astype(float)
        off = np.concatenate([p.logit[j] for j in decided])
        w, _b = _fit_logistic(x, y, l2, offset=off, intercept=False)
        return [(p.whole(j)[np.newaxis, :] * p.criteria) @ w for j in held]

    return method


def calibration(weight: float = 0.5, top: int = 10, smooth: float = 3.0) -> Method:
    """Each criterion's precision when in the cold top ten of decided items, against all
    criteria's, as a log-odds bias."""

    def method(p: Prepared, decided: list[int], held: list[int]) -> list[np.ndarray]:
        shown = np.zeros(len(p.criteria))
        right = np.zeros(len(p.criteria))
        for j in decided:
            pick = np.argsort(-p.logit[j], kind="stable")[:top]
            shown[pick] += 1
            right[pick] += p.gold[j][pick]
        overall = (right.sum() + smooth) / (shown.sum() + 2 * smooth)
        bias = np.log((right + smooth * overall) / (shown + smooth) / overall)
        return [weight * bias for _ in held]

    return method


METHODS: dict[str, Method] = {
    "none (cold)": nothing,
    "evidence vote by meaning, as shipped (0.5)": evidence_vote(),
    "sentence kNN over accepted sentences (2)": sentence_knn(),
    "prototypes, relative to the item's best (1)": prototypes(),
    "prototypes, only a match over 0.6 (2)": prototypes(2.0, "gated"),
    "prototypes, standardised (0.25)": prototypes(0.25, "standardised"),
    "evidence nearer than mean + 2 sd (1)": evidence_vote(1.0, kernel=2.0),
    "propagated to similar criteria (1)": propagated(),
    "neighbours in label space (1)": label_neighbours(),
    "reranker refitted (L2 0.3)": refit(),
    "diagonal metric on embeddings (L2 1e-5)": metric(),
    "per-criterion calibration (0.5)": calibration(),
}


def _figures(p: Prepared, scores: list[np.ndarray], held: list[int]) -> tuple[float, float]:
    hits = total = 0
    ranks: list[float] = []
    for s, j in zip(scores, held, strict=True):
        order = np.argsort(-s, kind="stable")
        y = p.gold[j]
        hits += int(y[order[:10]].sum())
        total += int(y.sum())
        if y.any():
            ranks.append(1.0 / (1 + int(np.flatnonzero(y[order])[0])))
    return hits / max(total, 1), float(np.mean(ranks)) if ranks else 0.0


def learning_curve(p: Prepared, method: Method, orders: int) -> dict[int, tuple[float, float]]:
    found: dict[int, list[tuple[float, float]]] = {n: [] for n in STEPS}
    for seed in range(1, orders + 1):
        order = list(range(len(p.gold)))
        random.Random(seed).shuffle(order)
        held = order[max(STEPS) :]
        for n in STEPS:
            offsets = method(p, order[:n], held)
            scores = [p.logit[j] + o for j, o in zip(held, offsets, strict=True)]
            found[n].append(_figures(p, scores, held))
    return {
        n: (float(np.mean([f[0] for f in v])), float(np.mean([f[1] for f in v])))
        for n, v in found.items()
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--orders", type=int, default=10, help="seeded orders to average")
    ap.add_argument("--only", default="", help="only the ways whose name contains this")
    args = ap.parse_args(argv)
    started = time.process_time()
    encoded = encoded_dev_suites(args.shared)
    if encoded is None:
        return 1
    _encoder, suites = encoded
    prepared = [prepare(s, [o for o in suites if o is not s]) for s in suites]
    print(f"recall@10 / MRR of the held items after N decided, mean of {args.orders} orders")
    for name, method in METHODS.items():
        if args.only not in name:
            continue
        for p in prepared:
            curve = learning_curve(p, method, args.orders)
            cells = "  ".join(f"{n}: {r:.3f} / {m:.3f}" for n, (r, m) in curve.items())
            print(f"  {name:<44} {p.name[:12]:<12} {cells}", flush=True)
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
