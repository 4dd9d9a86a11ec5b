"""Meaning, not only words: sentence embeddings as features of each (evidence, criterion) pair.

Every criterion's text is embedded once per framework version (:mod:`mappings.engine.embed`,
all-MiniLM-L6-v2); the evidence is embedded sentence by sentence, its title apart. The cosine of
each sentence with each criterion gives a sentences x criteria matrix, and from it features that
travel between frameworks: not raw similarities alone (their scale differs from one suite to
another) but each criterion's similarity relative to the item's best, its rank, its standing
against the item's other criteria (a z-score), and how much of each sentence's meaning goes to it.

Pure: vectors in, arrays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from mappings.engine.index import ranks

SEMANTIC_FEATURES: tuple[str, ...] = (
    "emb_max",  # best sentence similarity to the criterion
    "emb_top2",  # mean of the two best
    "emb_rel",  # emb_top2 / the item's best emb_top2
    "emb_z",  # emb_top2 standardised over the item's criteria
    "emb_rank_recip",  # 1 / (1 + rank of emb_top2 in the item)
    "emb_top10",  # among the ten best by emb_top2
    "emb_win",  # best over sentences of similarity / that sentence's best similarity
    "emb_doc",  # whole evidence (mean of its sentences) vs the criterion
    "emb_title",  # evidence title vs the criterion
    "emb_std_share",  # share of the item's top-20 similarity mass in the criterion's standard
    "emb_item_max",  # the item's best similarity to any criterion: is it about the field at all
    "emb_x_hand",  # emb_rel x the word score's relative value: both agree
    # the same pass's token states pooled with the word pieces' IDF over the framework's criteria
    # (a view leaning on the words that tell its criteria apart): best sentence, two best, their
    # value relative to the item's best, standardised over the item's criteria
    "emb_idf_max",
    "emb_idf_top2",
    "emb_idf_rel",
    "emb_idf_z",
)


class Encodes(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


@runtime_checkable
class Weighs(Encodes, Protocol):
    """An encoder that also pools with word-piece weights (:class:`mappings.engine.embed.Encoder`)."""

    def encode_weighted(
        self, texts: list[str], weights: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def piece_weights(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class CriterionMeaning:
    """A framework's criteria in meaning: computed once per framework version."""

    vectors: np.ndarray  # criteria x dimension: the model's sentence vectors (mean pooling)
    pooled: np.ndarray | None = None  # the same pass pooled with ``weights`` (None: not given)
    weights: np.ndarray | None = None  # each word piece's IDF over the criteria


class _Criterion(Protocol):
    @property
    def text(self) -> str: ...


def criterion_embeddings(encoder: Encodes, criteria: Sequence[_Criterion]) -> CriterionMeaning:
    """The criteria's vectors, and their IDF-pooled view when the encoder can weigh: computed once
    per framework version."""
    texts = [c.text for c in criteria]
    if not isinstance(encoder, Weighs):
        return CriterionMeaning(np.asarray(encoder.encode(texts)))
    weights = encoder.piece_weights(texts)
    vectors, pooled = encoder.encode_weighted(texts, weights)
    return CriterionMeaning(np.asarray(vectors), np.asarray(pooled), weights)


@dataclass(frozen=True)
class SemanticParts:
    """What the embeddings say of one piece of evidence."""

    sims: np.ndarray  # sentences x criteria cosine (one zero row for no sentences)
    title: np.ndarray  # title vs each criterion (zeros without a title)
    doc: np.ndarray  # mean of the sentence vectors vs each criterion
    vectors: np.ndarray  # the sentence vectors (sentences x dimension)
    idf_sims: np.ndarray | None = None  # sims of the IDF-pooled view (None: as ``sims``)


def semantic_parts(
    encoder: Encodes, meaning: CriterionMeaning, sentences: list[str], title: str
) -> SemanticParts:
    """Embed the title and sentences of one piece of evidence against the criterion vectors."""
    criteria = meaning.vectors
    n = criteria.shape[0]
    texts = [title.strip(), *sentences]
    if not any(t.strip() for t in texts):
        z = np.zeros(n, dtype=np.float32)
        return SemanticParts(np.zeros((1, n), dtype=np.float32), z, z, np.zeros((0, 0)))
    idf_sims = None
    if meaning.pooled is not None and isinstance(encoder, Weighs):
        vectors, pooled = encoder.encode_weighted(texts, meaning.weights)
        if len(pooled) > 1:
            idf_sims = np.asarray(pooled[1:] @ meaning.pooled.T)
    else:
        vectors = encoder.encode(texts)
    title_sim = vectors[0] @ criteria.T
    sent = vectors[1:]
    sims = sent @ criteria.T if len(sent) else np.zeros((1, n), dtype=np.float32)
    mean = sent.mean(axis=0) if len(sent) else np.zeros(criteria.shape[1], dtype=np.float32)
    length = float(np.linalg.norm(mean))
    doc = (mean / length) @ criteria.T if length > 0 else np.zeros(n, dtype=np.float32)
    return SemanticParts(np.asarray(sims), np.asarray(title_sim), np.asarray(doc), sent, idf_sims)


