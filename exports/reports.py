"""Reports as spreadsheets: a cohort's coverage, and the register of sign-offs over a period.

Each report is a :class:`Report` (headers and rows of plain values) written as CSV or .xlsx.
Administrators see everything; assessors and IQAs see the registrations they are allocated to.
The exports stream (:class:`ReportStream`): a cohort's registrations are read a page at a time
(keyset pagination on learner name and id), each page's coverage comes from
:func:`mappings.assessment.standing.load_standings` in a fixed number of queries (counts and the
codes still missing, no per-criterion reasons), and its rows are written and dropped before the
next page is read, so memory stays flat and time grows with the rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from framework import tabular
from mappings.assessment.counts import shown_counts
from mappings.assessment.models import SignOff
from mappings.assessment.standing import Standing, load_standings
from portfolio.errors import NotFound, PermissionDenied
from portfolio.models import Cohort, Framework, Person, Registration, Standard
from portfolio.services import access
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_end, day_start, local

Cell = str | int | float | None

COVERAGE_HEADERS = (
    "Learner",
    "E-mail",
    "Framework",  # its code: two frameworks, or two versions of one, may share standard codes
    "Version",
    "Standard",
    "Title",
    "Met",
    "Awaiting",
    "Referred",
    "Accepted, not counting",  # accepted by a method (or of an age or date) that does not count
    "Missing",
    "Total",
    "Percent met",
    "Signed off",
    "Criteria still missing",
    "Withdrawn on",  # the learner left the programme (ISO date); empty while active
)
REGISTER_HEADERS = (
    "Learner",
    "E-mail",
    "ULN",  # the learner's unique learner number, once an administrator gave it
    "Framework",  # its code and version: two versions of one may share standard codes
    "Version",
    "Awarding body registration number",  # the registration's, once given
    "Standard",
    "Title",
    "Assessor",
    "Signed at (UTC)",
    "Document id",
    "Evidence set SHA-256",
    "Status",
    "Reopened at (UTC)",
    "Reopen reason",
)
FORMATS = ("csv", "xlsx")
CHUNK = 100  # registrations (or sign-offs) read at a time by the streamed reports


@dataclass(frozen=True)
class Report:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


@dataclass(frozen=True)
class ReportStream:
    """A report whose rows are read from the database a chunk at a time as they are iterated
    (once): what the exports write, so a report of any size takes bounded memory."""

    title: str
    headers: tuple[str, ...]
    rows: Iterator[tuple[Cell, ...]]

    def collect(self) -> Report:
        return Report(self.title, self.headers, list(self.rows))


def _may_report(actor: Actor) -> None:
    if not (actor.has("admin") or actor.has("assessor") or actor.has("iqa")):
        raise PermissionDenied("Reports are for administrators, assessors and IQAs.")


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def cohort_coverage(
    session: Session,
    *,
    actor: Actor,
    cohort_id: int,
    today: date | None = None,
    zone: ZoneInfo = CENTRE,
) -> Report:
    """One row per learner per registered standard of a cohort, all in memory (small cohorts,
    tests); the exports write :func:`cohort_coverage_stream` instead."""
    stream = cohort_coverage_stream(
        session, actor=actor, cohort_id=cohort_id, today=today, zone=zone
    )
    return stream.collect()


def cohort_coverage_stream(
    session: Session,
    *,
    actor: Actor,
    cohort_id: int,
    today: date | None = None,
    chunk: int = CHUNK,
    zone: ZoneInfo = CENTRE,
) -> ReportStream:
    """One row per learner per registered standard of a cohort, by learner name, read ``chunk``
    registrations at a time as the rows are iterated. Who may see it is checked now, before the
    first row (NotFound for a cohort with none of the actor's learners). The day a standard was
    signed off is the centre's (``zone``, its ``TIME_ZONE``)."""
    _may_report(actor)
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("No such cohort.")
    scope = access.staff_scope(actor)
    if scope is not None and not _registrations_page(session, cohort_id, scope, None, 1):
        raise NotFound("No such cohort, or none of its learners are yours.")
    rows = _coverage_rows(session, cohort_id, scope, today or date.today(), max(1, chunk), zone)
    return ReportStream(f"Coverage of cohort “{cohort.name}”", COVERAGE_HEADERS, rows)


def _registrations_page(
    session: Session, cohort_id: int, scope: Any, after: tuple[str, int] | None, size: int
) -> list[tuple[int, str]]:
    """The next ``size`` registrations of the cohort in (learner name, id) order after ``after``:
    keyset pagination, so every page costs the same however far into the cohort it is."""
    query = (
        select(Registration.id, Person.name)
        .join(Person, col(Person.id) == Registration.learner_id)
        .where(Registration.cohort_id == cohort_id)
        .order_by(col(Person.name), col(Registration.id))
        .limit(size)
    )
    if scope is not None:
        query = query.where(scope)
    if after is not None:
        name, reg_id = after
        query = query.where(
            or_(
                col(Person.name) > name,
                and_(col(Person.name) == name, col(Registration.id) > reg_id),
            )
        )
    return [(rid, name) for rid, name in session.exec(query).all() if rid is not None]


def _coverage_rows(
    session: Session, cohort_id: int, scope: Any, today: date, chunk: int, zone: ZoneInfo
) -> Iterator[tuple[Cell, ...]]:
    """The rows of :func:`cohort_coverage_stream`, a page of registrations at a time: each page's
    coverage in a fixed number of queries, as counts and the codes still missing (no reasons)."""
    after: tuple[str, int] | None = None
    while True:
        page = _registrations_page(session, cohort_id, scope, after, chunk)
        if not page:
            return
        after = (page[-1][1], page[-1][0])
        ids = [rid for rid, _ in page]
        for standing in load_standings(session, ids, today, detail=False, outstanding=True):
            yield from _coverage_of(standing, zone)
        if len(page) < chunk:
            return


def _coverage_of(standing: Standing, zone: ZoneInfo) -> Iterator[tuple[Cell, ...]]:
    by_code = {s.standard: s for s in standing.coverage.standards}
    withdrawn = standing.registration.withdrawn_at  # read with the registration: no statement
    for info in standing.standards:
        cov = by_code.get(info.code)
        if cov is None:
            continue
        n = shown_counts(cov)
        yield (
            standing.learner.name,
            standing.learner.email,
            standing.framework.code,
            standing.framework.version,
            info.code,
            info.title,
            n["met"],
            n["awaiting"],
            n["referred"],
            n["not_counting"],
            n["missing"],
            n["total"],
            round(cov.percent_met, 1),
            local(info.signoff.signed_at, zone).date().isoformat() if info.signoff else "",
            " ".join(o.criterion.code for o in cov.outstanding),
            withdrawn.isoformat() if withdrawn else "",
        )


def signoff_register(
    session: Session, *, actor: Actor, start: date, end: date, zone: ZoneInfo = CENTRE
) -> Report:
    """Every sign-off made between ``start`` and ``end``, both days included, in memory. The
    days are the centre's (``zone``, its ``TIME_ZONE``): a sign-off at 00:30 on 1 Jul in London
    (23:30 UTC on 30 Jun) is in July's register. Its times stay in their UTC columns."""
    return signoff_register_stream(session, actor=actor, start=start, end=end, zone=zone).collect()


def signoff_register_stream(
    session: Session,
    *,
    actor: Actor,
    start: date,
    end: date,
    chunk: int = CHUNK,
    zone: ZoneInfo = CENTRE,
) -> ReportStream:
    """:func:`signoff_register` read ``chunk`` sign-offs at a time as its rows are iterated."""
    _may_report(actor)
    if end < start:
        start, end = end, start
    since, until = day_start(start, zone), day_end(end, zone)
    learner, assessor = aliased(Person), aliased(Person)
    query = (
        # six columns: past the four sqlmodel's select is typed for
        sa_select(
            SignOff, Standard, learner, assessor, Framework, col(Registration.awarding_body_ref)
        )
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .join(Standard, col(Standard.id) == SignOff.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .join(learner, col(learner.id) == Registration.learner_id)
        .join(assessor, col(assessor.id) == SignOff.assessor_id)
        .where(col(SignOff.signed_at) >= since, col(SignOff.signed_at) < until)
        .order_by(col(SignOff.signed_at), col(SignOff.id))
        .execution_options(yield_per=max(1, chunk))
    )
    scope = access.staff_scope(actor)
    if scope is not None:
        query = query.where(scope)
    title = f"Sign-off register {start.isoformat()} to {end.isoformat()}"
    return ReportStream(title, REGISTER_HEADERS, _register_rows(session, query))


def _register_rows(session: Session, query: Any) -> Iterator[tuple[Cell, ...]]:
    for record, std, who, by, fw, ref in session.exec(query):
        yield (
            who.name,
            who.email,
            who.uln or "",
            fw.code,
            fw.version,
            ref or "",
            std.code,
            std.title,
            by.name,
            _utc(record.signed_at),
            record.document_id,
            record.evidence_set_sha256,
            record.status,
            _utc(record.reopened_at),
            record.reopen_reason,
        )


def to_csv(report: Report) -> bytes:
    return tabular.csv_bytes(report.headers, report.rows)


def to_xlsx(report: Report | ReportStream) -> bytes:
    return tabular.xlsx_bytes(report.headers, report.rows, sheet_title="Report", title=report.title)


def render_chunks(report: Report | ReportStream, fmt: str) -> Iterator[bytes]:
    """The report's file a piece at a time, in bounded memory. CSV is written as its rows are
    read; an .xlsx is written row by row into a temporary file (openpyxl's write-only mode) and
    sent in pieces once its zip is complete."""
    if fmt == "csv":
        return tabular.csv_chunks(report.headers, report.rows)
    if fmt == "xlsx":
        return tabular.xlsx_chunks(
            report.headers, report.rows, sheet_title="Report", title=report.title
        )
    raise ValueError(f"unknown report format “{fmt}”: use csv or xlsx")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"unknown report format “{fmt}”: use csv or xlsx")


def format_of(filename: str, default: str = "csv") -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else default
    if suffix not in FORMATS:
        raise ValueError(f"write .csv or .xlsx, not .{suffix}")
    return suffix


def rows_as_dicts(report: Report) -> Sequence[dict[str, Cell]]:
    return [dict(zip(report.headers, row, strict=True)) for row in report.rows]
