"""One page of a plan's samples: a cycle at 25,000 decisions has thousands, and the plan page
shows them a hundred at a time with their counts (the plan's other figures still count them all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portfolio.paging import Paged, clamp

PAGE_SIZE = 100


@dataclass(frozen=True)
class SamplePage(Paged[Any]):
    """A page of (sample, where, review outcome) rows, with counts over all the samples."""

    reviewed: int
    dropped: int


def sample_page(samples: list[Any], page: int | None, *, show: int | None = None) -> SamplePage:
    """Page ``page`` (from 1, kept within range) of ``samples``; ``show``, a sample's id, picks
    the page holding it instead (a form of that row failed and is shown with its error)."""
    if show is not None:
        where = next((n for n, (s, *_) in enumerate(samples) if s.id == show), None)
        page = where // PAGE_SIZE + 1 if where is not None else page
    number = clamp(page or 1, len(samples), PAGE_SIZE)
    start = (number - 1) * PAGE_SIZE
    return SamplePage(
        rows=samples[start : start + PAGE_SIZE],
        total=len(samples),
        page=number,
        per_page=PAGE_SIZE,
        reviewed=sum(1 for _, _, outcome in samples if outcome),
        dropped=sum(1 for s, _, _ in samples if s.dropped),
    )
