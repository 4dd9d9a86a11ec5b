"""Generic features of (evidence, criterion) pairs for the learned reranker.

No feature names a criterion, a standard or a word: each says how well, where and how a piece of
evidence matches a criterion (lexical and concept similarities, the hand scorer's score and rank),
what kind of criterion meets what kind of evidence, how much of what sets a criterion apart from
its siblings (its concepts rare within its standard) the evidence mentions, how the match sits within the standards the
evidence mostly speaks to, and how much the text is about the practice at all. Warm features say
what past assessor decisions on similar evidence said about the criterion.

Every function is pure and vectorised over the criteria of a framework: one row per criterion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mappings.engine.index import ranks
from mappings.engine.knn import Neighbours
from mappings.engine.semantic import (
    SEMANTIC_FEATURES,
    SEMANTIC_WARM,
    Recalled,
    SemanticParts,
    semantic_columns,
)

COLD_FEATURES: tuple[str, ...] = (
    "hand_rel",  # hand score / best hand score of the item
    "hand_log",  # log(1 + hand score)
    "hand_rank_recip",  # 1 / (1 + rank of the hand score in the item)
    "hand_top5",
    "hand_top15",
    "sent1",  # best sentence match (with cue shaping)
    "sent_top3",  # mean of the three best sentence matches
    "sent1_rel",  # best sentence match / best over criteria
    "doc_sim",  # cosine of whole text (title included) vs criterion
    "doc_stem_sim",  # the same on stems and bigrams only
    "doc_concept_sim",  # the same on key terms only (word pairs, vocabulary concepts)
    "title_sim",  # evidence title vs criterion
    "std_title_sim",  # whole text vs the criterion's standard title
    "coverage",  # IDF-weighted share of the criterion's concepts found
    "concepts_found",  # log(1 + number of the criterion's concepts found)
    "gloss_hit",  # a glossary term the criterion uses occurs in the evidence
    "is_knowledge",
    "kind_prior",  # hand prior of this criterion kind for this evidence kind
    "k_x_discussion",  # knowledge criterion x professional discussion / questioning
    "p_x_seen",  # performance criterion x observation / witness / product
    "k_x_account",  # knowledge criterion x reflective account / STAR narrative
    "doing",  # share of the best sentences with a cue of doing
    "knowing",  # share of the best sentences with a cue of understanding
    "std_share",  # share of the item's top-20 hand mass in this criterion's standard
    "std_first",  # this criterion's standard is the item's dominant one
    "std_second",
    "std_sim_rank",  # rank of the criterion within its standard, 1/(1+r)
    "twin",  # best hand_rel of a similar criterion of the same standard x their similarity
    "std_centroid_sim",  # whole text vs the mean of the criterion's standard's criteria
    "std_centroid_first",  # ... and that standard is the closest one
    "hand_x_std_share",
    "knowledge_x_std_share",
    "position",  # position of the criterion within its standard and kind (0..1)
    "crit_len",  # log number of criterion terms
    "domain",  # log(1 + practice markers in the text)
    "domain_gate",  # min(1, practice markers / 3)
    "hand_rel_x_gate",  # the relative hand score counts on practice text only
    "std_share_x_gate",
    "n_sentences",  # log number of sentences
    "item_max",  # log(1 + best hand score of the item)
    "distinct_cov",  # share of the criterion's distinctive concepts (rare among siblings) found
    "distinct_tf",  # the same, each concept counted by log(1 + sentences that mention it)
    "cross_twin",  # best hand_rel of a similar same-kind criterion of another standard x similarity
    "sent_win",  # best over sentences of its match / the best match of that sentence
    "title_std_share",  # share of the evidence title's similarity mass in this criterion's standard
    "std_agree",  # std_share x title_std_share: body and title point at the same standard
    "title_concept_std_share",  # share of the criteria naming a title concept in this standard
    "title_concept_agree",  # std_share x title_concept_std_share
    "std_best",  # best hand_rel among the criteria of this criterion's standard
    "values_x_values",  # criterion vs the framework's values x whole text vs those values
)

# Every feature a model may use: the words' and the embeddings' (zeros without an encoder).
ALL_FEATURES: tuple[str, ...] = COLD_FEATURES + SEMANTIC_FEATURES

# Features that measure how big the framework or the text is rather than how well they match
# (where a criterion sits in its standard, how long it is, how many sentences the evidence has, the
# item's best score): they differ from one framework to another for reasons that say nothing
# about a new one, and leaving them out of the shipped rerankers raised recall@10 when trained on
# one dev suite and measured on the other, both ways.
SIZE_FEATURES: frozenset[str] = frozenset(
    {"position", "crit_len", "n_sentences", "item_max", "emb_item_max"}
)
# What the shipped rerankers read: with the embeddings, and words only.
SEMANTIC_MODEL: tuple[str, ...] = tuple(f for f in ALL_FEATURES if f not in SIZE_FEATURES)
WORDS_MODEL: tuple[str, ...] = tuple(f for f in COLD_FEATURES if f not in SIZE_FEATURES)

WARM_FEATURES: tuple[str, ...] = (
    "knn_vote",  # similarity-weighted vote of the nearest past evidence, [-1, 1]
    "max_accepted",  # best similarity to past evidence accepted for this criterion
    "near_accepted",  # share of the nearest accepted for this criterion
    "near_referred",  # share of the nearest referred for this criterion
    "knn_std_share",  # share of the nearest's accepted labels in this criterion's standard
    "knn_max_sim_x_vote",  # trust in the neighbours x their vote
    *SEMANTIC_WARM,  # the same by meaning (zeros without an encoder)
)

# Signs the warm weights are held to: accepted evidence never lowers, referred never raises.
WARM_SIGNS: tuple[int, ...] = (1, 1, 1, -1, 1, 1, 1, 1, -1, 1)
# Least magnitude of each warm weight: a decision on near-identical evidence always counts a little,
# even when the training decisions (each criterion accepted once or twice) cannot show it.
WARM_FLOORS: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.5)

DISCUSSION_KINDS = frozenset({"professional_discussion", "questioning"})
SEEN_KINDS = frozenset({"observation_record", "witness_testimony", "product"})
ACCOUNT_KINDS = frozenset({"reflective_account", "star_narrative"})


@dataclass(frozen=True)
class CriterionStatics:
    """Per-criterion facts fixed when the index is built."""

    is_knowledge: np.ndarray
    crit_std: np.ndarray  # standard index of each criterion
    sibling_sim: sp.csr_matrix  # cosine between criteria of the same standard (zero diagonal)
    position: np.ndarray
    n_terms: np.ndarray
    # criteria x vocabulary: concepts of the criterion's own text weighted by their IDF within
    # its standard, log((1 + size) / df): least for a concept every criterion of the standard has
    distinct: sp.csr_matrix
    # cosine of each criterion with the framework's statement of values (zeros without one)
    values_sim: np.ndarray | None = None


@dataclass(frozen=True)
class ColdParts:
    """The pieces of the hand scorer for one piece of evidence (arrays of length n criteria)."""

    raw: np.ndarray
    best: list[list[int]]  # best sentence indices per criterion
    top_sent: np.ndarray  # (3, n) best sentence scores, descending, zero padded
    doing: np.ndarray
    knowing: np.ndarray
    doc_sim: np.ndarray
    doc_stem_sim: np.ndarray
    doc_concept_sim: np.ndarray
    title_sim: np.ndarray
    std_title_sim: np.ndarray
    coverage: np.ndarray
    concepts_found: np.ndarray
    gloss_hit: np.ndarray
    std_centroid_sim: np.ndarray  # per standard
    prior: np.ndarray
    markers: int
    n_sentences: int
    present: np.ndarray  # 0/1 over the vocabulary: concepts in the evidence or its title
    # log(1 + number of sentences) in which each concept occurs, over the vocabulary
    concept_tf: np.ndarray | None = None
    cross_twin: np.ndarray | None = None  # see ColdScorer._cross_twin
    sent_win: np.ndarray | None = None  # best over sentences of score / the sentence's best score
    title_present: np.ndarray | None = None  # 0/1 over the vocabulary: concepts in the title
    values_sim: float = 0.0  # whole text (title included) vs the framework's statement of values
    sent_scores: np.ndarray | None = None  # sentences x criteria word match (cue-shaped)

    @classmethod
    def empty(cls, n: int, n_standards: int, markers: int) -> ColdParts:
        z = np.zeros(n)
        return cls(
            raw=z,
            best=[[] for _ in range(n)],
            top_sent=np.zeros((3, n)),
            doing=z,
            knowing=z,
            doc_sim=z,
            doc_stem_sim=z,
            doc_concept_sim=z,
            title_sim=z,
            std_title_sim=z,
            coverage=z,
            concepts_found=z,
            gloss_hit=z,
            std_centroid_sim=np.zeros(n_standards),
            prior=z,
            markers=markers,
            n_sentences=0,
            present=np.zeros(0),
        )


Columns = dict[str, np.ndarray]


def cold_features(
    parts: ColdParts, st: CriterionStatics, kind: str, semantic: SemanticParts | None = None
) -> np.ndarray:
    """The (n criteria x len(ALL_FEATURES)) feature matrix of one piece of evidence; the
    semantic columns are zeros without ``semantic``."""
    n = len(parts.raw)
    if n == 0:
        return np.zeros((0, len(ALL_FEATURES)))
    cols = feature_columns(parts, st, kind)
    if semantic is not None:
        cols.update(semantic_columns(semantic, st.crit_std, cols["hand_rel"]))
    zero = np.zeros(n)
    return np.column_stack([cols.get(name, zero) for name in ALL_FEATURES])


def feature_columns(parts: ColdParts, st: CriterionStatics, kind: str) -> Columns:
    """Every cold feature of one piece of evidence by name (at least one criterion)."""
    peak = max(float(parts.raw.max()), 1e-9)
    mass = _standard_mass(parts.raw, st)
    share = (mass / max(float(mass.sum()), 1e-12))[st.crit_std]
    return {
        **_match_columns(parts, peak),
        **_kind_columns(parts, st, kind),
        **_standard_columns(parts, st, peak, mass, share),
        **_domain_columns(parts, peak, share),
        **_distinct_columns(parts, st),
    }


def _match_columns(parts: ColdParts, peak: float) -> Columns:
    """How well the evidence matches the criterion: the hand score, sentences, similarities."""
    raw = parts.raw
    rank = ranks(raw)
    sent1 = parts.top_sent[0]
    n = len(raw)
    return {
        "hand_rel": raw / peak,
        "hand_log": np.log1p(raw),
        "hand_rank_recip": 1.0 / (1.0 + rank),
        "hand_top5": (rank < 5).astype(float),
        "hand_top15": (rank < 15).astype(float),
        "sent1": sent1,
        "sent_top3": parts.top_sent.mean(axis=0),
        "sent1_rel": sent1 / max(float(sent1.max()), 1e-9),
        "doc_sim": parts.doc_sim,
        "doc_stem_sim": parts.doc_stem_sim,
        "doc_concept_sim": parts.doc_concept_sim,
        "title_sim": parts.title_sim,
        "std_title_sim": parts.std_title_sim,
        "coverage": parts.coverage,
        "concepts_found": np.log1p(parts.concepts_found),
        "gloss_hit": parts.gloss_hit,
        "doing": parts.doing,
        "knowing": parts.knowing,
        "item_max": np.full(n, np.log1p(peak)),
        "cross_twin": parts.cross_twin if parts.cross_twin is not None else np.zeros(n),
        "sent_win": parts.sent_win if parts.sent_win is not None else np.zeros(n),
    }


def _kind_columns(parts: ColdParts, st: CriterionStatics, kind: str) -> Columns:
    """What kind of criterion meets what kind of evidence; where the criterion sits."""
    is_k = st.is_knowledge.astype(float)
    values = st.values_sim if st.values_sim is not None else np.zeros(len(parts.raw))
    return {
        "is_knowledge": is_k,
        "kind_prior": parts.prior,
        "k_x_discussion": is_k * (kind in DISCUSSION_KINDS),
        "p_x_seen": (1 - is_k) * (kind in SEEN_KINDS),
        "k_x_account": is_k * (kind in ACCOUNT_KINDS),
        "position": st.position,
        "crit_len": np.log(st.n_terms + 1.0),
        "values_x_values": values * parts.values_sim,
    }


def _standard_mass(raw: np.ndarray, st: CriterionStatics) -> np.ndarray:
    """The item's top-20 hand mass in each standard (indexed by standard)."""
    top20 = np.zeros(len(raw), dtype=bool)
    top20[np.argsort(-raw, kind="stable")[:20]] = True
    return np.bincount(st.crit_std[top20], weights=raw[top20], minlength=_n_standards(st))


