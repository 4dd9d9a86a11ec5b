"""Other views of meaning from the engine's own forward pass, each measured leave one framework out.

.venv/bin/python bench/suggest_views.py [--shared DIR] [--only NAME]

The dev suites are read as ``bench/suggest_cold.py`` reads them, by an encoder that is the engine's
(``mappings.engine.embed.Encoder``, so the shipped features are the same to the last bit) but also
keeps, for every text it encodes, other poolings of the same pass: the mean of an earlier layer's
token states (0 = the embedding layer), of several layers, max pooling, the [CLS] token, and the
last layer's token states pooled with weights (IDF over the framework's criteria, by word piece;
SIF). Each view gives a sentences x criteria cosine matrix, used either as four added columns
(a criterion's best sentence, mean of the two best, that relative to the item's best, z over the
item's criteria) or averaged with MiniLM's cosines, the shipped meaning columns then computed from
the average in their place. The reranker is trained on the other suite for each candidate
(``bench.suggest_cold.lofo``); each line ends with the change in recall@10 and its 5th-95th
percentiles over 2,000 paired bootstrap resamples. Results and CPU per item: ``docs/suggestions.md``,
"Other views of meaning". The IDF-pooled one is in the engine since 2026.12.6 (so "as shipped" now
includes it, and adding it again measures nothing); the others are not. The "add idf, ..." rows
add variants of it (``scheme``): IDF within each criterion's own standard, over the framework's
whole text, on one side of the cosine only ("Measured since" in that section).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import suggest_cold as sc  # noqa: E402
from bench.suggest_suites import dev_suites  # noqa: E402
from mappings.engine import embed  # noqa: E402
from mappings.engine.features import ALL_FEATURES, SEMANTIC_MODEL  # noqa: E402
from mappings.engine.semantic import SemanticParts, best_two, semantic_columns  # noqa: E402
from mappings.engine.text import sentence_spans  # noqa: E402

Views = dict[str, np.ndarray]
Extra = Callable[[sc.Item, sc.Read], tuple[dict[str, np.ndarray] | None, dict[str, np.ndarray]]]
SEM_COLS = [j for j, f in enumerate(SEMANTIC_MODEL) if f.startswith("emb_")]
HAND = ALL_FEATURES.index("hand_rel")


class ViewEncoder(embed.Encoder):
    """The engine's encoder, also keeping other poolings of each text (by text)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.views: dict[str, Views] = {}
        self.tokens: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # word pieces, last layer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))] if texts else []
        order = sorted((i for i in range(len(ids)) if texts[i].strip()), key=lambda i: len(ids[i]))
        with embed.one_blas_thread():
            for start in range(0, len(order), embed.BATCH):
                chunk = order[start : start + embed.BATCH]
                out[chunk] = self._views([ids[i] for i in chunk], [texts[i] for i in chunk])
        return out

    def encode_weighted(
        self, texts: Sequence[str], weights: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The engine's two views (its IDF-pooled one since 2026.12.6), keeping the others too."""
        return self.encode(texts), super().encode_weighted(texts, weights)[1]

    def _views(self, ids: list[list[int]], texts: list[str]) -> np.ndarray:
        lengths = np.array([len(t) for t in ids])
        tokens = np.concatenate([np.asarray(t, dtype=np.int64) for t in ids])
        place = np.concatenate([np.arange(n) for n in lengths])
        x = embed._norm(
            self.words[tokens] + self.positions[place] + self.token_type, *self.norm0, self.eps
        )
        groups = embed._groups(lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        means = [np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)]
        for layer in self.layers:
            x = self._layer(x, layer, groups)
            means.append(np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32))
        views = {f"L{k}": unit(m) for k, m in enumerate(means)}
        views["L5+L6"] = unit(means[5] + means[6])
        views["L1..L6"] = unit(sum(means[1:]))
        views["max"] = unit(np.maximum.reduceat(x, starts, axis=0))
        views["cls"] = unit(x[starts])
        for j, text in enumerate(texts):
            self.views[text] = {k: v[j] for k, v in views.items()}
            a = starts[j]
            self.tokens[text] = (np.asarray(ids[j]), x[a : a + lengths[j]].copy())
        return views["L6"]


def unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12))


