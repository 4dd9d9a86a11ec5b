"""Suggest which criteria a piece of evidence shows.

Pure: criteria and past assessor decisions come in as plain data, ranked suggestions go out.

Cold scoring. Criteria and evidence are analysed into stems, stem bigrams and thesaurus concepts
(:mod:`mappings.thesaurus`). Each criterion is expanded with its standard's title and with the
glossary definitions of terms it mentions, weighted by inverse document frequency over the
criteria and normalised. The evidence is split into sentences; a criterion scores by its best few
sentences (which become the ``because`` quotes) plus a whole-text match. The score is then shaped
by the kind of evidence (a professional discussion shows knowledge, an observation shows
performance), by cues of doing ("I arranged") or of understanding ("because", "I know") in the
supporting sentences, and by coherence with the standards the evidence mostly speaks to. Criteria
of identical text share one score. A criterion also earns the share of its own thesaurus
concepts that the evidence mentions (``coverage_weight``).

Warm scoring. Past decisions (:class:`Example`) are grouped by evidence; a new piece of evidence
finds its nearest past evidence (cosine over the same terms) and each neighbour votes for the
criteria an assessor accepted for it and against those referred. The vote is fused with the cold
score, more strongly the closer the neighbours are. Adding examples only updates counts, so it is
instant, and the result does not depend on the order examples were added in. Optionally
(``warm_weight``/``warm_add``, off by default: no gain measured on held-out halves) accepted
evidence also builds Rocchio profiles per criterion (:mod:`mappings.suggest_warm`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import scipy.sparse as sp

from mappings.analyse import domain_markers, terms
from mappings.suggest_warm import Analysis, EvidenceKey, WarmParams, WarmProfiles
from mappings.text import content_stems, sentence_spans

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
    coherence: float = 1.6
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
_STAR_ACTION = re.compile(r"^\W*(action|result|a|r)\b\W*[:\-–]?", re.I)


def _norm_text(text: str) -> str:
    return " ".join(content_stems(text))


class SuggestionEngine:
    def __init__(
        self,
        criteria: Sequence[CriterionDoc],
        matrix: sp.csr_matrix,
        vocab: dict[str, int],
        idf: np.ndarray,
        groups: list[list[int]],
        params: Params,
    ) -> None:
        self._criteria = list(criteria)
        self._matrix = matrix  # criteria x terms, rows L2-normalised
        self._matrix_t = matrix.T.tocsr()
        self._vocab = vocab
        self._idf = idf
        self._groups = groups  # indices of criteria with identical text
        self.params = params
        self._is_knowledge = np.array([c.kind == "knowledge" for c in self._criteria])
        standards = sorted({c.standard for c in self._criteria})
        self._std_index = {s: i for i, s in enumerate(standards)}
        self._crit_std = np.array([self._std_index[c.standard] for c in self._criteria], dtype=int)
        self._crit_index = {(c.standard, c.code): i for i, c in enumerate(self._criteria)}
        # warm state: evidence key -> (terms, {criterion index: net vote})
        self._examples: dict[tuple[str, str, str], dict[int, int]] = {}
        self._example_terms: dict[tuple[str, str, str], dict[str, float]] = {}
        self._knn_cache: tuple[list[tuple[str, str, str]], sp.csr_matrix, sp.csr_matrix] | None
        self._knn_cache = None
        self._knn_vocab: dict[str, int] = {}
        self._knn_idf: np.ndarray = np.zeros(0)
        self._warm = WarmProfiles(len(self._criteria), params.warm)
        concept_cols = np.array([t.startswith("#") for t in sorted(vocab, key=vocab.__getitem__)])
        own = sp.csr_matrix(matrix.multiply(concept_cols[np.newaxis, :]) if len(vocab) else matrix)
        own.data = np.ones_like(own.data)
        own = own.multiply(idf[np.newaxis, :]).tocsr() if len(vocab) else own
        mass = np.asarray(own.sum(axis=1)).ravel()
        self._coverage = (sp.diags(1.0 / np.maximum(mass, 1e-12)) @ own).tocsr()

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        criteria: Sequence[CriterionDoc],
        glossary: Sequence[tuple[str, str]] = (),
        params: Params | None = None,
    ) -> SuggestionEngine:
        p = params or Params()
        gloss = [(tuple(content_stems(term)), definition) for term, definition in glossary]
        gloss = [(t, d) for t, d in gloss if t]
        gloss_terms = {t: terms(d, bigrams=False) for t, d in gloss}
        title_terms: dict[str, dict[str, float]] = {}
        docs: list[dict[str, float]] = []
        for c in criteria:
            own = terms(c.text)
            doc = {t: (p.concept_weight * w if t.startswith("#") else w) for t, w in own.items()}
            if c.standard_title:
                if c.standard_title not in title_terms:
                    title_terms[c.standard_title] = terms(c.standard_title, bigrams=False)
                for t, w in title_terms[c.standard_title].items():
                    doc[t] = doc.get(t, 0.0) + p.title_weight * w
            stems = content_stems(c.text)
            joined = " " + " ".join(stems) + " "
            for term_stems, _definition in gloss:
                if " " + " ".join(term_stems) + " " in joined:
                    for t, w in gloss_terms[term_stems].items():
                        doc[t] = doc.get(t, 0.0) + p.glossary_weight * w
            docs.append(doc)
        vocab: dict[str, int] = {}
        for doc in docs:
            for t in doc:
                if t not in vocab:
                    vocab[t] = len(vocab)
        n = max(len(docs), 1)
        df = np.zeros(len(vocab))
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, doc in enumerate(docs):
            for t, w in doc.items():
                j = vocab[t]
                df[j] += 1
                rows.append(i)
                cols.append(j)
                vals.append(w)
        idf = np.log(1.0 + n / np.maximum(df, 1.0))
        m = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.float64)
        m = m.multiply(idf[np.newaxis, :]).tocsr()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        m = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m
        by_text: dict[str, list[int]] = {}
        for i, c in enumerate(criteria):
            by_text.setdefault(_norm_text(c.text), []).append(i)
        groups = [g for g in by_text.values() if len(g) > 1]
        return cls(criteria, m.tocsr(), vocab, idf, groups, p)

    # ------------------------------------------------------------------ warm
    def add_examples(self, examples: Iterable[Example]) -> None:
        """Learn past decisions at once; later calls add to earlier ones."""
        for ex in examples:
            idx = self._crit_index.get((ex.standard, ex.code))
            if idx is None:
                continue
            key = (ex.kind, ex.title, ex.text)
            votes = self._examples.setdefault(key, {})
            votes[idx] = votes.get(idx, 0) + (1 if ex.accepted else -1)
            if self.params.warm_weight or self.params.warm_add:
                self._warm.add(key, idx, ex.accepted, partial(self._analyse, key))
            if key not in self._example_terms:
                self._example_terms[key] = terms(ex.title + "\n" + ex.text)
        self._knn_cache = None
        self._warm.prepare()

    def _knn_state(self) -> tuple[list[tuple[str, str, str]], sp.csr_matrix, sp.csr_matrix]:
        if self._knn_cache is None:
            keys = sorted(self._examples)
            vocab: dict[str, int] = {}
            rows: list[int] = []
            cols: list[int] = []
            vals: list[float] = []
            for i, key in enumerate(keys):
                for t, w in self._example_terms[key].items():
                    j = vocab.setdefault(t, len(vocab))
                    rows.append(i)
                    cols.append(j)
                    vals.append(w)
            m = sp.csr_matrix((vals, (rows, cols)), shape=(len(keys), len(vocab)))
            df = np.asarray((m > 0).sum(axis=0)).ravel()
            idf = np.log(1.0 + len(keys) / np.maximum(df, 1.0))
            m = m.multiply(idf[np.newaxis, :]).tocsr()
            norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
            m = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m).tocsr()
            vr: list[int] = []
            vc: list[int] = []
            vv: list[float] = []
            for i, key in enumerate(keys):
                for c, v in sorted(self._examples[key].items()):
                    vr.append(i)
                    vc.append(c)
                    vv.append(float(np.sign(v)))
            votes = sp.csr_matrix((vv, (vr, vc)), shape=(len(keys), len(self._criteria)))
            self._knn_cache = (keys, m, votes)
            self._knn_vocab = vocab
            self._knn_idf = idf
        return self._knn_cache

    def _knn_scores(self, title: str, text: str) -> tuple[np.ndarray, float]:
        n = len(self._criteria)
        if not self._examples:
            return np.zeros(n), 0.0
        keys, m, votes = self._knn_state()
        q = np.zeros(len(self._knn_vocab))
        for t, w in terms(title + "\n" + text).items():
            j = self._knn_vocab.get(t)
            if j is not None:
                q[j] = w * self._knn_idf[j]
        qn = np.linalg.norm(q)
        if qn == 0:
            return np.zeros(n), 0.0
        sims = m @ (q / qn)
        order = sorted(range(len(keys)), key=lambda i: (-sims[i], keys[i]))[: self.params.knn_k]
        weights = np.zeros(len(keys))
        for i in order:
            if sims[i] > 0:
                weights[i] = sims[i] ** self.params.knn_power
        total = weights.sum()
        if total == 0:
            return np.zeros(n), 0.0
        score = np.asarray(votes.T @ weights).ravel() / total
        return np.clip(score, -1.0, 1.0), float(sims[order[0]])

    def _analyse(self, key: EvidenceKey) -> Analysis:
        kind, title, text = key
        sents = [terms(text[a:b]) for a, b in sentence_spans(text)]
        _raw, best = self.cold_raw(kind=kind, title=title, text=text)
        return sents, best

    # ------------------------------------------------------------------ scoring
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
        p = self.params
        n = len(self._criteria)
        spans = sentence_spans(text)
        sentences = [text[a:b] for a, b in spans]
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        doc_terms: dict[str, float] = {}
        for i, sentence in enumerate(sentences):
            tw = terms(sentence)
            doc_terms.update(tw)
            sc, sv = self._vector(tw)
            norm = math.sqrt(sum(x * x for x in sv)) if sv else 1.0
            scale = 1.0 / (norm**p.sentence_len_power) if sv else 0.0
            rows.extend([i] * len(sc))
            cols.extend(sc)
            vals.extend(x * scale for x in sv)
        ns = len(sentences)
        if ns == 0 and not title.strip():
            return np.zeros(n), [[] for _ in range(n)]
        smat = sp.csr_matrix((vals, (rows, cols)), shape=(max(ns, 1), len(self._vocab)))
        sent_scores = np.asarray((smat @ self._matrix_t).todense()) if ns else np.zeros((1, n))
        # cues of doing / understanding per sentence
        doing = np.array([1.0 if _DOING.search(s) else 0.0 for s in sentences] or [0.0])
        knowing = np.array([min(len(_KNOWING.findall(s)), 2) / 2 for s in sentences] or [0.0])
        cue_p = 1.0 + p.cue_weight * doing[:, None]
        cue_k = 1.0 + p.cue_weight * knowing[:, None]
        sent_scores = np.where(
            self._is_knowledge[None, :], sent_scores * cue_k, sent_scores * cue_p
        )
        k = min(len(p.top_sentence_weights), sent_scores.shape[0])
        order = np.argsort(-sent_scores, axis=0, kind="stable")[:k]
        top = np.take_along_axis(sent_scores, order, axis=0)
        w = np.array(p.top_sentence_weights[:k])[:, None]
        raw = (top * w).sum(axis=0)
        # whole-document match, title included
        tt = terms(title)
        all_terms = dict(doc_terms)
        for t, tw_ in tt.items():
            all_terms[t] = max(all_terms.get(t, 0.0), tw_)
        dc, dvals = self._vector(all_terms)
        if dvals:
            dv = np.zeros(len(self._vocab))
            dv[dc] = dvals
            dv /= np.linalg.norm(dv)
            raw = raw + p.doc_weight * np.asarray(self._matrix @ dv).ravel()
        tc, tvals = self._vector(tt)
        if tvals:
            tv = np.zeros(len(self._vocab))
            tv[tc] = tvals
            tv /= np.linalg.norm(tv) ** p.sentence_len_power
            raw = raw + p.title_row_weight * np.asarray(self._matrix @ tv).ravel()
        # coverage of the criterion's own concepts
        if p.coverage_weight and doc_terms:
            present = np.zeros(len(self._vocab))
            for t in doc_terms:
                j = self._vocab.get(t)
                if j is not None and t.startswith("#"):
                    present[j] = 1.0
            raw = raw + p.coverage_weight * np.asarray(self._coverage @ present).ravel()
        # kind prior
        prior_p, prior_k = p.kind_prior.get(kind, p.kind_prior["other"])
        raw = raw * np.where(self._is_knowledge, prior_k, prior_p)
        # coherence with the dominant standards
        if p.coherence and len(self._std_index) > 1:
            mass = np.zeros(len(self._std_index))
            for si in range(len(self._std_index)):
                mass[si] = np.sort(raw[self._crit_std == si])[::-1][:4].sum()
            if mass.max() > 0:
                rel = mass / mass.max()
                raw = raw * (1.0 + p.coherence * (rel[self._crit_std] - 1.0) * 0.5)
        # domain gate: evidence with few practice concepts is probably not about the practice
        markers = domain_markers(title + "\n" + text)
        raw = raw * min(1.0, (markers + 0.5) / (p.domain_min_markers + 0.5))
        best = [[int(i) for i in order[:, j] if sent_scores[i, j] > 0] for j in range(n)]
        return raw, best

    def suggest(self, *, kind: str, title: str, text: str, top: int = 10) -> list[Suggestion]:
        p = self.params
        n = len(self._criteria)
        if n == 0:
            return []
        raw, best = self.cold_raw(kind=kind, title=title, text=text)
        for g in self._groups:
            gmax = max(raw[i] for i in g)
            for i in g:
                raw[i] = gmax
        if self._warm and (p.warm_weight or p.warm_add):
            sent_terms = [terms(text[a:b]) for a, b in sentence_spans(text)]
            warm = self._warm.scores(sent_terms)
            peak = float(raw.max())
            raw = raw * (1.0 + p.warm_weight * warm) + p.warm_add * warm * peak
            # re-rank only: keep the cold scale so the strong-set calibration still holds
            raw = raw * (peak / max(float(raw.max()), 1e-12))
        knn, max_sim = self._knn_scores(title, text)
        if max_sim > 0:
            trust = p.knn_weight * min(1.0, max_sim / p.knn_sim_full)
            raw = np.maximum(raw + trust * knn * max(float(raw.max()), p.calib_scale), 0.0)
            for g in self._groups:
                gmax = max(raw[i] for i in g)
                for i in g:
                    raw[i] = gmax
        score = 1.0 - np.exp(-raw / p.calib_scale)
        score = np.clip(score, 0.0, 1.0)
        order = sorted(range(n), key=lambda i: (-round(float(score[i]), 12), i))
        top_score = float(score[order[0]])
        spans = sentence_spans(text)
        out: list[Suggestion] = []
        n_strong = 0
        for i in order[: max(top, 0)]:
            s = round(float(score[i]), 6)
            strong = s >= p.strong_abs and s >= p.strong_rel * top_score and n_strong < p.max_strong
            n_strong += strong
            because = tuple(
                text[spans[j][0] : spans[j][1]] for j in sorted(best[i][: p.because_max])
            )
            c = self._criteria[i]
            out.append(Suggestion(c.standard, c.code, s, bool(strong), because))
        return out
