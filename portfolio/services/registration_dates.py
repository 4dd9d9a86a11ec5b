"""The dates of a registration: the rule they keep and the planned end it gets by default."""

from __future__ import annotations

from datetime import date, timedelta

from portfolio.errors import Invalid


def default_planned_end(start: date) -> date:
    """The planned end of a registration when none is given, whoever makes it (the page, the CSV
    import, the command): a year less a day, so one starting on 1 September ends on 31 August.
    A start on 29 February ends on 28 February."""
    try:
        same_day = start.replace(year=start.year + 1)
    except ValueError:  # 29 February, and next year has none
        same_day = date(start.year + 1, 3, 1)
    return same_day - timedelta(days=1)


EARLIEST_START = date(1950, 1, 1)  # before, or years ahead: a mistyped year ("0001", "2206")
YEARS_AHEAD = 5  # the latest start, from today
LONGEST_YEARS = 10  # the latest planned end, from the start


def _years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def _said(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def check_dates(start_date: date, planned_end: date) -> None:
    """The planned end after the start; a start before 1950 or years ahead, or a planned end
    more than ten years on, is refused as a mistyped year (before any arithmetic goes past
    9999)."""
    if not EARLIEST_START <= start_date <= _years_after(date.today(), YEARS_AHEAD):
        raise Invalid(f"The start date {_said(start_date)} cannot be right: check the year.")
    if planned_end <= start_date:
        raise Invalid("The planned end date must be after the start date.")
    if planned_end > _years_after(start_date, LONGEST_YEARS):
        raise Invalid(
            f"The planned end date {_said(planned_end)} is more than {LONGEST_YEARS} years after "
            "the start: check the year."
        )