def _standard_columns(
    parts: ColdParts, st: CriterionStatics, peak: float, mass: np.ndarray, share: np.ndarray
) -> Columns:
    """How the match sits within the standards the evidence mostly speaks to (``mass``: each
    standard's top-20 hand mass; ``share``: that of the criterion's standard, as a share)."""
    raw = parts.raw
    n_std = _n_standards(st)
    std_rank = ranks(mass)
    within = np.zeros(len(raw))
    for s in range(n_std):
        idx = np.flatnonzero(st.crit_std == s)
        if len(idx):
            within[idx] = ranks(raw[idx])
    cs = parts.std_centroid_sim
    std_best = np.zeros(n_std)
    np.maximum.at(std_best, st.crit_std, raw / peak)
    t_share, tc_share = _title_shares(parts, st, n_std)
    return {
        "std_share": share,
        "std_first": (std_rank[st.crit_std] == 0).astype(float),
        "std_second": (std_rank[st.crit_std] == 1).astype(float),
        "std_sim_rank": 1.0 / (1.0 + within),
        "twin": _twin(raw, st, peak),
        "std_centroid_sim": cs[st.crit_std],
        "std_centroid_first": (ranks(cs)[st.crit_std] == 0).astype(float),
        "hand_x_std_share": raw / peak * share,
        "knowledge_x_std_share": st.is_knowledge.astype(float) * share,
        "title_std_share": t_share[st.crit_std],
        "std_agree": share * t_share[st.crit_std],
        "title_concept_std_share": tc_share,
        "title_concept_agree": share * tc_share,
        "std_best": std_best[st.crit_std],
    }


