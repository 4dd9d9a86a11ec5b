"""Bulk import of people and their registrations from a CSV file, all or nothing.

One row is one person (new, or found by e-mail) and, when it names a framework, one registration
of that person as a learner. Every row is checked by the same services as the administrator's
pages (:func:`portfolio.services.people.create_person`, :func:`portfolio.services.registrations.register`),
each inside its own SAVEPOINT, and the whole file inside one more: when any row has an error, or
for a dry run, that outer SAVEPOINT is rolled back, so nothing is written, and the report still
says, row by row, what would happen or what is wrong. People named as assessor or IQA may be
rows earlier in the same file.

Columns (header row, any order, case and spaces ignored; only ``name``, ``email`` and ``roles``
are needed for a new person): ``name``, ``email``, ``roles`` (e.g. ``learner`` or
``assessor;iqa``), ``site``, ``framework`` (code, newest version), ``standards`` (codes, e.g.
``SE01;SE03``), ``assessor`` and ``iqa`` (e-mail), ``cohort`` (name, in any case; made when new),
``start_date`` and ``planned_end`` (``2026-09-01`` or ``01/09/2026``; start defaults to today,
the planned end to a year less a day after it, as everywhere:
:func:`~portfolio.services.registration_dates.default_planned_end`), ``uln`` (the person's unique
learner number) and ``awarding_body_ref`` (the awarding body's number for the registration).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from framework.tabular import delimiter_of
from portfolio.errors import DomainError, Invalid, PermissionDenied
from portfolio.models import Framework, Person, Standard
from portfolio.services import (
    cohorts,
    learner_numbers,
    people,
    registration_dates,
    registrations,
)
from portfolio.services.frameworks import find_framework
from portfolio.services.people import Actor
from portfolio.words import day_words

COLUMNS = (
    "name",
    "email",
    "roles",
    "site",
    "framework",
    "standards",
    "assessor",
    "iqa",
    "cohort",
    "start_date",
    "planned_end",
    "uln",
    "awarding_body_ref",
)
MAX_ROWS = 5000
MAX_BYTES = 2_000_000
_SPLIT = re.compile(r"[;,|\s]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y")


@dataclass(frozen=True)
class RowOutcome:
    """What one row does (or would do), or what is wrong with it."""

    line: int  # the line of the file, the header being line 1
    name: str
    email: str
    roles: str
    registration: str  # "SE01, SE03 of SE, assessor a@x, cohort C" or ""
    action: str  # in words: "new person and registration", "registration of an existing person"
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    rows: tuple[RowOutcome, ...]
    written: bool  # False for a dry run and whenever any row has an error
    people_created: int = 0
    registrations_created: int = 0
    cohorts_created: tuple[str, ...] = field(default=())
    created_ids: tuple[int, ...] = field(default=())  # the new people (to invite), when written

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def example_codes(session: Session) -> tuple[str, list[str]] | None:
    """The newest loaded framework's code and its first two standards' codes, for the example
    the page shows (the centre's own codes, not the sample's), or None with none loaded."""
    newest = session.exec(select(Framework).order_by(col(Framework.id).desc()).limit(1)).first()
    if newest is None:
        return None
    codes = session.exec(
        select(Standard.code)
        .where(Standard.framework_id == newest.id)
        .order_by(col(Standard.id))
        .limit(2)
    ).all()
    return newest.code, list(codes)


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts of the known columns; :class:`Invalid` (field ``file``)
    when the file is not one this import reads."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"The file is larger than {MAX_BYTES // 1_000_000} MB.", field="file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
        raise Invalid(
            "The file is UTF-16 text: save it from the spreadsheet as “CSV UTF-8” and upload "
            "it again.",
            field="file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # saved by Excel on Windows
    if "\x00" in text:
        raise Invalid("The file is not a CSV text file.", field="file")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(text))
    try:
        lines = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:  # a cell past the CSV reader's limit (128 KB)
        raise Invalid(
            f"The file cannot be read as CSV at line {reader.line_num}: {exc}.", field="file"
        ) from None
    if not lines:
        raise Invalid(
            "The file is empty: it needs a header row and one row per person.", field="file"
        )
    header = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in lines[0]]
    counted = Counter(h for h in header if h)
    twice = sorted(h for h, n in counted.items() if n > 1)
    if twice:
        raise Invalid(
            f"The header row has the column {' and the column '.join(twice[:5])}{_more(twice)} "
            "twice: keep one.",
            field="file",
        )
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in ("name", "email") if c not in counted]
    if missing or unknown:
        said = []
        if missing:
            said.append(
                f"{'a missing column' if len(missing) == 1 else 'missing columns'} "
                + ", ".join(f"“{c}”" for c in missing)
            )
        if unknown:
            said.append(
                f"{'an unknown column' if len(unknown) == 1 else 'unknown columns'} "
                + ", ".join(f"“{c[:60]}”" for c in unknown[:5])
                + _more(unknown)
            )
        raise Invalid(
            f"The header row has {' and '.join(said)}. The columns are: {', '.join(COLUMNS)}.",
            field="file",
        )
    if len(lines) - 1 > MAX_ROWS:
        raise Invalid(f"The file has more than {MAX_ROWS} rows; split it.", field="file")
    if len(lines) == 1:
        raise Invalid("The file has a header row but no one in it.", field="file")
    return [
        {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h}
        for row in lines[1:]
    ]


def parse_date(text: str, label: str) -> date | None:
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Invalid(f"The {label} “{text}” is not a date: write it as 2026-09-01 or 01/09/2026.")


def _more(names: list[str], shown: int = 5) -> str:
    """ " and N more" after the first ``shown`` of ``names`` when there are more: a header row of
    thousands of columns is not a list of people, and a few of them say so."""
    return f" and {len(names) - shown:,} more" if len(names) > shown else ""


def import_people(
    session: Session, *, actor: Actor, data: bytes, dry_run: bool, today: date | None = None
) -> ImportReport:
    """Check every row of the file and, unless ``dry_run`` or any row has an error, write them."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators import people.")
    rows = read_rows(data)
    today = today or date.today()
    outer = session.begin_nested()
    state = _State()
    outcomes = [_import_row(session, actor, n, row, today, state) for n, row in enumerate(rows, 2)]
    written = not dry_run and not any(o.errors for o in outcomes)
    if written:
        outer.commit()
    else:
        outer.rollback()
    return ImportReport(
        rows=tuple(outcomes),
        written=written,
        people_created=state.people,
        registrations_created=state.registrations,
        cohorts_created=tuple(state.cohorts),
        created_ids=tuple(state.created) if written else (),
    )


