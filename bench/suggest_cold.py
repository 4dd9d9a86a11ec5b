"""Ways of ranking a framework the engine has never seen, each measured leave one framework out.

.venv/bin/python bench/suggest_cold.py [--shared DIR] [--only NAME]

For each dev suite (no vocabulary), every item is read once by the engine reading meaning: its
feature rows over ALL_FEATURES, its sentences' and title's embeddings, its word scores, its gold.
Then for each candidate below, one or more feature columns computed from those (and from the
framework's own text: standard titles, overviews, the order of its criteria) are added to the
shipped reranker's features (``SEMANTIC_MODEL``), a reranker is trained on every item of the OTHER
suite exactly as ``bench/suggest_suites.py``'s LOFO one is (``fit_cold``, L2 0.01; strong threshold
from 5 inner folds) and measured on this suite, cold: recall@10 (micro), MRR, strong F1. The first
row, with no column added, reproduces ``bench/suggest_eval.py``'s semantic LOFO cold figures.
None of the candidates is in the engine (what was measured and why: ``docs/suggestions.md``,
"A framework never seen").
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.suggest_eval import SHARED  # noqa: E402
from bench.suggest_suites import Suite, encoded_dev_suites  # noqa: E402
from mappings.engine.cold import Params  # noqa: E402
from mappings.engine.dataset import gold_pairs  # noqa: E402
from mappings.engine.embed import MemoEncoder  # noqa: E402
from mappings.engine.features import ALL_FEATURES, SEMANTIC_MODEL  # noqa: E402
from mappings.engine.index import ranks  # noqa: E402
from mappings.engine.metrics import kfold_indices  # noqa: E402
from mappings.engine.model import best_threshold, fit_cold, sigmoid  # noqa: E402

L2 = 0.01
COLS = np.array([ALL_FEATURES.index(f) for f in SEMANTIC_MODEL], dtype=int)


@dataclass
class Item:
    x: np.ndarray  # criteria x ALL_FEATURES
    gold: np.ndarray  # criteria, bool
    vectors: np.ndarray  # sentences x dimension
    sims: np.ndarray  # sentences x criteria cosine
    whole: np.ndarray  # the whole text embedded at once (the model's first 256 tokens)
    raw: np.ndarray  # the word score per criterion
    markers: int
    near: np.ndarray  # criteria some sentence is near in meaning (the strong gate)
    text: str


@dataclass
class Read:
    """One suite as the candidates see it."""

    name: str
    items: list[Item]
    vecs: np.ndarray  # criteria x dimension
    crit_std: np.ndarray
    is_knowledge: np.ndarray
    codes: list[str]  # standard codes, by standard index
    std_title: np.ndarray  # standards x dimension: the standard's title
    std_over: np.ndarray  # ... its title and overview
    context: np.ndarray  # criteria x dimension: "standard title: criterion"
    groups: list[list[int]]
    memo: dict[str, object] = field(default_factory=dict)

    def centroids(self) -> np.ndarray:
        n = int(self.crit_std.max()) + 1
        return unit(np.stack([self.vecs[self.crit_std == s].mean(axis=0) for s in range(n)]))


def unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12))


def rel(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / max(float(v.max()), 1e-9))


def zs(v: np.ndarray) -> np.ndarray:
    return np.asarray((v - v.mean()) / (float(v.std()) or 1.0))


def top2(sims: np.ndarray) -> np.ndarray:
    return np.asarray(np.sort(np.maximum(sims, 0.0), axis=0)[::-1][:2].mean(axis=0))


def read(suite: Suite, encoder: MemoEncoder) -> Read:
    engine = suite.framework.engine(Params(), encoder, suite.vectors)
    crit = engine.criteria
    index = {(c.standard, c.code): i for i, c in enumerate(crit)}
    codes = sorted({c.standard for c in crit})
    first = {c.standard: c for c in reversed(crit)}
    items = []
    for it in suite.items:
        parts, sem, x, _w = engine.analysis(kind=it["kind"], title=it["title"], text=it["text"])
        assert sem is not None
        gold = np.zeros(len(crit), dtype=bool)
        gold[[index[p] for p in gold_pairs(it) if p in index]] = True
        near = sem.sims.max(axis=0) >= Params().strong_min_cosine
        whole = encoder.encode([it["text"]])[0]
        items.append(
            Item(x, gold, sem.vectors, sem.sims, whole, parts.raw, parts.markers, near, it["text"])
        )
    return Read(
        suite.name,
        items,
        np.asarray(suite.vectors.vectors) if suite.vectors is not None else np.zeros((0, 0)),
        engine._crit_std,
        engine._is_knowledge,
        codes,
        encoder.encode([first[s].standard_title for s in codes]),
        encoder.encode([f"{first[s].standard_title}. {first[s].standard_overview}" for s in codes]),
        encoder.encode([f"{c.standard_title}: {c.text}" for c in crit]),
        engine._groups,
    )


Columns = dict[str, np.ndarray]
Candidate = Callable[[Item, Read], Columns]


def windows(width: int) -> Candidate:
    """Each criterion's best window of ``width`` consecutive sentences (their mean vector)."""

    def columns(it: Item, r: Read) -> Columns:
        v = it.vectors
        if len(v) < width:
            sims = it.sims
        else:
            w = unit(np.stack([v[i : i + width].mean(axis=0) for i in range(len(v) - width + 1)]))
            sims = w @ r.vecs.T
        best = sims.max(axis=0)
        return {"win": best, "win_rel": rel(best)}

    return columns


