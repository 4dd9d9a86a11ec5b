"""The hand-built cold scorer: lexical, concept and standard-coherence evidence for each criterion.

:class:`ColdScorer` is mixed into :class:`mappings.engine.suggest.SuggestionEngine`; it scores one piece
of evidence against the criteria index and returns the pieces (:class:`ColdParts`) that the hand
score is made of and the learned reranker's features are computed from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from mappings.engine.analyse import ConceptTagger, domain_markers, is_key_term, terms
from mappings.engine.features import ColdParts
from mappings.engine.model import RerankModel
from mappings.engine.text import content_stems, section_roles, sentence_spans
from mappings.engine.vocabulary import Vocabulary
from mappings.engine.warm import WarmParams


@dataclass(frozen=True)
class Params:
    """Tunable weights of the engine (defaults chosen on half of the dev set)."""

    concept_weight: float = 1.5
    title_weight: float = 0.8
    glossary_weight: float = 0.15
    sentence_len_power: float = 0.5
    top_sentence_weights: tuple[float, ...] = (1.0, 0.8, 0.6, 0.4)
    doc_weight: float = 0.8
    title_row_weight: float = 0.5
    cue_weight: float = 0.25
    coherence: float = 0.8
    # multiplier of (performance, knowledge) criteria by evidence kind
    kind_prior: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "reflective_account": (1.0, 0.85),
            "star_narrative": (1.0, 0.75),
            "review_note": (1.0, 0.6),
            "witness_testimony": (1.0, 0.55),
            "observation_record": (1.0, 0.6),
            "professional_discussion": (0.6, 1.0),
            "product": (1.0, 0.7),
            "other": (1.0, 0.85),
        }
    )
    calib_scale: float = 1.0
    strong_abs: float = 0.7
    strong_rel: float = 0.6
    max_strong: int = 9
    domain_min_markers: int = 3
    knn_k: int = 5
    knn_power: float = 2.0
    knn_weight: float = 0.2
    knn_sim_full: float = 0.5
    because_max: int = 3
    warm_weight: float = 0.0  # Rocchio profiles re-rank (multiplicative) ...
    warm_add: float = 0.0  # ... and add, as a share of the best cold score (off: no gain measured)
    coverage_weight: float = 1.5  # share of a criterion's own concepts found in the evidence
    warm: WarmParams = field(default_factory=WarmParams)
    strong_min_markers: int = 1  # text with no marker of the field: strong only for criteria ...
    strong_min_cosine: float = 0.45  # ... a sentence is this near in meaning (MiniLM cosine)
    reranker: bool = True  # learned reranker (False: the hand-tuned score above)
    model: RerankModel | None = field(default=None, compare=False)  # None: the shipped weights


_DOING = re.compile(
    r"\b(i|she|he|we|they|candidate|the candidate)\s+(\w+ly\s+)?(\w+ed|went|met|made|took|gave|"
    r"set|put|rang|spoke|sat|wrote|did|got|found|brought|told|ran|drew|chose|built|kept|"
    r"showed|began|began|led|held|sent|paid|bought)\b",
    re.I,
)
_KNOWING = re.compile(
    r"\b(because|why|so that|important|matters?|means|understand|know|knowing|learn(t|ed)?|"
    r"the law|legislation|duty|should|need to|needs to|helps?|works? better|in my experience|"
    r"it's|it is|they are|can|usually|often|explained)\b",
    re.I,
)


def sentence_cues(sentences: Sequence[str], roles: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence, a cue of doing and of understanding (0..1), in its words or in the section it
    sits in: the Action and Result of a STAR narrative show doing, the analysis or "so what?" of a
    reflective model understanding. One zero row for no sentences."""
    doing = np.array(
        [
            1.0 if r == "doing" or _DOING.search(s) else 0.0
            for s, r in zip(sentences, roles, strict=True)
        ]
        or [0.0]
    )
    knowing = np.array(
        [
            1.0 if r == "understanding" else min(len(_KNOWING.findall(s)), 2) / 2
            for s, r in zip(sentences, roles, strict=True)
        ]
        or [0.0]
    )
    return doing, knowing