@dataclass
class _State:
    people: int = 0
    registrations: int = 0
    cohorts: list[str] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    ulns: set[str] = field(default_factory=set)
    created: list[int] = field(default_factory=list)


def _import_row(
    session: Session, actor: Actor, line: int, row: dict[str, str], today: date, state: _State
) -> RowOutcome:
    email = people.normalise_email(row.get("email", ""))
    roles = ", ".join(r for r in _SPLIT.split(row.get("roles", "")) if r)
    registration = _registration_words(row, today)
    base = RowOutcome(line, row.get("name", ""), email, roles, registration, action="")
    problems = _problems(session, row, email, today, state)
    if email:
        state.emails.add(email)
    if problems:
        return replace(base, errors=tuple(problems))
    before = (state.people, state.registrations, len(state.cohorts), len(state.created))
    savepoint = session.begin_nested()
    try:
        action = _write_row(session, actor, row, email, today, state)
    except DomainError as error:  # a rule seen only when writing, such as separation of duties
        savepoint.rollback()
        state.people, state.registrations = before[0], before[1]
        del state.cohorts[before[2] :]
        del state.created[before[3] :]
        return replace(base, errors=(str(error),))
    savepoint.commit()
    return replace(base, action=action)


T = TypeVar("T")


def _attempt(problems: list[str], call: Callable[..., T], *args: Any) -> T | None:
    """What ``call`` gives, or None with its refusal added to ``problems``."""
    try:
        return call(*args)
    except DomainError as error:
        problems.append(str(error))
        return None


def _problems(
    session: Session, row: dict[str, str], email: str, today: date, state: _State
) -> list[str]:
    """Every problem of the row that can be told before writing it, in the order of the columns,
    each in the words of the service that keeps the rule (they check again when it is written)."""
    problems: list[str] = []
    existing = _by_email(session, email) if email else None
    if email in state.emails:
        problems.append(f"{email} is on an earlier row too.")
    if existing is None:
        _attempt(problems, people.check_name, row.get("name", ""))
        if email:
            _attempt(problems, people.check_email, email)
        else:
            problems.append("An e-mail address is required.")
        _attempt(problems, people.parse_roles, _roles(row))
    elif not row.get("framework"):
        problems.append(f"{email} already has an account and the row registers them on nothing.")
    problems += learner_numbers.row_problems(
        session,
        uln=row.get("uln", ""),
        ref=row.get("awarding_body_ref", ""),
        registers=bool(row.get("framework")),
        existing=existing,
        seen=state.ulns,
    )
    if row.get("framework"):
        problems += _registration_problems(session, row, today)
    return problems