def whole_text(it: Item, r: Read) -> Columns:
    s = np.maximum(it.whole @ r.vecs.T, 0.0)
    return {"whole": s, "whole_rel": rel(s), "whole_z": zs(s)}


def soft_max(it: Item, r: Read) -> Columns:
    """Log-sum-exp of a criterion's sentence similarities (temperature 0.1): more sentences near
    it count, not the best two only."""
    s = np.log(np.exp(10.0 * it.sims).sum(axis=0))
    return {"lse": s, "lse_rel": s - s.max(), "lse_z": zs(s)}


def standard_prior(how: str) -> Candidate:
    """The whole evidence (mean of its sentences) against each standard, by its title, title and
    overview, the centroid of its criteria, or the last two summed; as a value, relative, z-score,
    and whether the standard is the first or among the first two."""

    def columns(it: Item, r: Read) -> Columns:
        by = {"title": r.std_title, "overview": r.std_over, "criteria": r.centroids()}
        s_vecs = unit(by["overview"] + by["criteria"]) if how == "both" else by[how]
        e = unit(it.vectors.mean(axis=0)) if len(it.vectors) else np.zeros(r.vecs.shape[1])
        s = s_vecs @ e
        rk = ranks(s)[r.crit_std]
        cs = r.crit_std
        return {"s": s[cs], "s_rel": rel(s)[cs], "s_z": zs(s)[cs], "s1": rk == 0, "s2": rk < 2}

    return columns


def criterion_context(it: Item, r: Read) -> Columns:
    s = top2(it.vectors @ r.context.T) if len(it.vectors) else np.zeros(len(r.context))
    return {"ctx": s, "ctx_rel": rel(s), "ctx_z": zs(s)}


def feedback(k: int = 5, alpha: float = 0.5) -> Candidate:
    """Pseudo-relevance feedback: the evidence's mean vector plus ``alpha`` times the mean of its
    ``k`` criteria nearest by meaning, against every criterion again."""

    def columns(it: Item, r: Read) -> Columns:
        if not len(it.vectors):
            return {"prf": np.zeros(len(r.vecs))}
        lead = np.argsort(-top2(it.sims), kind="stable")[:k]
        q = unit(unit(it.vectors.mean(axis=0)) + alpha * unit(r.vecs[lead].mean(axis=0)))
        s = r.vecs @ q
        return {"prf": s, "prf_rel": rel(np.maximum(s, 0.0)), "prf_z": zs(s)}

    return columns


def fusion(it: Item, r: Read) -> Columns:
    """Reciprocal-rank fusion (k = 10) of the word score's and the meaning's rankings."""
    v = 1.0 / (10.0 + ranks(it.raw)) + 1.0 / (10.0 + ranks(top2(it.sims)))
    return {"rrf": v / v.max()}


def standardised(it: Item, r: Read) -> Columns:
    """Each criterion's similarity standardised over the framework: z-scored by its similarities
    to the framework's other criteria, and less half its mean similarity to its 10 nearest
    criteria (hubness, as CSLS)."""
    cc = r.vecs @ r.vecs.T
    np.fill_diagonal(cc, np.nan)
    mu, sd = np.nanmean(cc, axis=1), np.nanstd(cc, axis=1)
    hub = np.sort(np.nan_to_num(cc, nan=-1.0), axis=1)[:, ::-1][:, :10].mean(axis=1)
    t = top2(it.sims)
    crit_z = (t - mu) / sd
    csls = t - 0.5 * hub
    return {"cz": crit_z, "cz_rel": crit_z - crit_z.max(), "csls": csls, "csls_z": zs(csls)}


def distinctive(it: Item, r: Read) -> Columns:
    """Meaning that sets a criterion apart from its siblings: sentences against the criterion's
    vector less its standard's centroid."""
    cent = np.stack([r.vecs[r.crit_std == s].mean(axis=0) for s in range(len(r.codes))])
    resid = unit(r.vecs - cent[r.crit_std])
    t = top2(it.vectors @ resid.T) if len(it.vectors) else np.zeros(len(r.vecs))
    return {"dist": t, "dist_rel": rel(t), "dist_z": zs(t)}


