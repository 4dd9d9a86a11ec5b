"""The learned reranker: logistic regression over generic (evidence, criterion) features.

Cold: ``logit = b + w . standardise(cold features)``. Warm adds an offset from past decisions,
``v . warm features``, with each ``v`` held to a sign (accepted evidence never lowers a criterion,
referred evidence never raises it) so that, without examples, warm equals cold. The probability is
``sigmoid(logit)``; a criterion is flagged strong when it reaches ``threshold``, a value chosen by
cross-validation to maximise F1 of the strong set.

Training is L2-regularised maximum likelihood by L-BFGS-B (scipy). The cold weights are shrunk
towards the strongest features: a second fit on only the ``COMPACT`` features of largest standardised
weight in the full fit, and the two weight vectors averaged (still one linear model). On 48 items
this steadies the ranking and the probabilities the strong threshold is chosen on. The weights are trained by
``portfolio engine train`` (:mod:`mappings.engine.train`) and shipped in :mod:`mappings.engine.weights`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import numpy as np
from scipy.optimize import minimize

from mappings.engine.features import ALL_FEATURES, WARM_FEATURES, WARM_FLOORS, WARM_SIGNS


def sigmoid(z: np.ndarray) -> np.ndarray:
    return cast(np.ndarray, 0.5 * (1.0 + np.tanh(0.5 * z)))


@dataclass(frozen=True)
class RerankModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    warm_weights: np.ndarray
    threshold: float
    warm_threshold: float
    features: tuple[str, ...] = ALL_FEATURES  # the columns of ALL_FEATURES it reads, in order

    @cached_property
    def columns(self) -> np.ndarray:
        return np.array([ALL_FEATURES.index(f) for f in self.features], dtype=int)

    @property
    def semantic(self) -> bool:
        """Whether the model reads the embeddings' features."""
        return any(f.startswith("emb_") for f in self.features)

    def cold_logit(self, x: np.ndarray) -> np.ndarray:
        """Logits of feature rows ``x`` over ALL_FEATURES."""
        z: np.ndarray = ((x[:, self.columns] - self.mean) / self.scale) @ self.weights + self.bias
        return z

    def warm_logit(self, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        z: np.ndarray = self.cold_logit(x) + w @ self.warm_weights
        return z

    def to_dict(self) -> dict[str, Any]:
        return {
            "cold_features": list(self.features),
            "warm_features": list(WARM_FEATURES),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "weights": [round(float(v), 8) for v in self.weights],
            "bias": round(self.bias, 8),
            "warm_weights": [round(float(v), 8) for v in self.warm_weights],
            "threshold": round(self.threshold, 6),
            "warm_threshold": round(self.warm_threshold, 6),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RerankModel:
        names = tuple(d["cold_features"])
        if not set(names) <= set(ALL_FEATURES) or tuple(d["warm_features"]) != WARM_FEATURES:
            raise ValueError("reranker weights were trained on other features: retrain them")
        return cls(
            np.array(d["mean"], dtype=float),
            np.array(d["scale"], dtype=float),
            np.array(d["weights"], dtype=float),
            float(d["bias"]),
            np.array(d["warm_weights"], dtype=float),
            float(d["threshold"]),
            float(d["warm_threshold"]),
            names,
        )


def _fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float,
    offset: np.ndarray | None = None,
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    intercept: bool = True,
) -> tuple[np.ndarray, float]:
    """Minimise mean log loss + l2/2 |w|^2 (intercept unpenalised) by L-BFGS-B."""
    n, d = x.shape
    off = np.zeros(n) if offset is None else offset

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], (theta[d] if intercept else 0.0)
        z = x @ w + b + off
        # log(1 + e^z) - y z, computed stably
        f = float(np.mean(np.logaddexp(0.0, z) - y * z)) + 0.5 * l2 * float(w @ w)
        g = (sigmoid(z) - y) / n
        grad = np.concatenate([x.T @ g + l2 * w, [g.sum()] if intercept else []])
        return f, grad

    theta0 = np.zeros(d + (1 if intercept else 0))
    b = list(bounds) if bounds is not None else [(None, None)] * d
    if intercept:
        b.append((None, None))
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=b, options={"maxiter": 500})
    theta = res.x
    return theta[:d], float(theta[d]) if intercept else 0.0


# Features of the compact model the full cold model is averaged with (0: no averaging).
COMPACT = 0


def fit_cold(
    x: np.ndarray, y: np.ndarray, l2: float = 0.01, compact: int = COMPACT
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, bias) of a cold model fitted on feature rows ``x``, labels ``y``.

    The full fit averaged with a refit on its ``compact`` features of largest |weight|."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    z = (x - mean) / scale
    w, b = _fit_logistic(z, y, l2)
    if 0 < compact < len(w):
        cols = np.sort(np.argsort(-np.abs(w), kind="stable")[:compact])
        wc, bc = _fit_logistic(z[:, cols], y, l2)
        w_compact = np.zeros(len(w))
        w_compact[cols] = wc
        w, b = 0.5 * (w + w_compact), 0.5 * (b + bc)
    return mean, scale, w, b


def fit_warm(w: np.ndarray, y: np.ndarray, cold_logit: np.ndarray, l2: float = 0.01) -> np.ndarray:
    """Sign-constrained warm offsets fitted on top of fixed cold logits."""
    bounds: list[tuple[float | None, float | None]] = [
        (f, None) if s > 0 else (None, -f) for s, f in zip(WARM_SIGNS, WARM_FLOORS, strict=True)
    ]
    v, _ = _fit_logistic(w, y, l2, offset=cold_logit, bounds=bounds, intercept=False)
    return v


def best_threshold(
    probs: Sequence[np.ndarray], golds: Sequence[np.ndarray], max_strong: int
) -> float:
    """The probability cut that maximises micro F1 of the strong sets (at most ``max_strong``)."""
    cands = np.unique(np.round(np.concatenate([p for p in probs if len(p)] or [np.zeros(1)]), 3))
    best_t, best_f = 0.5, -1.0
    for t in cands[(cands >= 0.05) & (cands <= 0.95)]:
        tp = fp = fn = 0
        for p, g in zip(probs, golds, strict=True):
            order = np.argsort(-p, kind="stable")[:max_strong]
            pick = np.zeros(len(p), dtype=bool)
            pick[order[p[order] >= t]] = True
            tp += int((pick & g).sum())
            fp += int((pick & ~g).sum())
            fn += int((~pick & g).sum())
        f = 2 * tp / max(2 * tp + fp + fn, 1)
        if f > best_f + 1e-12:
            best_t, best_f = float(t), f
    return best_t
