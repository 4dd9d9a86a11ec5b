"""One page of a long list, and where it sits in the whole (the evidence list, the marking queue),
and the condition of a keyset page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_

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


def past(keys: Sequence[Any], values: Sequence[Any], *, back: bool = False) -> Any:
    """The rows after ``values`` in the (ascending) order of the columns ``keys``: "the first
    key from its value on, and past it or past it in the next keys", which a database seeks in
    an index of the keys rather than filtering every row (a keyset page: the values are those of
    the last row of the page before). ``back``: the rows before them instead (the page before a
    page: the values are those of its first row)."""
    found: Any = keys[-1] < values[-1] if back else keys[-1] > values[-1]
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        if back:
            found = and_(key <= value, or_(key < value, found))
        else:
            found = and_(key >= value, or_(key > value, found))
    return found