def neighbours_in_order(it: Item, r: Read) -> Columns:
    """The mean of the word and meaning scores of the criteria just before and after in the
    framework's order (same standard, same kind): a gold criterion's neighbour is 1.5-1.7 times
    as likely to be gold as another of its standard."""
    n = len(r.crit_std)
    same = (r.crit_std[1:] == r.crit_std[:-1]) & (r.is_knowledge[1:] == r.is_knowledge[:-1])
    out: Columns = {}
    for name in ("hand_rel", "emb_rel"):
        v = it.x[:, ALL_FEATURES.index(name)]
        left, right = np.zeros(n), np.zeros(n)
        left[1:] = np.where(same, v[:-1], 0.0)
        right[:-1] = np.where(same, v[1:], 0.0)
        out[f"adj_{name}"] = (left + right) / 2
    return out


def code_named(it: Item, r: Read) -> Columns:
    """The evidence names the criterion's standard by its code ("Professional discussion - ML04")."""
    hit = [re.search(rf"(?<![A-Za-z0-9]){re.escape(c)}(?![A-Za-z0-9])", it.text) for c in r.codes]
    return {"code": np.array([1.0 if h else 0.0 for h in hit])[r.crit_std]}


def within_standard(name: str) -> Candidate:
    """A criterion's standing among its own standard's criteria by one shipped column: its rank
    there, its margin over the best of its siblings, and its share of the standard by softmax
    (temperature 0.05): what tells a gold criterion from its siblings."""
    j = ALL_FEATURES.index(name)

    def columns(it: Item, r: Read) -> Columns:
        v = it.x[:, j]
        rank, margin, share = (np.zeros(len(v)) for _ in range(3))
        for s in np.unique(r.crit_std):
            m = np.flatnonzero(r.crit_std == s)
            top = np.sort(v[m])[::-1]
            rank[m] = 1.0 / (1.0 + ranks(v[m]))
            margin[m] = v[m] - np.where(v[m] >= top[0], top[min(1, len(top) - 1)], top[0])
            e = np.exp(20.0 * (v[m] - top[0]))
            share[m] = e / e.sum()
        return {"w_rank": rank, "w_margin": margin, "w_share": share}

    return columns


def sentence_shares(temperature: float) -> Candidate:
    """Each sentence shared out over the criteria by softmax of its cosines (``temperature``
    times), summed per criterion: a criterion that several sentences are about counts more, and a
    sentence near many criteria counts little for each."""

    def columns(it: Item, r: Read) -> Columns:
        e = np.exp(temperature * (it.sims - it.sims.max(axis=1, keepdims=True)))
        total = (e / e.sum(axis=1, keepdims=True)).sum(axis=0)
        return {"sh": total, "sh_rel": rel(total), "sh_log": np.log1p(total)}

    return columns


CANDIDATES: dict[str, Candidate | None] = {
    "as shipped": None,
    "best window of 2 sentences": windows(2),
    "best window of 3 sentences": windows(3),
    "whole evidence embedded at once": whole_text,
    "log-sum-exp over sentences": soft_max,
    "standard prior: title": standard_prior("title"),
    "standard prior: title and overview": standard_prior("overview"),
    "standard prior: centroid of its criteria": standard_prior("criteria"),
    "standard prior: overview + centroid": standard_prior("both"),
    "criterion with its standard's title": criterion_context,
    "pseudo-relevance feedback (5, 0.5)": feedback(),
    "rank fusion of words and meaning": fusion,
    "standardised over the framework": standardised,
    "distinctive meaning (less the centroid)": distinctive,
    "neighbours in the criteria's order": neighbours_in_order,
    "standard code named in the text": code_named,
    "within its standard: IDF-pooled meaning": within_standard("emb_idf_top2"),
    "within its standard: MiniLM's meaning": within_standard("emb_top2"),
    "within its standard: word score": within_standard("hand_rel"),
    "sentences shared out over criteria (x10)": sentence_shares(10.0),
    "sentences shared out over criteria (x20)": sentence_shares(20.0),
    "sentences shared out over criteria (x50)": sentence_shares(50.0),
}


def rows(r: Read, extra: Candidate | None) -> list[np.ndarray]:
    out = []
    for it in r.items:
        x = it.x[:, COLS]
        if extra is not None:
            cols = extra(it, r)
            x = np.hstack([x, np.column_stack([np.asarray(cols[k], float) for k in sorted(cols)])])
        out.append(x)
    return out


@dataclass(frozen=True)
class Figures:
    r10: float
    mrr: float
    f1: float
    hits: np.ndarray  # per item, its gold criteria in the top ten
    golds: np.ndarray  # per item, its gold criteria


