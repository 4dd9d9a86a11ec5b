"""Fixtures for the framework importers: paths to the shared input files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / "tests" / "data" / "shared"
SEEDS = SHARED / "seeds"
DATA = Path(__file__).resolve().parent / "data"
SUITE_TEXT = SEEDS / "003_b475007781b3f849.txt"
TOPIC_GUIDES = sorted(p for p in SEEDS.glob("*.txt") if p.name != SUITE_TEXT.name)


@pytest.fixture(scope="session")
def suite_text() -> str:
    return SUITE_TEXT.read_text(encoding="utf-8")
