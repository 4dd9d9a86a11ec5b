"""Red/amber/green progress of a registration: criteria met against the share of time elapsed.

``elapsed`` is the percentage of the planned period (``start`` to ``planned_end``) that has
passed by ``today``, clamped to 0..100. With the default margins:

* ``green``: everything met, or ``percent_met >= elapsed - 10`` (on track or nearly);
* ``red``: past ``planned_end`` and not complete, or ``percent_met < elapsed - 25``;
* ``amber``: in between (behind by more than 10 points, not more than 25).

Before the start nothing is expected, so the status is green. A period of zero days counts as
fully elapsed from its first day.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

Rag = Literal["red", "amber", "green"]

GREEN_MARGIN = 10.0
RED_MARGIN = 25.0


def whole_percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage, halves rounded up (17 of 28 -> 61)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def elapsed_percent(start: date, planned_end: date, today: date) -> float:
    if planned_end < start:
        raise ValueError("planned_end must not be before start")
    if today < start:
        return 0.0
    span = (planned_end - start).days
    if span == 0 or today >= planned_end:
        return 100.0
    return 100.0 * (today - start).days / span


def rag_status(
    percent_met: float,
    start: date,
    planned_end: date,
    today: date,
    *,
    green_margin: float = GREEN_MARGIN,
    red_margin: float = RED_MARGIN,
) -> Rag:
    if not 0.0 <= percent_met <= 100.0:
        raise ValueError("percent_met must be between 0 and 100")
    if not 0.0 <= green_margin <= red_margin:
        raise ValueError("margins must satisfy 0 <= green_margin <= red_margin")
    elapsed = elapsed_percent(start, planned_end, today)
    if percent_met >= 100.0:
        return "green"
    if today > planned_end or percent_met < elapsed - red_margin:
        return "red"
    if percent_met >= elapsed - green_margin:
        return "green"
    return "amber"