def _registration_problems(session: Session, row: dict[str, str], today: date) -> list[str]:
    problems: list[str] = []
    framework = _attempt(problems, find_framework, session, row["framework"])
    if framework is not None:
        codes = [c for c in _SPLIT.split(row.get("standards", "")) if c]
        _attempt(problems, registrations.standard_ids, session, framework.id or 0, codes)
    for key, role, label in (("assessor", "assessor", "assessor"), ("iqa", "iqa", "IQA")):
        staff_id = _attempt(problems, _staff, session, row.get(key, ""), label)
        if staff_id is not None:
            _attempt(problems, registrations.person_with_role, session, staff_id, role, label)
    if row.get("cohort"):  # a new one is made when written; one of that name must be open
        found = cohorts.named(session, row["cohort"])
        _attempt(
            problems, partial(cohorts.check_open, hold=False), session, found.id if found else None
        )
    known = len(problems)
    start = _attempt(problems, parse_date, row.get("start_date", ""), "start date")
    end = _attempt(problems, parse_date, row.get("planned_end", ""), "planned end")
    if len(problems) == known:
        _attempt(problems, registration_dates.check_dates, *_dates(start, end, today))
    return problems


def _roles(row: dict[str, str]) -> list[str]:
    """The row's roles; a row that registers its person makes them a learner."""
    roles = [r for r in _SPLIT.split(row.get("roles", "")) if r]
    if row.get("framework") and "learner" not in [r.lower() for r in roles]:
        roles.append("learner")
    return roles


def _dates(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The start and planned end of a registration, the defaults filled in."""
    start = start or today
    return start, end or registration_dates.default_planned_end(start)


def _write_row(
    session: Session, actor: Actor, row: dict[str, str], email: str, today: date, state: _State
) -> str:
    person = _by_email(session, email) if email else None
    if person is None:
        person = people.create_person(
            session, actor=actor, name=row.get("name", ""), email=email, roles=_roles(row),
            site=row.get("site") or "Main site",
        )  # fmt: skip
        state.people += 1
        state.created.append(person.id or 0)
        action = "new person"
    else:
        action = "existing person"
    if row.get("uln", "").strip():
        learner_numbers.set_uln(session, actor=actor, person_id=person.id or 0, uln=row["uln"])
    if not row.get("framework"):
        return action
    _register(session, actor, person, row, today, state)
    state.registrations += 1
    return (
        "new person and registration"
        if action == "new person"
        else "registration of an existing person"
    )


def _register(
    session: Session, actor: Actor, person: Person, row: dict[str, str], today: date, state: _State
) -> None:
    framework = find_framework(session, row["framework"])
    codes = [c for c in _SPLIT.split(row.get("standards", "")) if c]
    start, end = _dates(
        parse_date(row.get("start_date", ""), "start date"),
        parse_date(row.get("planned_end", ""), "planned end"),
        today,
    )
    made = registrations.register(
        session,
        actor=actor,
        learner_id=person.id or 0,
        framework_id=framework.id or 0,
        standard_codes=codes,
        assessor_id=_staff(session, row.get("assessor", ""), "assessor"),
        iqa_id=_staff(session, row.get("iqa", ""), "IQA"),
        cohort_id=_cohort(session, actor, row.get("cohort", ""), person.site, state),
        start_date=start,
        planned_end=end,
    )
    if row.get("awarding_body_ref", "").strip():
        learner_numbers.set_awarding_ref(
            session, actor=actor, registration_id=made.id or 0, ref=row["awarding_body_ref"]
        )


def _by_email(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(func.lower(Person.email) == email)).first()


def _staff(session: Session, email: str, label: str) -> int | None:
    if not email:
        return None
    person = _by_email(session, people.normalise_email(email))
    if person is None or person.removed_at is not None:
        raise Invalid(f"There is no {label} with e-mail {email}.")
    return person.id


def _cohort(session: Session, actor: Actor, name: str, site: str, state: _State) -> int | None:
    if not name:
        return None
    found = cohorts.named(session, name)
    if found is None:
        found = registrations.create_cohort(session, actor=actor, name=name, site=site)
        state.cohorts.append(name)
    return found.id


def _registration_words(row: dict[str, str], today: date) -> str:
    """What the row registers, with its dates as read (a day-first date, the planned end filled
    in), so the check shows them: "SE01 of SE, assessor a@x, from 7 Dec 2026 to 6 Dec 2027"."""
    if not row.get("framework"):
        return ""
    codes = ", ".join(c for c in _SPLIT.split(row.get("standards", "")) if c) or "no standards"
    parts = [f"{codes} of {row['framework']}"]
    for key, label in (("assessor", "assessor"), ("iqa", "IQA"), ("cohort", "cohort")):
        if row.get(key):
            parts.append(f"{label} {row[key]}")
    try:
        start = parse_date(row.get("start_date", ""), "start date")
        end = parse_date(row.get("planned_end", ""), "planned end")
    except Invalid:  # the row's errors say so
        return ", ".join(parts)
    start, end = _dates(start, end, today)
    parts.append(f"from {day_words(start)} to {day_words(end)}")
    return ", ".join(parts)
