"""Table-driven tests of the suggestion metrics."""

from __future__ import annotations

import pytest

from mappings.engine.metrics import (
    empty_when_no_gold,
    kfold_indices,
    mean_reciprocal_rank,
    percentile,
    recall_at_k_macro,
    recall_at_k_micro,
    reciprocal_rank,
    set_prf_micro,
)

RANKED = [["a", "b", "c"], ["x", "y", "z"], ["p"]]
GOLD = [{"b", "c", "d"}, {"x"}, set()]


@pytest.mark.parametrize(
    ("k", "micro", "macro"),
    [(1, 1 / 4, (0 + 1) / 2), (2, 2 / 4, (1 / 3 + 1) / 2), (3, 3 / 4, (2 / 3 + 1) / 2)],
)
def test_recall_at_k(k: int, micro: float, macro: float) -> None:
    assert recall_at_k_micro(RANKED, GOLD, k) == pytest.approx(micro)
    assert recall_at_k_macro(RANKED, GOLD, k) == pytest.approx(macro)


@pytest.mark.parametrize(
    ("ranked", "gold", "rr"),
    [(["a", "b"], {"b"}, 0.5), (["a"], {"a"}, 1.0), (["a"], {"z"}, 0.0), ([], {"a"}, 0.0)],
)
def test_reciprocal_rank(ranked: list[str], gold: set[str], rr: float) -> None:
    assert reciprocal_rank(ranked, gold) == rr


def test_mrr_skips_items_without_gold() -> None:
    assert mean_reciprocal_rank(RANKED, GOLD) == pytest.approx((0.5 + 1.0) / 2)


def test_set_prf_micro() -> None:
    prf = set_prf_micro([{"b", "q"}, {"x"}, {"p"}], GOLD)
    assert (prf.tp, prf.fp, prf.fn) == (2, 2, 2)
    assert prf.precision == pytest.approx(0.5)
    assert prf.recall == pytest.approx(0.5)
    assert prf.f1 == pytest.approx(0.5)


def test_empty_when_no_gold() -> None:
    assert empty_when_no_gold([set(), set(), set()], GOLD) == (1, 1)
    assert empty_when_no_gold([set(), set(), {"p"}], GOLD) == (0, 1)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 50, 0.0), ([3.0], 95, 3.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([0.0, 10.0], 95, 9.5)],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(("n", "k"), [(10, 3), (48, 5), (3, 5), (1, 1)])
def test_kfold_partitions(n: int, k: int) -> None:
    folds = kfold_indices(n, k)
    flat = sorted(i for f in folds for i in f)
    assert flat == list(range(n))
    assert all(folds)
