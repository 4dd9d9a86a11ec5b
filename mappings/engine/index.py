"""The criteria index: TF-IDF rows of the criteria and the structures derived from them.

Pure numpy/scipy over plain data (term dicts, matrices, standard indices) built once per
framework by :meth:`mappings.engine.suggest.SuggestionEngine.build`: the L2-normalised
criteria x terms matrix, each criterion's own key terms and their coverage weights, the
similarity between criteria of one standard, each standard's centroid, and the concepts that set a
criterion apart from its siblings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from mappings.engine.analyse import NO_CONCEPTS, ConceptTagger, is_key_term, terms


def ranks(x: np.ndarray) -> np.ndarray:
    """The rank of each value of ``x``, 0 for the largest (ties in order of position)."""
    order = np.lexsort((np.arange(len(x)), -x))
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    return r


def normalise_rows(m: sp.spmatrix) -> sp.spmatrix:
    """``m`` with every non-zero row scaled to unit L2 norm."""
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m


def tfidf_rows(
    docs: Sequence[dict[str, float]],
) -> tuple[sp.csr_matrix, dict[str, int], np.ndarray]:
    """Documents x terms weighted by inverse document frequency, rows normalised; the
    vocabulary (terms numbered in order of first use) and the IDF of each term."""
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
    return normalise_rows(m).tocsr(), vocab, idf


def concept_matrices(
    matrix: sp.csr_matrix, vocab: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix]:
    """Which terms are concepts; each criterion's concepts (0/1); and its concepts weighted by
    IDF as shares of their total, so that ``coverage @ present`` is the share found."""
    names = sorted(vocab, key=vocab.__getitem__)
    concept_cols = np.array([is_key_term(t) for t in names], dtype=bool)
    own = sp.csr_matrix(matrix.multiply(concept_cols[np.newaxis, :]))
    own.data = np.ones_like(own.data)
    own_concepts = own.tocsr()
    own = own.multiply(idf[np.newaxis, :]).tocsr() if len(vocab) else own
    mass = np.asarray(own.sum(axis=1)).ravel()
    coverage = (sp.diags(1.0 / np.maximum(mass, 1e-12)) @ own).tocsr()
    return concept_cols, own_concepts, coverage


def memberships(crit_std: np.ndarray, n_standards: int) -> sp.csr_matrix:
    """Standards x criteria, 1 where the criterion belongs to the standard."""
    n = len(crit_std)
    return sp.csr_matrix((np.ones(n), (crit_std, np.arange(n))), shape=(n_standards, n))


def positions(groups: Sequence[tuple[str, str]]) -> np.ndarray:
    """Position (0..1) of each criterion among those of its group: (standard, kind)."""
    position = np.zeros(len(groups))
    by_group: dict[tuple[str, str], list[int]] = {}
    for i, group in enumerate(groups):
        by_group.setdefault(group, []).append(i)
    for idx in by_group.values():
        position[idx] = np.arange(len(idx)) / max(len(idx) - 1, 1)
    return position


def sibling_similarity(matrix: sp.csr_matrix, members: sp.csr_matrix) -> sp.csr_matrix:
    """Criteria x criteria: cosine between criteria of the same standard, zero elsewhere and on
    the diagonal."""
    n = members.shape[1]
    br: list[np.ndarray] = []
    bc: list[np.ndarray] = []
    bv: list[np.ndarray] = []
    for si in range(members.shape[0]):
        idx = members.indices[members.indptr[si] : members.indptr[si + 1]]
        block = (matrix[idx] @ matrix[idx].T).toarray()
        np.fill_diagonal(block, 0.0)
        br.append(np.repeat(idx, len(idx)))
        bc.append(np.tile(idx, len(idx)))
        bv.append(block.ravel())

    def cat(a: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(a) if a else np.zeros(0, dtype=int)

    siblings = sp.csr_matrix((cat(bv), (cat(br), cat(bc))), shape=(n, n))
    siblings.eliminate_zeros()
    return siblings


def standard_centroids(matrix: sp.csr_matrix, members: sp.csr_matrix) -> sp.csr_matrix:
    """Standards x terms: the normalised mean of each standard's criteria."""
    return normalise_rows(members @ matrix).tocsr()


def distinctive(
    own_concepts: Sequence[Sequence[str]],
    vocab: dict[str, int],
    crit_std: np.ndarray,
    members: sp.csr_matrix,
) -> sp.csr_matrix:
    """Concepts of each criterion's own text weighted by IDF within its standard.

    A concept most siblings share (or that comes from the standard's title) weighs little; one
    unique to the criterion weighs most, so finding it says this criterion, not a sibling."""
    rows: list[int] = []
    cols: list[int] = []
    for i, names in enumerate(own_concepts):
        for t in names:
            j = vocab.get(t)
            if j is not None:
                rows.append(i)
                cols.append(j)
    shape = (len(crit_std), len(vocab))
    own = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    size = np.asarray(members.sum(axis=1)).ravel()
    df_std = (members @ own).tocsr()
    r, c_ = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    std = crit_std[r]
    dfv = np.asarray(df_std[std, c_]).ravel() if len(r) else np.zeros(0)
    w = np.log((1.0 + size[std]) / np.maximum(dfv, 1.0)) if len(r) else np.zeros(0)
    found = sp.csr_matrix((w, (r, c_)), shape=shape)
    found.eliminate_zeros()
    return found


def pooled_terms(
    statements: Iterable[str], tagger: ConceptTagger = NO_CONCEPTS
) -> dict[str, float]:
    """The terms of several statements as one term dict (each term at its highest weight)."""
    pooled: dict[str, float] = {}
    for statement in statements:
        for t, w in terms(statement, tagger, bigrams=False).items():
            pooled[t] = max(pooled.get(t, 0.0), w)
    return pooled
