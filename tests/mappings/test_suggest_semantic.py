"""The engine reading meaning: sentence embeddings as features, explanations spread over the
text, and past decisions remembered by meaning. Uses the packaged all-MiniLM-L6-v2 weights."""

from __future__ import annotations

import numpy as np
import pytest

from demo.accounts import sample_framework_text
from mappings.engine.dataset import framework_from_text
from mappings.engine.embed import MemoEncoder, load_encoder
from mappings.engine.explain import quotes, support
from mappings.engine.features import ALL_FEATURES, COLD_FEATURES, WARM_FEATURES
from mappings.engine.semantic import criterion_embeddings
from mappings.engine.suggest import Example, SuggestionEngine

from .test_suggest_engine import CV, FADING, MEMO

ENCODER = load_encoder()
pytestmark = pytest.mark.skipif(ENCODER is None, reason="embedding weights not installed")

INTERVIEW = (
    "I went with J to her interview at the garden centre. Before it we practised answers to the "
    "questions she feared. I explained to the manager that J needs instructions written down. "
    "The manager agreed to give her a written rota. J was offered the job the next day."
)


@pytest.fixture(scope="module")
def sample() -> SuggestionEngine:
    """The sample framework with no vocabulary: what any imported framework gets."""
    fw = framework_from_text(sample_framework_text())
    assert ENCODER is not None
    encoder = MemoEncoder(ENCODER)
    return fw.engine(None, encoder, criterion_embeddings(encoder, fw.criteria))


def test_meaning_features_are_computed_and_finite(sample: SuggestionEngine) -> None:
    assert sample.semantic
    _parts, x, _w = sample.features(kind="observation_record", title="Coaching", text=FADING)
    assert x.shape == (len(sample.criteria), len(ALL_FEATURES))
    meaning = x[:, len(COLD_FEATURES) :]
    assert np.isfinite(meaning).all() and meaning.any()
    emb = ALL_FEATURES.index("emb_top2")
    codes = [(c.standard, c.code) for c in sample.criteria]
    # a text about coaching someone at work is closest in meaning to the standard about support
    # in the workplace, whatever words it uses
    nearest = [codes[i][0] for i in np.argsort(-x[:, emb])[:5]]
    assert nearest.count("SE07") >= 3


def test_the_idf_pooled_view_is_read_and_an_encoder_that_cannot_weigh_gets_the_plain_one(
    sample: SuggestionEngine,
) -> None:
    _parts, x, _w = sample.features(kind="observation_record", title="Coaching", text=FADING)
    pairs = [("emb_idf_max", "emb_max"), ("emb_idf_top2", "emb_top2"), ("emb_idf_rel", "emb_rel")]
    cols = [(ALL_FEATURES.index(a), ALL_FEATURES.index(b)) for a, b in pairs]
    assert all(x[:, i].any() and not np.allclose(x[:, i], x[:, j]) for i, j in cols)

    class Plain:  # an encoder with no weighted view (a test double, another model)
        def encode(self, texts: list[str]) -> np.ndarray:
            assert ENCODER is not None
            return ENCODER.encode(texts)

    fw = framework_from_text(sample_framework_text())
    plain = fw.engine(None, Plain())
    _parts, y, _w = plain.features(kind="observation_record", title="Coaching", text=FADING)
    assert all(np.allclose(y[:, i], y[:, j]) for i, j in cols)
    assert np.allclose(y[:, cols[1][1]], x[:, cols[1][1]], atol=1e-5)  # the plain view unchanged


def test_a_framework_without_vocabulary_ranks_the_obvious_criteria_first(
    sample: SuggestionEngine,
) -> None:
    fading = sample.suggest(kind="observation_record", title="Coaching", text=FADING)
    assert (fading[0].standard, fading[0].criterion) == ("SE07", "P4")
    cv = sample.suggest(kind="star_narrative", title="CV", text=CV)
    assert {(s.standard, s.criterion) for s in cv[:2]} == {("SE04", "P6"), ("SE03", "P3")}
    assert cv[0].strong


def test_text_about_nothing_assessable_gets_no_strong_suggestion(sample: SuggestionEngine) -> None:
    for text in (MEMO, "Lorem ipsum dolor sit amet.", ""):
        assert not any(s.strong for s in sample.suggest(kind="other", title="", text=text))


def test_quotes_spread_over_sentences_that_serve_almost_as_well() -> None:
    backing = np.array(
        [
            [1.0, 1.0, 1.0, 1.0],  # sentence 0 is the best for every criterion
            [0.0, 0.9, 0.0, 0.2],  # sentence 1 serves criterion 1 almost as well
            [0.0, 0.0, 0.8, 0.1],  # sentence 2 serves criterion 2
        ]
    )
    chosen = quotes([0, 1, 2, 3], backing, k=1)
    assert chosen == {0: (0,), 1: (1,), 2: (2,), 3: (0,)}  # criterion 3 has nothing else close
    assert quotes([0], backing, k=3)[0] == (0,)  # weak sentences are never quoted to fill up
    assert support(None, None) is None


def test_suggestions_quote_more_than_one_sentence_across_criteria(
    sample: SuggestionEngine,
) -> None:
    out = sample.suggest(kind="star_narrative", title="Interview", text=INTERVIEW, top=6)
    assert all(s.because and all(b in INTERVIEW for b in s.because) for s in out)
    quoted = {b for s in out for b in s.because}
    assert len(quoted) >= 3


def test_a_decision_teaches_by_meaning_and_says_so(sample: SuggestionEngine) -> None:
    said_before = (
        "At the interview I asked the manager to write down J's instructions for her. "
        "He agreed to that adjustment."
    )
    target = ("SE02", "P8")  # propose reasonable adjustments to employers
    assert target in {(c.standard, c.code) for c in sample.criteria}
    warm = sample.with_examples(
        [Example("star_narrative", "Interview", said_before, target[0], target[1], True)]
    )
    cold = {
        (s.standard, s.criterion): s
        for s in sample.suggest(kind="star_narrative", title="Interview", text=INTERVIEW, top=200)
    }
    after = {
        (s.standard, s.criterion): s
        for s in warm.suggest(kind="star_narrative", title="Interview", text=INTERVIEW, top=200)
    }
    assert after[target].score > cold[target].score
    assert after[target].learned in said_before and after[target].learned
    assert not cold[target].learned
    _p, _x, w = warm.features(kind="star_narrative", title="Interview", text=INTERVIEW)
    assert w[:, WARM_FEATURES.index("sem_accepted")].max() > 0.5