def measure(r: Read, scores: list[np.ndarray], threshold: float) -> Figures:
    """recall@10 (micro), MRR and strong F1, as the engine ranks and marks strong."""
    hits = total = tp = fp = fn = 0
    rr = []
    per_item: list[tuple[int, int]] = []
    for it, s in zip(r.items, scores, strict=True):
        s = s.copy()
        for g in r.groups:
            s[g] = s[g].max()
        order = np.lexsort((np.arange(len(s)), -np.round(s, 12)))[:10]
        hits += int(it.gold[order].sum())
        total += int(it.gold.sum())
        per_item.append((int(it.gold[order].sum()), int(it.gold.sum())))
        if it.gold.any():
            found = np.flatnonzero(it.gold[order])
            rr.append(1.0 / (found[0] + 1) if len(found) else 0.0)
        cut = np.full(len(s), threshold)
        if it.markers < Params().strong_min_markers:
            cut[~it.near] = np.inf
        pick = np.zeros(len(s), dtype=bool)
        pick[[i for i in order if s[i] >= cut[i]][: Params().max_strong]] = True
        tp += int((pick & it.gold).sum())
        fp += int((pick & ~it.gold).sum())
        fn += int((~pick & it.gold).sum())
    f1 = 2 * tp / max(2 * tp + fp + fn, 1)
    got, gold = (np.array(v, dtype=float) for v in zip(*per_item, strict=True))
    return Figures(hits / max(total, 1), float(np.mean(rr)), f1, got, gold)


def interval(base: Figures, new: Figures, draws: int = 2000) -> tuple[float, float]:
    """The 5th and 95th percentiles of the change in recall@10 over ``draws`` paired bootstrap
    resamples of the items (seeded): how far the change could be noise."""
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(base.golds), size=(draws, len(base.golds)))
    gold = np.maximum(base.golds[pick].sum(axis=1), 1.0)
    change = (new.hits[pick].sum(axis=1) - base.hits[pick].sum(axis=1)) / gold
    low, high = np.percentile(change, [5, 95])
    return float(low), float(high)


def lofo(
    train: Read,
    test: Read,
    extra: Candidate | None,
    rows_of: Callable[..., list[np.ndarray]] = rows,
) -> Figures:
    x, y = rows_of(train, extra), [it.gold for it in train.items]
    mean, scale, w, b = fit_cold(np.vstack(x), np.concatenate(y), L2)
    oof: dict[int, np.ndarray] = {}
    for fold in kfold_indices(len(x), 5):
        rest = [j for j in range(len(x)) if j not in set(fold)]
        m, s, wi, bi = fit_cold(
            np.vstack([x[j] for j in rest]), np.concatenate([y[j] for j in rest]), L2
        )
        for j in fold:
            oof[j] = sigmoid(((x[j] - m) / s) @ wi + bi)
    threshold = best_threshold([oof[j] for j in range(len(x))], y, Params().max_strong)
    scores = [sigmoid(((xt - mean) / scale) @ w + b) for xt in rows_of(test, extra)]
    return measure(test, scores, threshold)


def report(
    read_: list, candidates: dict, only: str, rows_of: Callable[..., list[np.ndarray]] = rows
) -> None:
    """Each candidate's figures on both suites, leave one framework out, against the first row's."""
    base: list[Figures] = []
    for name, extra in candidates.items():
        if only and only not in name and extra is not None:
            continue
        figures = [lofo(read_[1 - i], r, extra, rows_of) for i, r in enumerate(read_)]
        base = base or figures
        cells = []
        for old, f in zip(base, figures, strict=True):
            low, high = interval(old, f)
            change = f"{f.r10 - old.r10:+.3f} [{low:+.3f}, {high:+.3f}]"
            cells.append(f"{f.r10:.3f} / {f.mrr:.3f} / {f.f1:.3f} {change:>22s}")
        print(f"  {name:42s} " + "  ".join(cells), flush=True)
    print(
        "(recall@10 / MRR / strong F1, then the change in recall@10 against the first row with the"
        " 5th-95th percentiles of 2,000 paired bootstrap resamples of the items)"
    )


def arguments(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """``--shared`` and ``--only``, as every candidate bench takes them."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--only", default="", help="only the candidates whose name contains this")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    started = time.process_time()
    encoded = encoded_dev_suites(args.shared)
    if encoded is None:
        return 1
    encoder, suites = encoded
    read_ = [read(s, encoder) for s in suites]
    print(f"items read in {time.process_time() - started:.1f} s CPU; LOFO cold, semantic reranker")
    print(f"  {'candidate':42s} " + "  ".join(f"{r.name[:44]:>44s}" for r in read_))
    report(read_, CANDIDATES, args.only)
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