def near(parts: SemanticParts | None, n: int, cosine: float) -> np.ndarray:
    """Which of ``n`` criteria some sentence of the evidence is at least ``cosine`` near in meaning
    (all False without embeddings): a sign the evidence speaks of that criterion, whatever words it
    uses."""
    if parts is None or not parts.sims.size:
        return np.zeros(n, dtype=bool)
    found: np.ndarray = parts.sims.max(axis=0) >= cosine
    return found


def semantic_columns(
    parts: SemanticParts, crit_std: np.ndarray, hand_rel: np.ndarray
) -> dict[str, np.ndarray]:
    """Every semantic feature by name (arrays of length n criteria)."""
    sims = np.maximum(parts.sims.astype(float), 0.0)
    n = sims.shape[1]
    best, top2, rel, z = best_two(sims)
    rank = ranks(top2)
    s_peak = sims.max(axis=1, keepdims=True)
    win = (sims / np.maximum(s_peak, 1e-9)).max(axis=0)
    top20 = np.zeros(n, dtype=bool)
    top20[np.argsort(-top2, kind="stable")[:20]] = True
    n_std = int(crit_std.max()) + 1 if n else 1
    mass = np.bincount(crit_std[top20], weights=top2[top20], minlength=n_std)
    share = (mass / max(float(mass.sum()), 1e-12))[crit_std]
    idf = np.maximum(parts.idf_sims.astype(float), 0.0) if parts.idf_sims is not None else sims
    idf_best, idf_top2, idf_rel, idf_z = best_two(idf)
    return {
        "emb_max": best,
        "emb_top2": top2,
        "emb_rel": rel,
        "emb_z": z,
        "emb_rank_recip": 1.0 / (1.0 + rank),
        "emb_top10": (rank < 10).astype(float),
        "emb_win": win,
        "emb_doc": np.maximum(parts.doc.astype(float), 0.0),
        "emb_title": np.maximum(parts.title.astype(float), 0.0),
        "emb_std_share": share,
        "emb_item_max": np.full(n, float(best.max()) if n else 0.0),
        "emb_x_hand": rel * hand_rel,
        "emb_idf_max": idf_best,
        "emb_idf_top2": idf_top2,
        "emb_idf_rel": idf_rel,
        "emb_idf_z": idf_z,
    }


