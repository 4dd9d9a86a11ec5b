"""Words people use, for pages and documents alike: dates, kinds of evidence and file types in
words; no ids, codes or MIME types. Pure: the delivery layer's Jinja filters
(``delivery/web/words.py``) and the documents under ``exports`` both say things this way."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portfolio.models.evidence import KINDS

FILE_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "text/plain": "text",
    "text/markdown": "Markdown",
}
# what strftime's %b gives without a locale set (Python never sets one): a page shows dozens
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# roles as people say them
ROLE_WORDS = {
    "admin": "administrator",
    "assessor": "assessor",
    "iqa": "internal quality assurer",
    "learner": "learner",
    "eqa": "external quality assurer",
}
_ID = re.compile(r" \(#\d+\)")
_KIND = re.compile(r"\b(" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")\b")


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` (aware, or naive UTC as the database gives it back) in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def day_words(day: date) -> str:
    """ "3 Dec 2026"."""
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def moment_words(moment: datetime, zone: ZoneInfo) -> str:
    """ "3 Dec 2026, 08:10" in ``zone``."""
    here = local(moment, zone)
    return f"{here.day} {MONTHS[here.month]} {here.year}, {here.hour:02d}:{here.minute:02d}"


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) ``day`` begins in ``zone``: midnight there, 23:00 UTC the day before in
    British Summer Time. A month of the centre's calendar begins at its first day's."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def day_end(day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) ``day`` ends in ``zone``: midnight after it there, 23:00 UTC in British
    Summer Time. A period that lasts until a day of the centre's calendar ends then."""
    return day_start(day + timedelta(days=1), zone)


def last_day(end: datetime | None, zone: ZoneInfo) -> str:
    """ "10 Dec 2026": the last day, in ``zone`` (the centre's time zone), of a period that ends
    (exclusive) at midnight after it (:func:`day_end`), as an administrator chose it: access
    "until 10 Jul 2027" ends at 11 Jul 2027, 00:00 in London. A period that ends at midnight
    UTC instead (EQA grants made before December 2026) keeps the day it was given. Pages (the
    ``last_day`` filter) and notifications say it alike."""
    if end is None:
        return "—"
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    day = local(end - timedelta(microseconds=1), zone).date()
    if end != day_end(day, zone) and end.astimezone(UTC).time() == time.min:
        day = end.astimezone(UTC).date() - timedelta(days=1)  # made before: midnight UTC after it
    return day_words(day)


def kind_words(kind: str) -> str:
    """ "reflective_account" -> "Reflective account"."""
    return KINDS.get(kind, kind.replace("_", " ").capitalize())


def a_or_an(words: str) -> str:
    """``words`` after its indefinite article, by its first letter: "an observation record",
    "a professional discussion" (the kinds of evidence, none of which starts with a silent h or
    a sounded u)."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def count_words(count: int, noun: str, many: str | None = None) -> str:
    """A count with its noun for one or many: "1 file", "2 files"; "1 person", "3 people" with
    ``many`` given; thousands by commas, "1,812 claims". Pages, commands and documents count
    this way, never "file(s)"."""
    return f"{number(count)} {noun if count == 1 else many or noun + 's'}"


def number(count: int) -> str:
    """A count as people read one, thousands by commas: "1,812", "12"."""
    return f"{count:,}"


def file_type(mime: str) -> str:
    """ "application/pdf" -> "PDF"; images, audio and video by their family."""
    if mime in FILE_TYPES:
        return FILE_TYPES[mime]
    family = mime.split("/", 1)[0]
    return {"image": "image", "audio": "audio", "video": "video", "text": "text"}.get(
        family, "file"
    )


def size_words(n: int) -> str:
    """A size as a limit or a file's size is said: 10485760 -> "10 MB", 1572864 -> "1.5 MB",
    2048 -> "2 KB", 100 -> "100 bytes" (never "0 MB" for a limit under a megabyte)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            whole, part = divmod(n * 10 // scale, 10)
            return f"{whole}.{part} {unit}" if part else f"{whole} {unit}"
    return "1 byte" if n == 1 else f"{n} bytes"


def plain(text: str) -> str:
    """Text made by the system (a sampling reason, an assessor's label) without ids or codes:
    "Asa Assessor (#2)" -> "Asa Assessor", "reflective_account" -> "reflective account"."""
    text = _ID.sub("", text)
    return _KIND.sub(lambda m: KINDS[m.group(1)].lower(), text)


def role_words(roles: str | frozenset[str] | set[str] | list[str]) -> str:
    """ "assessor,iqa" -> "Assessor, internal quality assurer"."""
    items = roles.split(",") if isinstance(roles, str) else sorted(roles)
    text = ", ".join(ROLE_WORDS.get(r, r) for r in items if r)
    return text[:1].upper() + text[1:]