@dataclass(frozen=True)
class _SentenceMatch:
    """Sentence-level match of one piece of evidence (arrays of length n criteria)."""

    raw: np.ndarray  # weighted sum of each criterion's best sentence scores
    best: list[list[int]]  # best sentence indices per criterion
    top3: np.ndarray  # (3, n) best sentence scores, descending, zero padded
    doing: np.ndarray  # mean cue of doing of each criterion's three best sentences
    knowing: np.ndarray  # ... and of understanding
    sent_win: np.ndarray  # best over sentences of the score / that sentence's best score
    scores: np.ndarray  # sentences x criteria


class ColdScorer:
    """Cold scoring over the engine's criteria index (criteria x terms, rows L2-normalised)."""

    params: Params
    _matrix: sp.csr_matrix
    _matrix_t: sp.csr_matrix
    _vocab: dict[str, int]
    _idf: np.ndarray
    _is_knowledge: np.ndarray
    _std_index: dict[str, int]
    _crit_std: np.ndarray
    _coverage: sp.csr_matrix
    _own_concepts: sp.csr_matrix
    _concept_cols: np.ndarray
    _std_titles: sp.csr_matrix
    _std_centroids: sp.csr_matrix
    _gloss_terms: list[str]
    _gloss_use: sp.csr_matrix | None
    _n: int
    _values_vec: np.ndarray  # the framework's values, normalised (zeros without)
    _tagger: ConceptTagger  # the framework's vocabulary's concepts (none without one)
    _vocabulary: Vocabulary

    def _vector(self, tw: dict[str, float]) -> tuple[list[int], list[float]]:
        cols, vals = [], []
        for t, w in tw.items():
            j = self._vocab.get(t)
            if j is not None:
                cols.append(j)
                vals.append(w * self._idf[j])
        return cols, vals

    def cold_raw(self, *, kind: str, title: str, text: str) -> tuple[np.ndarray, list[list[int]]]:
        """Raw cold scores per criterion and, per criterion, its best sentence indices."""
        parts = self.cold_parts(kind=kind, title=title, text=text)
        return parts.raw, parts.best

    def _sim(self, tw: dict[str, float], mask: np.ndarray | None = None) -> np.ndarray:
        cols, vals = self._vector(tw)
        v = np.zeros(len(self._vocab))
        v[cols] = vals
        if mask is not None:
            v = v * mask
        nv = np.linalg.norm(v)
        if nv == 0:
            return np.zeros(self._n)
        return np.asarray(self._matrix @ (v / nv)).ravel()

    def cold_parts(self, *, kind: str, title: str, text: str) -> ColdParts:
        """The hand scorer's score and the pieces the reranker's features are made of."""
        p = self.params
        n = self._n
        spans = sentence_spans(text)
        sentences = [text[a:b] for a, b in spans]
        smat, doc_terms, counts = self._sentence_rows(sentences)
        tt = terms(title, self._tagger)
        all_terms = dict(doc_terms)
        for t, tw_ in tt.items():
            all_terms[t] = max(all_terms.get(t, 0.0), tw_)
        markers = self._markers(all_terms, title + "\n" + text)
        if not sentences and not title.strip():
            return ColdParts.empty(n, len(self._std_index), markers)
        match = self._best_sentences(*self._sentence_scores(smat, text, spans, sentences))
        # whole-document match, title included
        doc_sim = self._sim(all_terms)
        raw = match.raw + p.doc_weight * doc_sim
        title_rows = self._title_rows(tt)
        if title_rows is not None:
            raw = raw + p.title_row_weight * title_rows
        # coverage of the criterion's own concepts
        present = self._over_concepts(dict.fromkeys(all_terms, 1.0))
        coverage = np.asarray(self._coverage @ present).ravel()
        if p.coverage_weight and doc_terms:
            raw = raw + p.coverage_weight * coverage
        raw, prior = self._shape(raw, kind, markers)
        whole = self._sim_vec(all_terms)
        std_sim = np.asarray(self._std_titles @ np.maximum(whole, 0)).ravel()
        return ColdParts(
            raw=raw,
            best=match.best,
            top_sent=match.top3,
            doing=match.doing,
            knowing=match.knowing,
            doc_sim=doc_sim,
            doc_stem_sim=self._sim(all_terms, ~self._concept_cols),
            doc_concept_sim=self._sim(all_terms, self._concept_cols.astype(float)),
            title_sim=self._sim(tt),
            std_title_sim=std_sim[self._crit_std] if len(std_sim) else np.zeros(n),
            coverage=coverage,
            concepts_found=np.asarray(self._own_concepts @ present).ravel(),
            gloss_hit=self._gloss_hits(title, text),
            std_centroid_sim=np.asarray(self._std_centroids @ whole).ravel(),
            prior=prior,
            markers=markers,
            n_sentences=len(sentences),
            present=present,
            concept_tf=self._over_concepts({t: math.log1p(c) for t, c in counts.items()}),
            cross_twin=self._cross_twin(raw),
            sent_win=match.sent_win,
            title_present=self._over_concepts(dict.fromkeys(tt, 1.0)),
            values_sim=float(whole @ self._values_vec),
            sent_scores=match.scores,
        )

    def _markers(self, text_terms: dict[str, float], text: str) -> int:
        """How much a text is about the framework's field at all: the distinct word pairs of the
        criteria's own wording it uses ("job seeker", "risk assessment"), plus the markers of the
        field its vocabulary lists, if any."""
        found = sum(1 for t in text_terms if "_" in t and t in self._vocab)
        if self._vocabulary.domain:
            found += domain_markers(text, self._vocabulary.domain_tagger)
        return found

    def _sentence_rows(
        self, sentences: Sequence[str]
    ) -> tuple[sp.csr_matrix, dict[str, float], dict[str, int]]:
        """Sentences x vocabulary (IDF-weighted, damped by length), the terms of the whole text
        and, per term, the number of sentences it occurs in."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        doc_terms: dict[str, float] = {}
        counts: dict[str, int] = {}
        for i, sentence in enumerate(sentences):
            tw = terms(sentence, self._tagger)
            doc_terms.update(tw)
            for t in tw:
                counts[t] = counts.get(t, 0) + 1
            sc, sv = self._vector(tw)
            norm = math.sqrt(sum(x * x for x in sv)) if sv else 1.0
            scale = 1.0 / (norm**self.params.sentence_len_power) if sv else 0.0
            rows.extend([i] * len(sc))
            cols.extend(sc)
            vals.extend(x * scale for x in sv)
        shape = (max(len(sentences), 1), len(self._vocab))
        return sp.csr_matrix((vals, (rows, cols)), shape=shape), doc_terms, counts

    def _sentence_scores(
        self, smat: sp.csr_matrix, text: str, spans: list[tuple[int, int]], sentences: list[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sentences x criteria match, raised by the sentence's cue of doing (performance
        criteria) or of understanding (knowledge criteria); and those cues."""
        if sentences:
            sent_scores = np.asarray((smat @ self._matrix_t).todense())
        else:
            sent_scores = np.zeros((1, self._n))
        doing, knowing = sentence_cues(sentences, section_roles(text, spans))
        cue_p = 1.0 + self.params.cue_weight * doing[:, None]
        cue_k = 1.0 + self.params.cue_weight * knowing[:, None]
        sent_scores = np.where(
            self._is_knowledge[None, :], sent_scores * cue_k, sent_scores * cue_p
        )
        return sent_scores, doing, knowing

    def _best_sentences(
        self, sent_scores: np.ndarray, doing: np.ndarray, knowing: np.ndarray
    ) -> _SentenceMatch:
        """Each criterion's weighted best few sentences, and what they say of it."""
        n = self._n
        weights = self.params.top_sentence_weights
        # how each criterion fares within each sentence, against the other criteria
        s_peak = sent_scores.max(axis=1, keepdims=True)
        sent_win = (sent_scores / np.maximum(s_peak, 1e-12)).max(axis=0)
        k = min(len(weights), sent_scores.shape[0])
        order = np.argsort(-sent_scores, axis=0, kind="stable")[:k]
        top = np.take_along_axis(sent_scores, order, axis=0)
        raw = (top * np.array(weights[:k])[:, None]).sum(axis=0)
        top3 = np.zeros((3, n))
        top3[: min(3, k)] = top[:3]
        k3 = order[:3]
        best = [[int(i) for i in order[:, j] if sent_scores[i, j] > 0] for j in range(n)]
        return _SentenceMatch(
            raw, best, top3, doing[k3].mean(axis=0), knowing[k3].mean(axis=0), sent_win, sent_scores
        )

    def _title_rows(self, title_terms: dict[str, float]) -> np.ndarray | None:
        """The evidence title against every criterion, damped by its length (None: no match)."""
        tc, tvals = self._vector(title_terms)
        if not tvals:
            return None
        tv = np.zeros(len(self._vocab))
        tv[tc] = tvals
        tv /= np.linalg.norm(tv) ** self.params.sentence_len_power
        return np.asarray(self._matrix @ tv).ravel()

    def _over_concepts(self, values: dict[str, float]) -> np.ndarray:
        """A vector over the vocabulary holding ``values`` of the concept terms, zero elsewhere."""
        v = np.zeros(len(self._vocab))
        for t, x in values.items():
            j = self._vocab.get(t)
            if j is not None and is_key_term(t):
                v[j] = x
        return v

    def _shape(self, raw: np.ndarray, kind: str, markers: int) -> tuple[np.ndarray, np.ndarray]:
        """Raw scores shaped by the kind of evidence, coherence with its dominant standards and
        how much it is about the practice at all; and the kind prior applied."""
        p = self.params
        prior_p, prior_k = p.kind_prior.get(kind, p.kind_prior["other"])
        prior = np.where(self._is_knowledge, prior_k, prior_p)
        raw = raw * prior
        # coherence with the dominant standards
        if p.coherence and len(self._std_index) > 1:
            mass = np.zeros(len(self._std_index))
            for si in range(len(self._std_index)):
                mass[si] = np.sort(raw[self._crit_std == si])[::-1][:4].sum()
            if mass.max() > 0:
                rel = mass / mass.max()
                raw = raw * (1.0 + p.coherence * (rel[self._crit_std] - 1.0) * 0.5)
        # domain gate: evidence with few practice concepts is probably not about the practice
        raw = raw * min(1.0, (markers + 0.5) / (p.domain_min_markers + 0.5))
        return raw, prior

    def _gloss_hits(self, title: str, text: str) -> np.ndarray:
        """1 for each criterion using a glossary term that the evidence mentions."""
        gloss = np.zeros(self._n)
        if self._gloss_terms and self._gloss_use is not None:
            joined = " " + " ".join(content_stems(title + "\n" + text)) + " "
            present_g = np.array([g in joined for g in self._gloss_terms], dtype=float)
            gloss = (np.asarray(self._gloss_use @ present_g).ravel() > 0).astype(float)
        return gloss

    def _cross_twin(self, raw: np.ndarray, top: int = 30) -> np.ndarray:
        """Per criterion, the best relative score of a criterion of the same kind in ANOTHER
        standard times their similarity: the suites repeat a statement across standards."""
        n = self._n
        peak = float(raw.max()) if n else 0.0
        if n == 0 or peak <= 0:
            return np.zeros(n)
        lead = np.argsort(-raw, kind="stable")[:top]
        sims = np.asarray((self._matrix[lead] @ self._matrix_t).todense())
        other = self._crit_std[lead][:, None] != self._crit_std[None, :]
        same_kind = self._is_knowledge[lead][:, None] == self._is_knowledge[None, :]
        sims = np.where(other & same_kind, sims, 0.0) * (raw[lead] / peak)[:, None]
        return np.asarray(sims.max(axis=0)).ravel()

    def _sim_vec(self, tw: dict[str, float]) -> np.ndarray:
        cols, vals = self._vector(tw)
        v = np.zeros(len(self._vocab))
        v[cols] = vals
        nv = np.linalg.norm(v)
        return v / nv if nv > 0 else v