def _twin(raw: np.ndarray, st: CriterionStatics, peak: float) -> np.ndarray:
    """Best relative hand score of a similar criterion of the same standard x their similarity."""
    if not st.sibling_sim.nnz:
        return np.zeros(len(raw))
    twin = st.sibling_sim.multiply((raw / peak)[np.newaxis, :]).max(axis=1).todense()
    return np.asarray(twin).ravel()


def _title_shares(
    parts: ColdParts, st: CriterionStatics, n_std: int
) -> tuple[np.ndarray, np.ndarray]:
    """Share of the title's similarity mass per standard, and per criterion the share of the
    criteria naming a title concept that are in its standard."""
    t_mass = np.bincount(st.crit_std, weights=parts.title_sim, minlength=n_std)
    t_share = t_mass / max(float(t_mass.sum()), 1e-12)
    tp = parts.title_present
    if tp is None or len(tp) != st.distinct.shape[1]:
        return t_share, np.zeros(len(parts.raw))
    t_hit = (np.asarray(st.distinct @ tp).ravel() > 0).astype(float)
    tc_mass = np.bincount(st.crit_std, weights=t_hit, minlength=n_std)
    return t_share, (tc_mass / max(float(tc_mass.sum()), 1e-12))[st.crit_std]


def _domain_columns(parts: ColdParts, peak: float, share: np.ndarray) -> Columns:
    """How much the text is about the practice at all, and how long it is."""
    n = len(parts.raw)
    gate = min(1.0, parts.markers / 3.0)
    return {
        "domain": np.full(n, np.log1p(parts.markers)),
        "domain_gate": np.full(n, gate),
        "hand_rel_x_gate": parts.raw / peak * gate,
        "std_share_x_gate": share * gate,
        "n_sentences": np.full(n, np.log1p(parts.n_sentences)),
    }


