"""Criterion profiles learnt from past assessor decisions (Rocchio-style relevance feedback).

Every accepted piece of evidence adds its terms to the profile of each criterion it was accepted
for: the sentences that speak to that criterion count fully, the rest of the text a little, so a
criterion learns the everyday words practitioners use for it ("out of my depth" for the limits of
own competence). Referred evidence subtracts. A new text is compared with every profile (cosine
over the same terms, with inverse document frequency over the examples), as a whole and by its
best sentences.

Pure and deterministic: the profiles depend only on the set of examples, not on their order, and
are rebuilt lazily after examples are added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

EvidenceKey = tuple[str, str, str]  # (kind, title, text)
# An analysed piece of evidence: its sentences as term dicts and, per criterion, its best sentences.
Analysis = tuple[list[dict[str, float]], list[list[int]]]


@dataclass(frozen=True)
class WarmParams:
    beta: float = 1.0  # weight of accepted evidence
    gamma: float = 0.5  # weight of referred evidence
    salient_weight: float = 1.0  # sentences that matched the criterion
    context_weight: float = 0.35  # the whole text of the evidence
    sentence_weight: float = 0.5  # best query sentence vs whole query, in the score
    min_df_share: float = 0.6  # terms in more than this share of examples carry no signal


class WarmProfiles:
    """Per-criterion term profiles built from example evidence."""

    def __init__(self, n_criteria: int, params: WarmParams | None = None) -> None:
        self.n = n_criteria
        self.params = params or WarmParams()
        self._votes: dict[EvidenceKey, dict[int, int]] = {}
        self._analysis: dict[EvidenceKey, Analysis] = {}
        self._cache: tuple[dict[str, int], np.ndarray, sp.csr_matrix, np.ndarray] | None = None

    def __bool__(self) -> bool:
        return bool(self._votes)

    def copy(self) -> WarmProfiles:
        """Profiles of the same decisions, which later additions to either do not touch."""
        other = WarmProfiles(self.n, self.params)
        other._votes = {key: dict(v) for key, v in self._votes.items()}
        other._analysis = dict(self._analysis)
        other._cache = self._cache
        return other

    def add(
        self, key: EvidenceKey, criterion: int, accepted: bool, analyse: Callable[[], Analysis]
    ) -> None:
        """Count one decision; ``analyse`` is called once per distinct piece of evidence."""
        if key not in self._analysis:
            self._analysis[key] = analyse()
        votes = self._votes.setdefault(key, {})
        votes[criterion] = votes.get(criterion, 0) + (1 if accepted else -1)
        self._cache = None

    def prepare(self) -> None:
        """Build the profiles now rather than on the next query."""
        if self._votes:
            self._state()

    def _state(self) -> tuple[dict[str, int], np.ndarray, sp.csr_matrix, np.ndarray]:
        if self._cache is not None:
            return self._cache
        p = self.params
        keys = sorted(self._votes)
        per_key: list[tuple[dict[str, float], dict[int, dict[str, float]]]] = []
        df: dict[str, int] = {}
        for key in keys:
            crits = sorted(c for c, v in self._votes[key].items() if v != 0)
            sents, best = self._analysis[key]
            whole: dict[str, float] = {}
            for s in sents:
                whole.update(s)
            for t in whole:
                df[t] = df.get(t, 0) + 1
            parts: dict[int, dict[str, float]] = {}
            for c in crits:
                sal: dict[str, float] = {}
                for j in best[c]:
                    sal.update(sents[j])
                parts[c] = sal
            per_key.append((whole, parts))
        n_docs = max(len(keys), 1)
        max_df = max(2, int(p.min_df_share * n_docs))
        vocab = {t: i for i, t in enumerate(sorted(t for t, d in df.items() if d <= max_df))}
        idf = np.array([np.log(1.0 + n_docs / df[t]) for t in sorted(vocab, key=vocab.__getitem__)])
        idf = idf if len(idf) else np.zeros(0)

        def vec(tw: dict[str, float]) -> np.ndarray:
            v = np.zeros(len(vocab))
            for t, w in tw.items():
                j = vocab.get(t)
                if j is not None:
                    v[j] = w * idf[j]
            nv = np.linalg.norm(v)
            return v / nv if nv > 0 else v

        prof = np.zeros((self.n, len(vocab)))
        pos_count = np.zeros(self.n)
        neg = np.zeros((self.n, len(vocab)))
        neg_count = np.zeros(self.n)
        for key, (whole, parts) in zip(keys, per_key, strict=True):
            wv = vec(whole)
            for c, sal in parts.items():
                v = p.context_weight * wv + p.salient_weight * vec(sal)
                if self._votes[key][c] > 0:
                    prof[c] += v
                    pos_count[c] += 1
                else:
                    neg[c] += v
                    neg_count[c] += 1
        prof = p.beta * prof / np.maximum(pos_count, 1)[:, None]
        prof -= p.gamma * neg / np.maximum(neg_count, 1)[:, None]
        prof = np.maximum(prof, 0.0)
        norms = np.linalg.norm(prof, axis=1)
        prof = prof / np.maximum(norms, 1e-12)[:, None]
        self._cache = (vocab, idf, sp.csr_matrix(prof), pos_count)
        return self._cache

    def scores(self, sentences: Sequence[dict[str, float]]) -> np.ndarray:
        """Similarity in [0, 1] of a text (given as sentence term dicts) to every profile."""
        if not self._votes or not sentences:
            return np.zeros(self.n)
        vocab, idf, prof, _count = self._state()
        if not vocab:
            return np.zeros(self.n)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, s in enumerate(sentences):
            for t, w in s.items():
                j = vocab.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(w * idf[j])
        smat = sp.csr_matrix((vals, (rows, cols)), shape=(len(sentences), len(vocab)))
        whole = np.asarray(smat.max(axis=0).todense()).ravel()
        wn = np.linalg.norm(whole)
        if wn == 0:
            return np.zeros(self.n)
        doc_score = np.asarray(prof @ (whole / wn)).ravel()
        sn = np.sqrt(np.asarray(smat.multiply(smat).sum(axis=1)).ravel())
        smat = sp.diags(1.0 / np.maximum(sn, 1e-12)) @ smat
        sent = np.asarray((smat @ prof.T).todense())
        top = np.sort(sent, axis=0)[::-1][:2].mean(axis=0) if sent.size else np.zeros(self.n)
        w = self.params.sentence_weight
        return np.clip((1 - w) * doc_score + w * top, 0.0, 1.0)
