"""One page of a long list, and where it sits in the whole (the evidence list, the marking queue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def window(self, edge: int = 2, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first and last few and those around this one; None where
        a run of pages is left out."""
        shown: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n <= edge or n > self.pages - edge or abs(n - self.page) <= around:
                shown.append(n)
            elif shown[-1] is not None:
                shown.append(None)
        return shown


def clamp(page: int, total: int, per_page: int) -> int:
    """``page`` within 1 .. the number of pages of ``total`` rows."""
    return min(max(1, page), max(1, -(-total // per_page)))