def _distinct_columns(parts: ColdParts, st: CriterionStatics) -> Columns:
    """How much of what sets the criterion apart from its siblings the evidence mentions."""
    n = len(parts.raw)
    d_total = np.asarray(st.distinct.sum(axis=1)).ravel()
    d_cov = np.zeros(n)
    d_tf = np.zeros(n)
    if len(parts.present) == st.distinct.shape[1]:
        d_cov = np.asarray(st.distinct @ parts.present).ravel() / np.maximum(d_total, 1e-12)
    tf = parts.concept_tf
    if tf is not None and len(tf) == st.distinct.shape[1]:
        d_tf = np.asarray(st.distinct @ tf).ravel() / np.maximum(d_total, 1e-12)
    return {"distinct_cov": d_cov, "distinct_tf": d_tf}


def _n_standards(st: CriterionStatics) -> int:
    return int(st.crit_std.max()) + 1


def warm_features(nb: Neighbours | None, n: int, recalled: Recalled | None = None) -> np.ndarray:
    """The (n criteria x len(WARM_FEATURES)) warm feature matrix; zeros without neighbours."""
    words = (
        np.zeros((n, len(WARM_FEATURES) - len(SEMANTIC_WARM)))
        if nb is None
        else np.column_stack(
            [
                nb.vote,
                nb.max_accepted,
                nb.near_accepted,
                nb.near_referred,
                nb.std_share,
                nb.max_sim * nb.vote,
            ]
        )
    )
    meaning = np.zeros((n, len(SEMANTIC_WARM))) if recalled is None else recalled.columns()
    return np.hstack([words, meaning])