def best_two(
    sims: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of a sentences x criteria matrix (clipped at 0): each criterion's best sentence, the mean of
    its two best, that relative to the item's best criterion, and standardised over the item's
    criteria."""
    ordered = np.sort(sims, axis=0)[::-1]
    top2 = ordered[:2].mean(axis=0)
    rel = top2 / max(float(top2.max()), 1e-9)
    z = (top2 - float(top2.mean())) / (float(top2.std()) or 1.0)
    return ordered[0], top2, rel, z


SEMANTIC_WARM: tuple[str, ...] = (
    "sem_accepted",  # best similarity of a sentence to one accepted for the criterion before
    "sem_accepted_rel",  # ... less the item's best such similarity for any criterion, + 1
    "sem_referred",  # best similarity of a sentence to one referred for the criterion before
    "sem_knn_vote",  # similarity-weighted vote of the nearest past evidence, by meaning
)


# How close (cosine) a sentence accepted before must be to be shown as a reason.
LEARNED_SIMILARITY = 0.6


@dataclass(frozen=True)
class Recalled:
    """What past decisions say of one new piece of evidence, by meaning (arrays of length n)."""

    accepted: np.ndarray
    referred: np.ndarray
    vote: np.ndarray
    # per criterion, (past sentence, this evidence's sentence index, its similarity) of the best
    # accepted match, for the explanation; None where nothing was accepted
    reasons: list[tuple[str, int, float] | None]

    def reason(self, i: int) -> str:
        """The sentence accepted before for criterion ``i`` that reads like one of this evidence's
        (cosine at least :data:`LEARNED_SIMILARITY`), or ``""``."""
        found = self.reasons[i]
        return found[0] if found is not None and found[2] >= LEARNED_SIMILARITY else ""

    def columns(self) -> np.ndarray:
        acc = self.accepted
        rel = acc - (float(acc.max()) if len(acc) else 0.0) + 1.0
        return np.column_stack([acc, np.where(acc > 0, rel, 0.0), self.referred, self.vote])


# supporting sentences' vectors, their criterion, +1 accepted / -1 referred, their text; each
# past evidence's whole vector and its labels (evidence x criteria, +1 / -1 / 0)
_Remembered = tuple[np.ndarray, np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]


class SemanticMemory:
    """Past decisions remembered by meaning: for each decided claim, the sentences of its evidence
    that say most about the criterion (by embedding), and the evidence as a whole.

    Copy-on-write: :meth:`copy` shares the stored vectors (never changed once stored)."""

    SUPPORT = 2  # sentences of a piece of evidence kept for each criterion decided on it

    def __init__(self, n_criteria: int, criteria: np.ndarray) -> None:
        self.n = n_criteria
        self._criteria = criteria
        # evidence key -> (sentences, sentence vectors, whole vector)
        self._evidence: dict[tuple[str, str, str], tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._votes: dict[tuple[str, str, str], dict[int, int]] = {}
        self._state: _Remembered | None = None

    def __bool__(self) -> bool:
        return bool(self._votes)

    def copy(self) -> SemanticMemory:
        other = SemanticMemory(self.n, self._criteria)
        other._evidence = dict(self._evidence)
        other._votes = {k: dict(v) for k, v in self._votes.items()}
        other._state = self._state
        return other

    def knows(self, key: tuple[str, str, str]) -> bool:
        return key in self._evidence

    def remember(
        self, key: tuple[str, str, str], sentences: list[str], vectors: np.ndarray
    ) -> None:
        """Store the sentence vectors of a piece of evidence (once per distinct evidence)."""
        mean = vectors.mean(axis=0) if len(vectors) else np.zeros(self._criteria.shape[1])
        length = float(np.linalg.norm(mean))
        self._evidence[key] = (sentences, vectors, mean / length if length > 0 else mean)

    def add(self, key: tuple[str, str, str], criterion: int, accepted: bool) -> None:
        votes = self._votes.setdefault(key, {})
        votes[criterion] = votes.get(criterion, 0) + (1 if accepted else -1)
        self._state = None

    def _build(self) -> _Remembered:
        if self._state is None:
            sup_vecs: list[np.ndarray] = []
            sup_crit: list[int] = []
            sup_sign: list[int] = []
            sup_text: list[str] = []
            keys = sorted(self._votes)
            whole = np.zeros((len(keys), self._criteria.shape[1]), dtype=np.float32)
            labels = np.zeros((len(keys), self.n))
            for i, key in enumerate(keys):
                sentences, vectors, mean = self._evidence[key]
                whole[i] = mean
                for c, v in sorted(self._votes[key].items()):
                    if v == 0:
                        continue
                    labels[i, c] = float(np.sign(v))
                    if not len(vectors):
                        continue
                    sims = vectors @ self._criteria[c]
                    for j in np.argsort(-sims, kind="stable")[: self.SUPPORT]:
                        sup_vecs.append(vectors[j])
                        sup_crit.append(c)
                        sup_sign.append(1 if v > 0 else -1)
                        sup_text.append(sentences[j])
            dim = self._criteria.shape[1]
            self._state = (
                np.array(sup_vecs, dtype=np.float32).reshape(-1, dim),
                np.array(sup_crit, dtype=int),
                np.array(sup_sign, dtype=int),
                sup_text,
                whole,
                labels,
            )
        return self._state

    def recall(self, vectors: np.ndarray, k: int = 5) -> Recalled | None:
        """What past decisions say of evidence with these sentence vectors (None: no decisions)."""
        if not self._votes or not len(vectors):
            return None
        sup, crit, sign, text, whole, labels = self._build()
        accepted = np.zeros(self.n)
        referred = np.zeros(self.n)
        reasons: list[tuple[str, int, float] | None] = [None] * self.n
        if len(sup):
            sims = vectors @ sup.T  # this evidence's sentences x remembered sentences
            best_here = sims.argmax(axis=0)
            best = np.maximum(sims.max(axis=0), 0.0)
            for s in np.argsort(-best, kind="stable"):
                c = int(crit[s])
                if sign[s] > 0:
                    if best[s] > accepted[c]:
                        accepted[c] = best[s]
                        reasons[c] = (text[s], int(best_here[s]), float(best[s]))
                else:
                    referred[c] = max(referred[c], float(best[s]))
        mean = vectors.mean(axis=0)
        length = float(np.linalg.norm(mean))
        near = whole @ (mean / length) if length > 0 else np.zeros(len(whole))
        order = np.argsort(-near, kind="stable")[:k]
        order = order[near[order] > 0]
        vote = np.zeros(self.n)
        if len(order):
            wt = near[order] ** 4
            vote = np.clip((wt @ labels[order]) / float(wt.sum()), -1.0, 1.0)
        return Recalled(accepted, referred, vote, reasons)