class Viewer:
    """Per suite and view, the criteria's and an item's sentences' and title's vectors."""

    def __init__(
        self, encoder: ViewEncoder, criteria: dict[str, list[str]], titles: dict[int, str]
    ) -> None:
        self.enc = encoder
        self.criteria = criteria  # suite name -> its criteria's texts
        self.titles = titles  # id of an item -> its title
        self.cache: dict[tuple[str, str], np.ndarray] = {}
        self.docs: dict[str, list] = {}  # suite name -> its criteria (CriterionDoc)
        self.schemes: dict[tuple[str, str], Scheme] = {}

    def weights(self, view: str, suite: str) -> np.ndarray:
        """Word-piece weights for a pooled view: IDF over the suite's criteria, or SIF."""
        criteria = self.criteria[suite]
        df = np.zeros(self.enc.words.shape[0])
        for t in criteria:
            df[np.unique(self.enc.tokens[t][0])] += 1
        idf = np.log((len(criteria) + 1) / (df + 1)) + 1.0
        if view.startswith("sif"):
            a = float(view[3:])
            return a / (a + df / len(criteria))
        return idf ** {"idf": 1.0, "idf^2": 2.0, "idf^0.5": 0.5}[view]

    def one(self, view: str, suite: str, text: str) -> np.ndarray:
        if not text.strip():
            return np.zeros(self.enc.dimension, dtype=np.float32)
        if view in self.enc.views[text]:
            return self.enc.views[text][view]
        key = (f"weights {view}", suite)
        if key not in self.cache:
            self.cache[key] = self.weights(view, suite)
        return pooled(self, self.cache[key], text)

    def parts(self, view: str, it: sc.Item, r: sc.Read, centre: bool = False) -> SemanticParts:
        """The view's cosines of one item, as the engine's :class:`SemanticParts`."""
        key = (view, r.name)
        if key not in self.cache:
            self.cache[key] = np.stack([self.one(view, r.name, t) for t in self.criteria[r.name]])
        crit = self.cache[key]
        sentences = [it.text[a:b] for a, b in sentence_spans(it.text)]
        s = np.stack([self.one(view, r.name, t) for t in sentences]) if sentences else None
        title = self.one(view, r.name, self.titles[id(it)])
        if centre:  # less the mean of the framework's criteria
            mu = crit.mean(axis=0)
            crit, title = unit(crit - mu), unit(title - mu) if title.any() else title
            s = unit(s - mu) if s is not None else None
        n = len(crit)
        sims = s @ crit.T if s is not None else np.zeros((1, n), dtype=np.float32)
        mean = unit(s.mean(axis=0)) if s is not None else np.zeros(crit.shape[1])
        return SemanticParts(sims, title @ crit.T, mean @ crit.T, s if s is not None else mean[:0])


def added(v: Viewer, view: str, centre: bool = False) -> Extra:
    def extra(it: sc.Item, r: sc.Read) -> tuple[None, dict[str, np.ndarray]]:
        return None, four(v.parts(view, it, r, centre).sims)

    return extra


def four(sims: np.ndarray) -> dict[str, np.ndarray]:
    """The four added columns of a view's cosines, made as the engine makes its ``emb_idf_*``."""
    best, top2, rel, z = best_two(np.maximum(sims.astype(float), 0.0))
    return {"v_max": best, "v_top2": top2, "v_rel": rel, "v_z": z}


def idf_table(v: Viewer, docs: Sequence[str]) -> np.ndarray:
    """Each word piece's IDF over ``docs``, as the engine's ``Encoder.piece_weights``."""
    return v.enc.piece_weights([d for d in docs if d.strip()])


def pooled(v: Viewer, table: np.ndarray | None, text: str) -> np.ndarray:
    """A text's last-layer token states pooled with ``table`` (None: MiniLM's plain mean)."""
    if not text.strip():
        return np.zeros(v.enc.dimension, dtype=np.float32)
    if table is None:
        return v.enc.views[text]["L6"]
    ids, states = v.enc.tokens[text]
    w = table[ids].astype(np.float32)
    w[0] = w[-1] = 0.0  # [CLS], [SEP]
    return unit(w @ states if w.sum() > 0 else states.mean(axis=0))


# per suite: the weight tables (None = plain mean), and for each criterion the table its own text
# is pooled with and the table the evidence's sentences are pooled with to meet it
Scheme = tuple[list[np.ndarray | None], np.ndarray, np.ndarray]


def scheme(v: Viewer, how: str, suite: str) -> Scheme:
    docs = v.docs[suite]
    texts = [d.text for d in docs]
    n = len(docs)
    zero, one = np.zeros(n, dtype=int), np.ones(n, dtype=int)
    if how == "standard":
        codes = list(dict.fromkeys(d.standard for d in docs))
        std = np.array([codes.index(d.standard) for d in docs])
        tables: list[np.ndarray | None] = [
            idf_table(v, [t for t, s in zip(texts, std, strict=True) if s == k])
            for k in range(len(codes))
        ]
        return tables, std, std
    if how == "whole":
        extra = dict.fromkeys(t for d in docs for t in (d.standard_title, d.standard_overview))
        return [idf_table(v, texts + [t for t in extra if t.strip()])], zero, zero
    both = [None, idf_table(v, texts)]
    return (both, zero, one) if how == "evidence" else (both, one, zero)


