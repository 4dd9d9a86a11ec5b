"""Memory of past assessor decisions, queried by nearest past evidence.

Past decisions are grouped by evidence (kind, title, text). A new piece of evidence is compared
with every past one (cosine over stems, bigrams and concepts with inverse document frequency over
the past evidence); the result is a set of per-criterion signals the reranker turns into a warm
score (:func:`mappings.engine.features.warm_features`): the similarity-weighted vote of the
nearest neighbours, the best similarity to evidence accepted for the criterion, how many of the
nearest neighbours were accepted or referred for it, and how much of the neighbours' accepted
labels fall in the criterion's standard.

Adding examples only updates counts; the matrix is rebuilt lazily, and nothing depends on the order
examples were added in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mappings.engine.analyse import NO_CONCEPTS, ConceptTagger, terms

EvidenceKey = tuple[str, str, str]  # (kind, title, text)


@dataclass(frozen=True)
class Neighbours:
    """What the memory says about one new piece of evidence, per criterion (arrays of length n)."""

    vote: np.ndarray  # similarity-weighted net vote of the k nearest, in [-1, 1]
    max_accepted: np.ndarray  # best similarity to any past evidence accepted for the criterion
    near_accepted: np.ndarray  # share of the k nearest accepted for the criterion
    near_referred: np.ndarray  # share of the k nearest referred for the criterion
    std_share: np.ndarray  # share of the k nearest's accepted labels in the criterion's standard
    max_sim: float  # similarity of the nearest past evidence


class KnnMemory:
    def __init__(
        self, n_criteria: int, crit_std: np.ndarray, tagger: ConceptTagger = NO_CONCEPTS
    ) -> None:
        self.n = n_criteria
        self._tagger = tagger
        self._crit_std = crit_std
        self._votes: dict[EvidenceKey, dict[int, int]] = {}
        self._terms: dict[EvidenceKey, dict[str, float]] = {}
        self._cache: tuple[dict[str, int], np.ndarray, sp.csr_matrix, np.ndarray] | None = None

    def __bool__(self) -> bool:
        return bool(self._votes)

    def copy(self) -> KnnMemory:
        """A memory holding the same decisions, which later additions to either do not touch."""
        other = KnnMemory(self.n, self._crit_std, self._tagger)
        other._votes = {key: dict(v) for key, v in self._votes.items()}
        other._terms = dict(self._terms)  # analysed terms are never changed once made
        other._cache = self._cache
        return other

    def add(self, key: EvidenceKey, criterion: int, accepted: bool) -> None:
        votes = self._votes.setdefault(key, {})
        votes[criterion] = votes.get(criterion, 0) + (1 if accepted else -1)
        if key not in self._terms:
            self._terms[key] = terms(key[1] + "\n" + key[2], self._tagger)
        self._cache = None

    def _state(self) -> tuple[dict[str, int], np.ndarray, sp.csr_matrix, np.ndarray]:
        if self._cache is None:
            keys = sorted(self._votes)
            vocab: dict[str, int] = {}
            rows: list[int] = []
            cols: list[int] = []
            vals: list[float] = []
            for i, key in enumerate(keys):
                for t, w in self._terms[key].items():
                    rows.append(i)
                    cols.append(vocab.setdefault(t, len(vocab)))
                    vals.append(w)
            m = sp.csr_matrix((vals, (rows, cols)), shape=(len(keys), len(vocab)))
            df = np.asarray((m > 0).sum(axis=0)).ravel()
            idf = np.log(1.0 + len(keys) / np.maximum(df, 1.0))
            m = m.multiply(idf[np.newaxis, :]).tocsr()
            norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
            m = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m).tocsr()
            votes = np.zeros((len(keys), self.n))
            for i, key in enumerate(keys):
                for c, v in self._votes[key].items():
                    votes[i, c] = float(np.sign(v))
            self._cache = (vocab, idf, m, votes)
        return self._cache

    def query(self, title: str, text: str, k: int = 5, power: float = 2.0) -> Neighbours | None:
        """Signals from the ``k`` nearest past evidence; None when nothing is similar."""
        if not self._votes:
            return None
        vocab, idf, m, votes = self._state()
        q = np.zeros(len(vocab))
        for t, w in terms(title + "\n" + text, self._tagger).items():
            j = vocab.get(t)
            if j is not None:
                q[j] = w * idf[j]
        qn = np.linalg.norm(q)
        if qn == 0:
            return None
        sims = np.asarray(m @ (q / qn)).ravel()
        order = np.lexsort((np.arange(len(sims)), -sims))[:k]
        order = order[sims[order] > 0]
        if len(order) == 0:
            return None
        wt = np.asarray(sims[order], dtype=float) ** power
        near = votes[order]
        vote = np.clip((wt @ near) / float(wt.sum()), -1.0, 1.0)
        accepted = votes > 0
        max_acc = np.where(accepted, sims[:, None], 0.0).max(axis=0)
        near_acc = (near > 0).sum(axis=0) / len(order)
        near_ref = (near < 0).sum(axis=0) / len(order)
        per_std = np.zeros(int(self._crit_std.max()) + 1 if self.n else 1)
        np.add.at(per_std, self._crit_std, (near > 0).T @ wt)
        share = per_std[self._crit_std] / max(float(per_std.sum()), 1e-12)
        return Neighbours(vote, max_acc, near_acc, near_ref, share, float(sims[order[0]]))
