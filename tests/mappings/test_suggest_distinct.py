"""Distinctive key terms (word pairs, vocabulary concepts): what sets a criterion apart from its
siblings in its standard."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.engine.features import COLD_FEATURES
from mappings.engine.suggest import CriterionDoc, SuggestionEngine

COL = COLD_FEATURES.index("distinct_cov")

# In X01 every criterion is about risk; only P2 also names prejudice and only P3 a referral.
CRITERIA = [
    CriterionDoc("X01", "P1", "performance", "carry out a risk assessment", "Manage risk"),
    CriterionDoc(
        "X01", "P2", "performance", "carry out a risk assessment and challenge prejudice", "Risk"
    ),
    CriterionDoc("X01", "P3", "performance", "use a risk assessment to make a referral", "Risk"),
    CriterionDoc("X01", "K1", "knowledge", "why a risk assessment matters", "Manage risk"),
    CriterionDoc("X02", "P1", "performance", "follow the code of conduct", "Conduct"),
]


@pytest.fixture(scope="module")
def engine() -> SuggestionEngine:
    return SuggestionEngine.build(CRITERIA)


def _cov(engine: SuggestionEngine, text: str) -> np.ndarray:
    _parts, x, _w = engine.features(kind="reflective_account", title="", text=text)
    return x[:, COL]


def test_a_concept_every_sibling_shares_is_not_distinctive(engine: SuggestionEngine) -> None:
    shared = _cov(engine, "I carried out a risk assessment with the employer.")
    assert shared[0] == pytest.approx(1.0)  # all P1 has, but P1 is no different from its siblings
    assert shared[1] < 0.5 and shared[2] < 0.5
    unique = _cov(engine, "I carried out a risk assessment and challenged prejudice.")
    assert unique[1] > 2 * shared[1]


@pytest.mark.parametrize(
    ("text", "winner", "rival"),
    [
        ("After the risk assessment I challenged prejudice from a supervisor.", 1, 2),
        ("After the risk assessment I had to make a referral to a debt service.", 2, 1),
        ("I followed the code of conduct.", 4, 0),
    ],
)
def test_the_sibling_whose_distinctive_concept_is_found_beats_the_one_whose_is_not(
    engine: SuggestionEngine, text: str, winner: int, rival: int
) -> None:
    cov = _cov(engine, text)
    assert cov[winner] >= 0.5
    assert cov[rival] < cov[winner] / 2


def test_distinctive_weights_are_built_from_the_criterion_text_only(
    engine: SuggestionEngine,
) -> None:
    built = engine._statics.distinct.toarray()
    again = SuggestionEngine(
        engine._criteria,
        engine._matrix,
        engine._vocab,
        engine._idf,
        engine._groups,
        engine.params,
    )._statics.distinct.toarray()
    assert np.allclose(built, again)
    assert (built >= 0).all()


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_distinct_coverage_is_a_share(text: str) -> None:
    engine = SuggestionEngine.build(CRITERIA)
    cov = _cov(engine, text)
    assert np.isfinite(cov).all() and (cov >= 0).all() and (cov <= 1 + 1e-9).all()