def schemed(v: Viewer, how: str) -> Extra:
    """Four added columns from a cosine matrix whose two sides are pooled as ``scheme`` says."""

    def extra(it: sc.Item, r: sc.Read) -> tuple[None, dict[str, np.ndarray]]:
        key = (f"scheme {how}", r.name)
        if key not in v.cache:
            tables, tc, _ = v.schemes.setdefault(key, scheme(v, how, r.name))
            v.cache[key] = np.stack(
                [pooled(v, tables[k], d.text) for k, d in zip(tc, v.docs[r.name], strict=True)]
            )
        tables, _, ts = v.schemes[key]
        crit = v.cache[key]
        sentences = [it.text[a:b] for a, b in sentence_spans(it.text)]
        s = np.zeros((max(len(sentences), 1), len(crit)))
        for k in np.unique(ts) if sentences else ():
            pool = np.stack([pooled(v, tables[k], t) for t in sentences])
            s[:, ts == k] = pool @ crit[ts == k].T
        return None, four(s)

    return extra


def averaged(v: Viewer, view: str, w: float = 0.5) -> Extra:
    """MiniLM's cosines (weight 1 - w) and the view's (w); the shipped meaning columns recomputed
    from the mix, in place of MiniLM's."""

    def extra(it: sc.Item, r: sc.Read) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        a, b = v.parts("L6", it, r), v.parts(view, it, r)
        mix = SemanticParts(
            (1 - w) * a.sims + w * b.sims,
            (1 - w) * a.title + w * b.title,
            (1 - w) * a.doc + w * b.doc,
            a.vectors,
        )
        return semantic_columns(mix, r.crit_std, it.x[:, HAND]), {}

    return extra


def rows(r: sc.Read, extra: Extra | None) -> list[np.ndarray]:
    out = []
    for it in r.items:
        x = it.x[:, sc.COLS].copy()
        if extra is not None:
            replace, add = extra(it, r)
            for j in SEM_COLS if replace else ():
                x[:, j] = replace[SEMANTIC_MODEL[j]]
            if add:
                x = np.hstack(
                    [x, np.column_stack([np.asarray(add[k], float) for k in sorted(add)])]
                )
        out.append(x)
    return out


def candidates(v: Viewer) -> dict[str, Extra | None]:
    found: dict[str, Extra | None] = {"as shipped": None}
    for view in ("L0", "L1", "L2", "L3", "L4", "L5", "L5+L6", "L1..L6", "max", "cls"):
        found[f"add {view}"] = added(v, view)
    for view in ("L3", "L4", "L5+L6", "L1..L6", "max", "cls"):
        found[f"average {view}"] = averaged(v, view)
    found["add L6 less the criteria's mean"] = added(v, "L6", centre=True)
    for view in ("idf", "idf^2", "idf^0.5", "sif0.1", "sif0.01"):
        found[f"add {view}-pooled"] = added(v, view)
    found["average idf-pooled"] = averaged(v, "idf")
    found["idf-pooled instead of MiniLM's mean"] = averaged(v, "idf", 1.0)
    found["add idf, within standard"] = schemed(v, "standard")
    found["add idf, over the whole framework text"] = schemed(v, "whole")
    found["add idf, evidence side only"] = schemed(v, "evidence")
    found["add idf, criteria side only"] = schemed(v, "criteria")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sc.arguments(__doc__, argv)
    started = time.process_time()
    folder = embed.model_folder()
    if folder is None:
        print("embedding weights not installed")
        return 1
    encoder = ViewEncoder(folder)
    memo = embed.MemoEncoder(encoder)
    suites = dev_suites(args.shared, memo)
    read_ = [sc.read(s, memo) for s in suites]
    criteria = {s.name: [c.text for c in s.framework.criteria] for s in suites}
    titles = {
        id(it): raw["title"].strip()
        for s, r in zip(suites, read_, strict=True)
        for it, raw in zip(r.items, s.items, strict=True)
    }
    viewer = Viewer(encoder, criteria, titles)
    viewer.docs = {s.name: list(s.framework.criteria) for s in suites}
    print(f"items read in {time.process_time() - started:.1f} s CPU; LOFO cold, semantic reranker")
    sc.report(read_, candidates(viewer), args.only, rows)  # type: ignore[arg-type]
    print(f"CPU time {time.process_time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
