"""The administrators' search of the audit trail (``/admin/audit``) and its CSV download: who
did what, about whom, and when, newest first, 50 a page, keyset-paged. Reading it records
nothing in the trail (as the sign-off register and IQA reports do not: a GET never writes; a
subject-access archive, one person's whole record asked for by POST, is recorded). Routes on
the admin blueprint."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import render_template, request, stream_with_context, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.trail_rows import (
    TrailRow,
    about_of,
    check_words,
    erased_subject,
    summary_of,
    trail_row,
    who_of,
)
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.handler import page
from delivery.web.words import ACTIONS, action_words, centre_zone
from framework.tabular import neutralise
from portfolio.models import Person
from portfolio.services import audit_checks, audit_search
from portfolio.services.audit_search import TrailFilter
from portfolio.words import day_words

CSV_HEADERS = (
    "at_utc", "who", "who_id", "action", "what", "about", "subject_type", "subject_id", "summary",
)  # fmt: skip


@dataclass
class Asked:
    """The search as the administrator asked it: the form's values, the people chosen, people to
    choose from where a name matched several, and problems with what was given."""

    by: str = ""
    about: str = ""
    action: str = ""
    start: str = ""
    end: str = ""
    by_person: Person | None = None
    about_person: Person | None = None
    by_system: bool = False
    by_choices: list[Person] = field(default_factory=list)
    about_choices: list[Person] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None

    @property
    def ready(self) -> bool:
        return not (self.problems or self.by_choices or self.about_choices)

    def filters(self) -> TrailFilter:
        return TrailFilter(
            by=self.by_person.id if self.by_person else None,
            by_system=self.by_system,
            about=self.about_person.id if self.about_person else None,
            action=self.action or None,
            since=self.since,
            until=self.until,
        )

    def query(self) -> dict[str, Any]:
        """The search as link parameters (people by id, so a link finds the same person)."""
        params = {
            "by_id": self.by_person.id if self.by_person else ("system" if self.by_system else ""),
            "about_id": self.about_person.id if self.about_person else "",
            "action": self.action,
            "from": self.start,
            "to": self.end,
        }
        return {k: v for k, v in params.items() if v}


def title_words(asked: Asked, rows: list[TrailRow], several_pages: bool) -> str:
    """The page's title: what the search and the page show, in words, so each search and each
    page of one has its own (WCAG 2.4.2): "The audit trail: entries by Ann Actor, “Details
    changed by an administrator”, from 1 Dec 2026; 1 Dec 2026, 09:59 back to 1 Dec 2026, 09:10"."""
    asked_for = []
    if asked.ready:
        whose = ""
        if asked.by_person or asked.by_system:
            whose += f" by {asked.by}"
        if asked.about_person:
            whose += f" about {asked.about}"
        if whose:
            asked_for.append("entries" + whose)
        if asked.action:
            asked_for.append(f"“{action_words(asked.action)}”")
        if asked.start:
            asked_for.append(f"from {day_words(date.fromisoformat(asked.start))}")
        if asked.end:
            asked_for.append(f"to {day_words(date.fromisoformat(asked.end))}")
    title = "The audit trail"
    if asked_for:
        title += ": " + ", ".join(asked_for)
    if several_pages and rows:
        title += f"{'; ' if asked_for else ': '}{rows[0].when} back to {rows[-1].when}"
    return title


def _person(asked: Asked, which: str, label: str) -> None:
    text = request.args.get(which, "").strip()[:200]
    given_id = request.args.get(f"{which}_id", "").strip()
    if which == "by" and (text.lower() == "system" or (not text and given_id == "system")):
        asked.by, asked.by_system = "System", True
        return
    found: list[Person] = []
    kept = db().get(Person, int(given_id)) if given_id.isdigit() else None
    if kept is not None and text in ("", kept.name):  # a link's person, or the form sent back
        found = [kept]
    elif text:
        found = audit_search.find_people(db(), actor=actor(), text=text)
        if not found:
            asked.problems.append(f"{label}: no one's name or e-mail holds “{text}”.")
    elif given_id.isdigit():
        asked.problems.append(f"{label}: that person is not held here.")
    if len(found) == 1:
        setattr(asked, f"{which}_person", found[0])
        setattr(asked, which, found[0].name)
    else:
        setattr(asked, which, text)
        setattr(asked, f"{which}_choices", found)


def _day(asked: Asked, name: str, label: str) -> date | None:
    text = request.args.get(name, "").strip()[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        asked.problems.append(f"{label}: give a date (day, month and year).")
        return None


def _asked() -> Asked:
    asked = Asked()
    _person(asked, "by", "Who did it")
    _person(asked, "about", "About whom")
    action = request.args.get("action", "").strip()
    if action and action not in ACTIONS:
        asked.problems.append("What they did: choose one of the actions listed.")
    else:
        asked.action = action
    start, end = _day(asked, "from", "From"), _day(asked, "to", "To")
    if start and end and end < start:
        start, end = end, start
    zone = centre_zone()  # days are the centre's days
    if start:
        asked.start = start.isoformat()
        asked.since = datetime.combine(start, time.min, zone).astimezone(UTC)
    if end:
        asked.end = end.isoformat()
        asked.until = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return asked


def _cursor(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/audit", endpoint="audit")
@page(ADMIN)
def audit_page() -> tuple[str, int]:
    asked = _asked()
    rows, newer, older = [], None, None
    if asked.ready:
        found = audit_search.search(
            db(),
            actor=actor(),
            filters=asked.filters(),
            before=_cursor("before"),
            after=_cursor("after"),
        )
        rows = [trail_row(e, found.related) for e in found.entries]
        query = asked.query()
        newer = url_for("admin.audit", **query, after=found.newer) if found.newer else None
        older = url_for("admin.audit", **query, before=found.older) if found.older else None
    actions = sorted(ACTIONS.items(), key=lambda kv: kv[1].lower())
    checked = check_words(audit_checks.last_check(db(), actor=actor()), centre_zone())
    html = render_template(
        "admin/audit.html", asked=asked, rows=rows, newer=newer, older=older, actions=actions,
        checked=checked, title=title_words(asked, rows, bool(newer or older)),
        paged=bool(request.args.get("before") or request.args.get("after")),
        csv_url=url_for("admin.audit_csv", **asked.query()),
    )  # fmt: skip
    return html, 200 if asked.ready else 422


def _csv_lines(filters: TrailFilter) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(CSV_HEADERS)
    for entry, names in audit_search.stream(db(), actor=actor(), filters=filters):
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        who, _ = who_of(entry, names)
        about, _ = about_of(entry, names)
        # a name or value someone typed never runs as a spreadsheet formula (CSV injection)
        out.writerow([neutralise(cell) for cell in (
            at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), who, entry.actor_id or "",
            entry.action, action_words(entry.action), about, entry.subject_type,
            entry.subject_id or "",
            summary_of(entry.data or {}, erased_subject(entry, names), entry.action),
        )])  # fmt: skip
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


@bp.route("/audit.csv", endpoint="audit_csv")
@page(ADMIN)
def audit_csv() -> Response | tuple[str, int]:
    """Every entry the search finds, as CSV, written while it is sent (never whole in memory)."""
    asked = _asked()
    if not asked.ready:
        return audit_page()
    lines = _csv_lines(asked.filters())
    response = Response(stream_with_context(lines), content_type="text/csv; charset=utf-8")
    name = f"audit-trail-{datetime.now(UTC).date().isoformat()}.csv"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    return response
