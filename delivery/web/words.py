"""Words people use: dates and times in the centre's time zone, waiting times, audit actions.

One Jinja filter formats every date and time on ordinary pages (``{{ value|when }}``): a date as
"3 Dec 2026", a moment as "3 Dec 2026, 08:10" in the centre's time zone (``TIME_ZONE``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIME_ZONE") or "Europe/London")


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` (aware, or naive UTC as the database gives it back) in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def day_words(day: date) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def moment_words(moment: datetime, zone: ZoneInfo) -> str:
    """ "3 Dec 2026, 08:10" in ``zone``."""
    here = local(moment, zone)
    return f"{day_words(here.date())}, {here.strftime('%H:%M')}"


def when(value: date | datetime | None, empty: str = "—") -> str:
    """The one filter for dates and times on pages."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        return moment_words(value, _zone())
    return day_words(value)


def waited(since: datetime, now: datetime | None = None) -> str:
    """How long something has waited, in the words a person would say: "3 days", "5 hours"."""
    now = now or datetime.now(UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    seconds = max(0.0, (now - since).total_seconds())
    if seconds < 3600:
        return "under an hour"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''}"


def register(app: Flask) -> None:
    app.add_template_filter(when, "when")
    app.add_template_filter(waited, "waited")
