"""Suggest which criteria a piece of evidence shows.

Pure: criteria and past assessor decisions come in as plain data, ranked suggestions go out.

Cold scoring. Criteria and evidence are analysed into stems, stem bigrams and the concepts of the
framework's vocabulary if it has one (:mod:`mappings.engine.vocabulary`). Each criterion is expanded with its standard's title and with the
glossary definitions of terms it mentions, weighted by inverse document frequency over the
criteria and normalised (:mod:`mappings.engine.index`). The evidence is split into sentences; a
criterion scores by its best few sentences (which become the ``because`` quotes) plus a
whole-text match. The score is then shaped
by the kind of evidence (a professional discussion shows knowledge, an observation shows
performance), by cues of doing ("I arranged") or of understanding ("because", "I know") in the
supporting sentences or in the section they sit in (:func:`mappings.engine.text.section_roles`: the
Action of a STAR narrative, the analysis of a reflection), and by coherence with the standards the
evidence mostly speaks to (each standard known by its title and overview). Criteria of identical
text share one score. A criterion also earns the share of its own key terms (word pairs, concepts) that the
evidence mentions (``coverage_weight``).

Learned reranking (default). The final score is not a hand-set mix: a logistic regression over
generic features of each (evidence, criterion) pair (:mod:`mappings.engine.features`: the hand
score above and its rank, similarities, concept coverage, kind priors, standard coherence,
domain-ness, how near both the criterion and the evidence are to the framework's statement of
values; and, with an encoder, how near each sentence is in meaning to each criterion,
:mod:`mappings.engine.semantic`; no ids, no words) gives a probability (:mod:`mappings.engine.model`,
weights in :mod:`mappings.engine.weights`, trained on both dev suites by ``portfolio engine train``:
one model reading meaning, one words only). Strong means the probability reaches a threshold chosen
by cross-validation for F1; in text with no marker of the field (a word pair of the criteria or a
marker of the vocabulary) only a criterion some sentence is near in meaning (cosine >= 0.45) can be
strong. ``Params(reranker=False)`` restores the hand score below.

Warm scoring. Past decisions (:class:`Example`) are grouped by evidence; a new piece of evidence
finds its nearest past evidence (cosine over the same terms) and each neighbour votes for the
criteria an assessor accepted for it and against those referred (:mod:`mappings.engine.knn`). With
the reranker, these signals enter as sign-held warm offsets (accepted never lowers a criterion,
referred never raises it) learned in a warm cross-validation, the similarity-weighted vote with a
least weight so that a decision on near-identical evidence always counts. With an encoder, decisions
are also remembered by meaning (:class:`mappings.engine.semantic.SemanticMemory`: the sentences of
the evidence that say most about each decided criterion), which gives more warm features and the
``learned`` sentence a suggestion shows. With the hand score, the vote is
fused with the cold score, more strongly the closer the neighbours are. Adding examples only updates counts, so it is
instant, and the result does not depend on the order examples were added in. Optionally
(``warm_weight``/``warm_add``, off by default: no gain measured on held-out halves) accepted
evidence also builds Rocchio profiles per criterion (:mod:`mappings.engine.warm`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.sparse as sp

from mappings.engine.analyse import is_key_term, terms
from mappings.engine.cold import ColdScorer, Params
from mappings.engine.embed import one_blas_thread
from mappings.engine.explain import quotes, support
from mappings.engine.features import ColdParts, CriterionStatics, cold_features, warm_features
from mappings.engine.index import (
    concept_matrices,
    distinctive,
    memberships,
    pooled_terms,
    positions,
    sibling_similarity,
    standard_centroids,
    tfidf_rows,
)
from mappings.engine.knn import KnnMemory, Neighbours
from mappings.engine.model import sigmoid
from mappings.engine.semantic import (
    CriterionMeaning,
    Encodes,
    Recalled,
    SemanticMemory,
    SemanticParts,
    criterion_embeddings,
    near,
    semantic_parts,
)
from mappings.engine.text import content_stems, sentence_spans
from mappings.engine.vocabulary import NO_VOCABULARY, Vocabulary
from mappings.engine.warm import Analysis, EvidenceKey, WarmProfiles
from mappings.engine.weights import shipped_model

# Names what the engine computes: stored suggestions carry it, and those made by another version
# are computed again. Change it whenever the ranking can change (code, features or weights).
ENGINE_VERSION = "2026.12.6"

EVIDENCE_KINDS = (
    "reflective_account",
    "star_narrative",
    "review_note",
    "witness_testimony",
    "observation_record",
    "professional_discussion",
    "product",
    "other",
)


@dataclass(frozen=True)
class CriterionDoc:
    standard: str
    code: str
    kind: str  # "performance" | "knowledge" | "assessment"
    text: str
    standard_title: str = ""
    standard_overview: str = ""  # what the standard is about, in a sentence or two


@dataclass(frozen=True)
class Example:
    """A past assessor decision: this evidence does (accepted) or does not show a criterion."""

    kind: str
    title: str
    text: str
    standard: str
    code: str
    accepted: bool


@dataclass(frozen=True)
class Suggestion:
    standard: str
    criterion: str
    score: float
    strong: bool
    because: tuple[str, ...]
    # a sentence your assessors accepted for this criterion before that reads like one of this
    # evidence's (empty when none is close enough): learning that shows
    learned: str = ""


def _learned(recalled: Recalled | None, i: int) -> str:
    return recalled.reason(i) if recalled is not None else ""


def _norm_text(text: str) -> str:
    return " ".join(content_stems(text))


class SuggestionEngine(ColdScorer):
    def __init__(
        self,
        criteria: Sequence[CriterionDoc],
        matrix: sp.csr_matrix,
        vocab: dict[str, int],
        idf: np.ndarray,
        groups: list[list[int]],
        params: Params,
        glossary_terms: Sequence[tuple[str, ...]] = (),
        glossary_use: sp.csr_matrix | None = None,
        own_concepts: Sequence[Sequence[str]] | None = None,
        values: Sequence[str] = (),
        vocabulary: Vocabulary = NO_VOCABULARY,
        encoder: Encodes | None = None,
        criterion_vectors: CriterionMeaning | None = None,
    ) -> None:
        self._encoder = encoder
        if encoder is not None and criterion_vectors is None:
            criterion_vectors = criterion_embeddings(encoder, criteria)
        self._meaning = criterion_vectors if encoder is not None else None
        self._vocabulary = vocabulary
        self._tagger = vocabulary.tagger
        self._criteria = list(criteria)
        n = self._n = len(self._criteria)
        self._matrix = matrix  # criteria x terms, rows L2-normalised
        self._matrix_t = matrix.T.tocsr()
        self._vocab = vocab
        self._idf = idf
        self._groups = groups  # indices of criteria with identical text
        self.params = params
        self._model = params.model
        self._is_knowledge = np.array([c.kind == "knowledge" for c in self._criteria])
        standards = sorted({c.standard for c in self._criteria})
        self._std_index = {s: i for i, s in enumerate(standards)}
        self._crit_std = np.array([self._std_index[c.standard] for c in self._criteria], dtype=int)
        self._crit_index = {(c.standard, c.code): i for i, c in enumerate(self._criteria)}
        self._memory = KnnMemory(n, self._crit_std, self._tagger)
        meaning = self._meaning
        self._recall = SemanticMemory(n, meaning.vectors) if meaning is not None else None
        self._warm = WarmProfiles(n, params.warm)
        self._concept_cols, self._own_concepts, self._coverage = concept_matrices(
            matrix, vocab, idf
        )
        self._std_titles = self._standard_titles()
        self._gloss_terms = [" " + " ".join(t) + " " for t in glossary_terms]
        self._gloss_use = glossary_use
        members = memberships(self._crit_std, len(standards))
        self._std_centroids = standard_centroids(matrix, members)
        if own_concepts is None:  # concepts of each criterion's own text (not title nor glossary)
            own_concepts = [
                [t for t in terms(c.text, self._tagger) if is_key_term(t)] for c in self._criteria
            ]
        # the framework's statement of values as one vector; criteria near it are the values
        # a practitioner shows in any piece of work, whatever standard it is mostly about
        self._values_vec = self._sim_vec(pooled_terms(values, self._tagger))
        self._statics = CriterionStatics(
            self._is_knowledge,
            self._crit_std,
            sibling_similarity(matrix, members),
            positions([(c.standard, c.kind) for c in self._criteria]),
            np.diff(matrix.indptr).astype(float) if n else np.zeros(0),
            distinctive(own_concepts, vocab, self._crit_std, members),
            np.asarray(matrix @ self._values_vec).ravel() if n else np.zeros(0),
        )

    @property
    def criteria(self) -> Sequence[CriterionDoc]:
        """The indexed criteria in index order: row ``i`` of every feature matrix is ``criteria[i]``."""
        return self._criteria

    def _standard_titles(self) -> sp.csr_matrix:
        """Standards x terms: each standard's title and overview, normalised, over the criteria
        vocabulary."""
        titles = {c.standard: f"{c.standard_title}\n{c.standard_overview}" for c in self._criteria}
        sr: list[int] = []
        sc: list[int] = []
        sv: list[float] = []
        for s, title in titles.items():
            cols, vals = self._vector(terms(title, self._tagger, bigrams=False))
            nv = math.sqrt(sum(v * v for v in vals)) or 1.0
            sr.extend([self._std_index[s]] * len(cols))
            sc.extend(cols)
            sv.extend(v / nv for v in vals)
        shape = (len(self._std_index), len(self._vocab))
        return sp.csr_matrix((sv, (sr, sc)), shape=shape)

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        criteria: Sequence[CriterionDoc],
        glossary: Sequence[tuple[str, str]] = (),
        params: Params | None = None,
        values: Sequence[str] = (),
        vocabulary: Vocabulary = NO_VOCABULARY,
        encoder: Encodes | None = None,
        criterion_vectors: CriterionMeaning | None = None,
    ) -> SuggestionEngine:
        """An engine over ``criteria``. With an ``encoder`` it also reads meaning
        (:mod:`mappings.engine.semantic`); ``criterion_vectors`` are the criteria's embeddings if
        already computed (:func:`criterion_embeddings`), cached per framework version."""
        p = params or Params()
        tagger = vocabulary.tagger
        gloss = [(tuple(content_stems(term)), definition) for term, definition in glossary]
        gloss = [(t, d) for t, d in gloss if t]
        gloss_terms = {t: terms(d, tagger, bigrams=False) for t, d in gloss}
        title_terms: dict[str, dict[str, float]] = {}
        docs: list[dict[str, float]] = []
        own_concepts: list[list[str]] = []
        hits: list[tuple[int, int]] = []  # (criterion, glossary entry it mentions)
        for c in criteria:
            own = terms(c.text, tagger)
            own_concepts.append([t for t in own if is_key_term(t)])
            doc = {t: (p.concept_weight * w if t.startswith("#") else w) for t, w in own.items()}
            if c.standard_title:
                if c.standard_title not in title_terms:
                    title_terms[c.standard_title] = terms(c.standard_title, tagger, bigrams=False)
                for t, w in title_terms[c.standard_title].items():
                    doc[t] = doc.get(t, 0.0) + p.title_weight * w
            stems = content_stems(c.text)
            joined = " " + " ".join(stems) + " "
            for g, (term_stems, _definition) in enumerate(gloss):
                if " " + " ".join(term_stems) + " " in joined:
                    hits.append((len(docs), g))
                    for t, w in gloss_terms[term_stems].items():
                        doc[t] = doc.get(t, 0.0) + p.glossary_weight * w
            docs.append(doc)
        m, vocab, idf = tfidf_rows(docs)
        by_text: dict[str, list[int]] = {}
        for i, c in enumerate(criteria):
            by_text.setdefault(_norm_text(c.text), []).append(i)
        groups = [g for g in by_text.values() if len(g) > 1]
        use = sp.csr_matrix(
            (np.ones(len(hits)), ([h[0] for h in hits], [h[1] for h in hits])),
            shape=(len(criteria), len(gloss)),
        )
        return cls(
            criteria,
            m,
            vocab,
            idf,
            groups,
            p,
            [t for t, _ in gloss],
            use,
            own_concepts,
            values,
            vocabulary,
            encoder,
            criterion_vectors,
        )

    # ------------------------------------------------------------------ warm
    def with_examples(self, examples: Iterable[Example]) -> SuggestionEngine:
        """A new engine that also knows ``examples``; this one is left as it was, so a process can
        swap the new one in whole while requests still use the old one."""
        other = copy.copy(self)
        other._memory = self._memory.copy()
        other._warm = self._warm.copy()
        other._recall = self._recall.copy() if self._recall is not None else None
        other.add_examples(examples)
        return other

    def add_examples(self, examples: Iterable[Example]) -> None:
        """Learn past decisions at once; later calls add to earlier ones."""
        for ex in examples:
            idx = self._crit_index.get((ex.standard, ex.code))
            if idx is None:
                continue
            key = (ex.kind, ex.title, ex.text)
            self._memory.add(key, idx, ex.accepted)
            if self._recall is not None and self._encoder is not None:
                if not self._recall.knows(key):
                    sentences = [ex.text[a:b] for a, b in sentence_spans(ex.text)]
                    self._recall.remember(key, sentences, self._encoder.encode(sentences))
                self._recall.add(key, idx, ex.accepted)
            if self.params.warm_weight or self.params.warm_add:
                self._warm.add(key, idx, ex.accepted, partial(self._analyse, key))
        self._warm.prepare()

    def neighbours(self, title: str, text: str) -> Neighbours | None:
        """What past decisions on similar evidence say (None without similar evidence)."""
        return self._memory.query(title, text, self.params.knn_k, self.params.knn_power)

    def _analyse(self, key: EvidenceKey) -> Analysis:
        kind, title, text = key
        sents = [terms(text[a:b], self._tagger) for a, b in sentence_spans(text)]
        _raw, best = self.cold_raw(kind=kind, title=title, text=text)
        return sents, best

    # ------------------------------------------------------------------ scoring
    @property
    def semantic(self) -> bool:
        """Whether this engine reads meaning (has an encoder), not only words."""
        return self._meaning is not None

    def features(
        self, *, kind: str, title: str, text: str
    ) -> tuple[ColdParts, np.ndarray, np.ndarray]:
        """Hand-scorer parts, cold features and warm features of every criterion for a text."""
        parts, sem, x, w = self.analysis(kind=kind, title=title, text=text)
        return parts, x, w

    def analysis(
        self, *, kind: str, title: str, text: str
    ) -> tuple[ColdParts, SemanticParts | None, np.ndarray, np.ndarray]:
        """Everything the engine finds in a text: the word match, the meaning match (None without
        an encoder), cold features over ALL_FEATURES and warm features."""
        parts, sem, x, w, _recalled = self._analysis(kind=kind, title=title, text=text)
        return parts, sem, x, w

    def _analysis(
        self, *, kind: str, title: str, text: str
    ) -> tuple[ColdParts, SemanticParts | None, np.ndarray, np.ndarray, Recalled | None]:
        """:meth:`analysis` and what past decisions say by meaning (for the explanations)."""
        parts = self.cold_parts(kind=kind, title=title, text=text)
        sem = None
        if self._encoder is not None and self._meaning is not None and self._n:
            sentences = [text[a:b] for a, b in sentence_spans(text)]
            sem = semantic_parts(self._encoder, self._meaning, sentences, title)
        x = cold_features(parts, self._statics, kind, sem)
        recalled = None
        if sem is not None and self._recall:  # decisions remembered by meaning
            recalled = self._recall.recall(sem.vectors)
        w = warm_features(self.neighbours(title, text), len(self._criteria), recalled)
        return parts, sem, x, w, recalled

    def _tie_groups(self, v: np.ndarray) -> np.ndarray:
        for g in self._groups:
            v[g] = v[g].max()
        return v

    def suggest(self, *, kind: str, title: str, text: str, top: int = 10) -> list[Suggestion]:
        """The ``top`` criteria best first, on one BLAS thread (see :func:`one_blas_thread`)."""
        with one_blas_thread():
            return self._suggest(kind=kind, title=title, text=text, top=top)

    def _suggest(self, *, kind: str, title: str, text: str, top: int) -> list[Suggestion]:
        p = self.params
        n = len(self._criteria)
        if n == 0:
            return []
        if p.reranker:
            parts, sem, x, w, recalled = self._analysis(kind=kind, title=title, text=text)
            m = self._model or shipped_model(self.semantic)
            warm = bool(self._memory)
            logit = m.warm_logit(x, w) if warm else m.cold_logit(x)
            score = self._tie_groups(sigmoid(logit))
            threshold = np.full(n, m.warm_threshold if warm else m.threshold)
            if parts.markers < p.strong_min_markers:  # no word of the field: only criteria
                threshold[~near(sem, n, p.strong_min_cosine)] = math.inf  # a sentence is near
            best = parts.best
            backing = support(parts.sent_scores, sem.sims if sem is not None else None)
        else:
            score, best = self._hand_scores(kind, title, text)
            threshold = np.full(n, p.strong_abs)
            backing, recalled = None, None
        order = sorted(range(n), key=lambda i: (-round(float(score[i]), 12), i))
        shown = order[: max(top, 0)]
        top_score = float(score[order[0]])
        spans = sentence_spans(text)
        if backing is not None and backing.shape[0] == len(spans):
            chosen = quotes(shown, backing, p.because_max)
        else:
            chosen = {i: tuple(sorted(best[i][: p.because_max])) for i in shown}
        out: list[Suggestion] = []
        n_strong = 0
        for i in shown:
            s = round(float(score[i]), 6)
            strong = s >= threshold[i] and n_strong < p.max_strong
            if not p.reranker:
                strong = strong and s >= p.strong_rel * top_score
            n_strong += strong
            because = tuple(text[spans[j][0] : spans[j][1]] for j in chosen[i])
            c = self._criteria[i]
            out.append(
                Suggestion(c.standard, c.code, s, bool(strong), because, _learned(recalled, i))
            )
        return out

    def _hand_scores(self, kind: str, title: str, text: str) -> tuple[np.ndarray, list[list[int]]]:
        """The hand-tuned scorer with additive kNN fusion (``Params.reranker=False``)."""
        p = self.params
        raw, best = self.cold_raw(kind=kind, title=title, text=text)
        raw = self._tie_groups(raw)
        if self._warm and (p.warm_weight or p.warm_add):
            sent_terms = [terms(text[a:b], self._tagger) for a, b in sentence_spans(text)]
            warm = self._warm.scores(sent_terms)
            peak = float(raw.max())
            raw = raw * (1.0 + p.warm_weight * warm) + p.warm_add * warm * peak
            # re-rank only: keep the cold scale so the strong-set calibration still holds
            raw = raw * (peak / max(float(raw.max()), 1e-12))
        nb = self.neighbours(title, text)
        if nb is not None:
            trust = p.knn_weight * min(1.0, nb.max_sim / p.knn_sim_full)
            raw = np.maximum(raw + trust * nb.vote * max(float(raw.max()), p.calib_scale), 0.0)
            raw = self._tie_groups(raw)
        score = np.clip(1.0 - np.exp(-raw / p.calib_scale), 0.0, 1.0)
        return score, best
