"""Which sentences to quote for each suggested criterion: its own best, spread over the text.

Each sentence supports each criterion by its word match and (with an encoder) its meaning, each
scaled to the criterion's best sentence. Criteria are served in rank order; a sentence already
quoted for an earlier criterion counts at a ``reuse`` share for the next, so the same sentence is
not the only reason for five criteria when other sentences serve almost as well. A sentence far
below the criterion's best (under ``floor`` of it) is never quoted to make room. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def support(words: np.ndarray | None, meaning: np.ndarray | None) -> np.ndarray | None:
    """Sentences x criteria support in [0, 1]: the mean of the word and meaning matches, each
    scaled by the criterion's best sentence (either alone when the other is missing)."""
    parts: list[np.ndarray] = [
        m / np.maximum(m.max(axis=0, keepdims=True), 1e-12)
        for m in (words, meaning)
        if m is not None and m.size
    ]
    parts = [np.maximum(p, 0.0) for p in parts]
    if not parts:
        return None
    if len(parts) == 2 and parts[0].shape != parts[1].shape:
        return parts[0]
    mean: np.ndarray = np.mean(np.stack(parts), axis=0)
    return mean


def quotes(
    order: Sequence[int],
    backing: np.ndarray,
    k: int,
    reuse: float = 0.5,
    floor: float = 0.6,
) -> dict[int, tuple[int, ...]]:
    """For each criterion in ``order`` (best first), the indices of up to ``k`` sentences to quote,
    in text order."""
    uses = np.zeros(backing.shape[0])
    chosen: dict[int, tuple[int, ...]] = {}
    for i in order:
        col = backing[:, i]
        peak = float(col.max()) if len(col) else 0.0
        if peak <= 0:
            chosen[i] = ()
            continue
        eligible = np.flatnonzero(col >= floor * peak)
        value = col[eligible] * reuse ** uses[eligible]
        pick = eligible[np.argsort(-value, kind="stable")[:k]]
        uses[pick] += 1
        chosen[i] = tuple(sorted(int(j) for j in pick))
    return chosen
