"""One page of a plan's samples: a cycle at 25,000 decisions has thousands, and the plan page
shows them a hundred at a time with their counts (the plan's other figures still count them all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 100


@dataclass(frozen=True)
class SamplePage:
    rows: list[Any]  # (sample, where, review outcome) of this page
    page: int
    pages: int
    total: int
    first: int  # place of the page's first row among all, from 1 (0 when there are none)
    last: int
    reviewed: int  # of all the samples
    dropped: int


def sample_page(samples: list[Any], page: int | None, *, show: int | None = None) -> SamplePage:
    """Page ``page`` (from 1, kept within range) of ``samples``; ``show``, a sample's id, picks
    the page holding it instead (a form of that row failed and is shown with its error)."""
    total = len(samples)
    pages = max(1, -(-total // PAGE_SIZE))
    if show is not None:
        where = next((n for n, (s, *_) in enumerate(samples) if s.id == show), None)
        page = where // PAGE_SIZE + 1 if where is not None else page
    number = min(max(page or 1, 1), pages)
    start = (number - 1) * PAGE_SIZE
    rows = samples[start : start + PAGE_SIZE]
    return SamplePage(
        rows=rows,
        page=number,
        pages=pages,
        total=total,
        first=start + 1 if rows else 0,
        last=start + len(rows),
        reviewed=sum(1 for _, _, outcome in samples if outcome),
        dropped=sum(1 for s, _, _ in samples if s.dropped),
    )
