"""The learned reranker: feature extraction, training and the shipped weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.engine.features import (
    ALL_FEATURES,
    COLD_FEATURES,
    SEMANTIC_MODEL,
    WARM_FEATURES,
    WARM_SIGNS,
    WORDS_MODEL,
    feature_columns,
    warm_features,
)
from mappings.engine.model import RerankModel, best_threshold, fit_cold, fit_warm, sigmoid
from mappings.engine.suggest import CriterionDoc, Example, Params, SuggestionEngine
from mappings.engine.weights import shipped_model

from .test_suggest_engine import CRITERIA, CV, FADING, GLOSSARY, MEMO, VOCAB


@pytest.fixture(scope="module")
def engine() -> SuggestionEngine:
    return SuggestionEngine.build(CRITERIA, GLOSSARY, vocabulary=VOCAB)


def test_feature_matrices_have_one_row_per_criterion(engine: SuggestionEngine) -> None:
    parts, x, w = engine.features(kind="observation_record", title="Coaching", text=FADING)
    assert x.shape == (len(CRITERIA), len(ALL_FEATURES))
    assert not x[:, len(COLD_FEATURES) :].any()  # no encoder, no meaning features
    assert w.shape == (len(CRITERIA), len(WARM_FEATURES))
    assert np.isfinite(x).all()
    assert not w.any()  # no examples, no warm signal
    assert len(parts.best) == len(CRITERIA)


def test_every_named_feature_is_computed_once(engine: SuggestionEngine) -> None:
    parts, x, _w = engine.features(kind="product", title="CV", text=CV)
    cols = feature_columns(parts, engine._statics, "product")
    assert sorted(cols) == sorted(COLD_FEATURES) and len(set(COLD_FEATURES)) == len(COLD_FEATURES)
    for i, name in enumerate(COLD_FEATURES):
        assert np.array_equal(x[:, i], cols[name]), name


def test_features_are_deterministic(engine: SuggestionEngine) -> None:
    a = engine.features(kind="product", title="CV", text=CV)[1]
    b = engine.features(kind="product", title="CV", text=CV)[1]
    assert np.array_equal(a, b)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["other", "product", "professional_discussion"]))
def test_features_finite_for_any_text(text: str, kind: str) -> None:
    e = SuggestionEngine.build(CRITERIA, GLOSSARY, vocabulary=VOCAB)
    _parts, x, _w = e.features(kind=kind, title="", text=text)
    assert np.isfinite(x).all()


def test_warm_features_zero_without_neighbours_and_signed_with_them() -> None:
    assert not warm_features(None, 4).any()
    e = SuggestionEngine.build(CRITERIA, GLOSSARY, vocabulary=VOCAB)
    e.add_examples([Example("observation_record", "Coach", FADING, "SE07", "P4", True)])
    _p, _x, w = e.features(kind="observation_record", title="Coach", text=FADING)
    idx = [(c.standard, c.code) for c in CRITERIA].index(("SE07", "P4"))
    assert w[idx, WARM_FEATURES.index("max_accepted")] == pytest.approx(1.0)
    assert w[idx, WARM_FEATURES.index("knn_vote")] > 0


def _toy(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + 0.3 * rng.normal(size=400) > 0.8).astype(float)
    return x, y


def test_fit_cold_learns_the_signal_and_is_deterministic() -> None:
    x, y = _toy()
    mean, scale, w, b = fit_cold(x, y, 0.001)
    assert w[0] > 1.0 and abs(w[1]) < 0.5 * w[0]
    again = fit_cold(x, y, 0.001)
    assert np.allclose(w, again[2]) and b == pytest.approx(again[3])
    p = sigmoid(((x - mean) / scale) @ w + b)
    assert ((p >= 0) & (p <= 1)).all()
    assert p[y == 1].mean() > p[y == 0].mean()


def test_fit_warm_keeps_the_declared_signs() -> None:
    rng = np.random.default_rng(1)
    w = rng.random((300, len(WARM_FEATURES)))
    y = (w[:, 3] > 0.5).astype(float)  # a "referred" share that predicts acceptance
    v = fit_warm(w, y, np.zeros(300), 0.001)
    for value, sign in zip(v, WARM_SIGNS, strict=True):
        assert value * sign >= -1e-9


def test_best_threshold_picks_the_separating_cut() -> None:
    probs = [np.array([0.9, 0.8, 0.2, 0.1]), np.array([0.7, 0.3, 0.2])]
    golds = [np.array([1, 1, 0, 0], bool), np.array([1, 0, 0], bool)]
    t = best_threshold(probs, golds, max_strong=9)
    assert 0.3 < t <= 0.7


@pytest.mark.parametrize(("semantic", "features"), [(False, WORDS_MODEL), (True, SEMANTIC_MODEL)])
def test_shipped_weights_load_and_round_trip(semantic: bool, features: tuple[str, ...]) -> None:
    m = shipped_model(semantic)
    assert m.features == features and m.semantic == semantic
    assert len(m.weights) == len(features) and len(m.warm_weights) == len(WARM_FEATURES)
    assert 0.0 < m.threshold < 1.0 and 0.0 < m.warm_threshold < 1.0
    again = RerankModel.from_dict(m.to_dict())
    assert np.allclose(again.weights, m.weights) and again.bias == pytest.approx(m.bias)
    assert again.features == m.features
    bad = m.to_dict() | {"cold_features": ["x"]}
    with pytest.raises(ValueError):
        RerankModel.from_dict(bad)


def test_reranker_and_hand_scorer_both_rank_the_obvious_criterion_first() -> None:
    for reranker in (True, False):
        e = SuggestionEngine.build(CRITERIA, GLOSSARY, Params(reranker=reranker), vocabulary=VOCAB)
        out = e.suggest(kind="observation_record", title="Coaching", text=FADING)
        assert (out[0].standard, out[0].criterion) == ("SE07", "P4")
        assert not any(s.strong for s in e.suggest(kind="other", title="", text=MEMO))


VALUES_CRITERIA = [
    *CRITERIA,
    CriterionDoc(
        "SE01",
        "P3",
        "performance",
        "act non-judgementally and respect individuals' rights to choose their own employment "
        "and career aspirations",
        "Develop and apply values and ethical practice within supported employment",
    ),
]
VALUES = [
    "Choice and control: people are presented with options and support to achieve their career "
    "aspirations, and support is built around the individual.",
    "Zero rejection: everyone can work, with the right job and the right support.",
]
CHOICE = (
    "R wanted to work with animals although her family thought an office job was safer. I "
    "respected her choice and her career aspirations, and we looked at kennel jobs together."
)


def test_values_feature_ties_value_criteria_to_evidence_about_values() -> None:
    col = COLD_FEATURES.index("values_x_values")
    with_values = SuggestionEngine.build(VALUES_CRITERIA, GLOSSARY, None, VALUES)
    x = with_values.features(kind="reflective_account", title="Choice", text=CHOICE)[1]
    codes = [(c.standard, c.code) for c in VALUES_CRITERIA]
    value_criterion = x[codes.index(("SE01", "P3")), col]
    assert value_criterion > 0
    assert value_criterion > x[codes.index(("SE07", "K3")), col]
    # the same criterion, evidence that does not speak of choice: weaker
    memo = with_values.features(kind="reflective_account", title="Memo", text=MEMO)[1]
    assert memo[codes.index(("SE01", "P3")), col] < value_criterion
    # a framework without a statement of values: the feature is silent
    without = SuggestionEngine.build(VALUES_CRITERIA, GLOSSARY)
    assert not without.features(kind="reflective_account", title="Choice", text=CHOICE)[1][
        :, col
    ].any()
