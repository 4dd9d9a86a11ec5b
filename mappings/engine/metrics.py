"""Pure metric functions for judging criterion suggestions against gold mappings."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence, Set
from dataclasses import dataclass


def recall_at_k_micro(
    ranked: Sequence[Sequence[Hashable]], gold: Sequence[Set[Hashable]], k: int
) -> float:
    """Fraction of all gold labels (over all items) found in their item's top ``k``."""
    hits = total = 0
    for r, g in zip(ranked, gold, strict=True):
        total += len(g)
        hits += len(set(r[:k]) & set(g))
    return hits / total if total else 0.0


def recall_at_k_macro(
    ranked: Sequence[Sequence[Hashable]], gold: Sequence[Set[Hashable]], k: int
) -> float:
    """Mean over items with gold of the fraction of their gold found in the top ``k``."""
    vals = [len(set(r[:k]) & set(g)) / len(g) for r, g in zip(ranked, gold, strict=True) if g]
    return sum(vals) / len(vals) if vals else 0.0


def reciprocal_rank(ranked: Sequence[Hashable], gold: Set[Hashable]) -> float:
    for i, label in enumerate(ranked, start=1):
        if label in gold:
            return 1.0 / i
    return 0.0


def mean_reciprocal_rank(
    ranked: Sequence[Sequence[Hashable]], gold: Sequence[Set[Hashable]]
) -> float:
    """Mean over items with gold of 1/rank of the first gold label (0 if none is ranked)."""
    vals = [reciprocal_rank(r, g) for r, g in zip(ranked, gold, strict=True) if g]
    return sum(vals) / len(vals) if vals else 0.0


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def set_prf_micro(predicted: Sequence[Set[Hashable]], gold: Sequence[Set[Hashable]]) -> PRF:
    """Micro precision, recall and F1 of predicted label sets against gold sets."""
    tp = fp = fn = 0
    for p, g in zip(predicted, gold, strict=True):
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1, tp, fp, fn)


def empty_when_no_gold(
    predicted: Sequence[Set[Hashable]], gold: Sequence[Set[Hashable]]
) -> tuple[int, int]:
    """(x, y): of the y items with no gold, x got an empty prediction."""
    y = sum(1 for g in gold if not g)
    x = sum(1 for p, g in zip(predicted, gold, strict=True) if not g and not p)
    return x, y


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def kfold_indices(n: int, folds: int) -> list[list[int]]:
    """Deterministic round-robin split of ``range(n)`` into ``folds`` non-empty-ish folds."""
    folds = max(1, min(folds, n)) if n else 1
    return [list(range(f, n, folds)) for f in range(folds)]
