from __future__ import annotations

from datetime import date

import pytest

from mappings.assessment.progress import elapsed_percent, rag_status

START = date(2024, 1, 1)
END = date(2024, 4, 10)  # 100 days after START


def test_period_is_100_days():
    assert (END - START).days == 100


@pytest.mark.parametrize(
    ("percent_met", "today", "expected"),
    [
        (0.0, date(2023, 12, 1), "green"),  # before the start
        (0.0, START, "green"),  # first day: nothing expected yet
        (0.0, date(2024, 1, 11), "green"),  # 10% elapsed, 0 met: at the green margin
        (0.0, date(2024, 1, 12), "amber"),  # 11% elapsed
        (0.0, date(2024, 1, 26), "amber"),  # 25% elapsed: exactly at the red margin
        (0.0, date(2024, 1, 27), "red"),  # 26% elapsed
        (40.0, date(2024, 2, 20), "green"),  # 50% elapsed, 40 met
        (39.0, date(2024, 2, 20), "amber"),
        (25.0, date(2024, 2, 20), "amber"),
        (24.9, date(2024, 2, 20), "red"),
        (90.0, END, "green"),  # last day, nearly done
        (80.0, END, "amber"),
        (74.0, END, "red"),
        (99.0, date(2024, 4, 11), "red"),  # past the end and incomplete
        (100.0, date(2024, 4, 11), "green"),  # past the end but complete
        (100.0, date(2030, 1, 1), "green"),
    ],
)
def test_rag_table(percent_met: float, today: date, expected: str):
    assert rag_status(percent_met, START, END, today) == expected


def test_zero_length_period():
    assert elapsed_percent(START, START, START) == 100.0
    assert rag_status(50.0, START, START, START) == "red"
    assert rag_status(100.0, START, START, START) == "green"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((50.0, END, START, START), {}),  # end before start
        ((-1.0, START, END, START), {}),
        ((101.0, START, END, START), {}),
        ((50.0, START, END, START), {"green_margin": 30.0, "red_margin": 20.0}),
    ],
)
def test_rag_rejects_bad_input(args: tuple[float, date, date, date], kwargs: dict[str, float]):
    with pytest.raises(ValueError):
        rag_status(*args, **kwargs)


def test_custom_margins():
    assert rag_status(44.9, START, END, date(2024, 2, 20), green_margin=0, red_margin=5) == "red"
    assert rag_status(45.0, START, END, date(2024, 2, 20), green_margin=0, red_margin=5) == "amber"
