"""Reports as spreadsheets: a cohort's coverage, and the register of sign-offs over a period.

Each report is a :class:`Report` (headers and rows of plain values) written as CSV or .xlsx.
Administrators see everything; assessors and IQAs see the registrations they are allocated to.
Coverage comes from :func:`mappings.assessment.standing.load_standings`, so a cohort of any size costs a
fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from framework import tabular
from mappings.assessment.models import SignOff
from mappings.assessment.standing import load_standings
from portfolio.errors import NotFound, PermissionDenied
from portfolio.models import Cohort, Person, Registration, Standard
from portfolio.services.people import Actor

Cell = str | int | float | None

COVERAGE_HEADERS = (
    "Learner",
    "E-mail",
    "Standard",
    "Title",
    "Met",
    "Awaiting",
    "Referred",
    "Missing",
    "Total",
    "Percent met",
    "Signed off",
    "Criteria still missing",
)
REGISTER_HEADERS = (
    "Learner",
    "E-mail",
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


@dataclass(frozen=True)
class Report:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def _may_report(actor: Actor) -> None:
    if not (actor.has("admin") or actor.has("assessor") or actor.has("iqa")):
        raise PermissionDenied("Reports are for administrators, assessors and IQAs.")


def _scope(actor: Actor) -> Any:
    """Registrations the actor may report on (``None``: all of them)."""
    if actor.has("admin"):
        return None
    return or_(col(Registration.assessor_id) == actor.id, col(Registration.iqa_id) == actor.id)


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def cohort_coverage(
    session: Session, *, actor: Actor, cohort_id: int, today: date | None = None
) -> Report:
    """One row per learner per registered standard of a cohort."""
    _may_report(actor)
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("No such cohort.")
    query = (
        select(Registration.id, Person.name)
        .join(Person, col(Person.id) == Registration.learner_id)
        .where(Registration.cohort_id == cohort_id)
        .order_by(col(Person.name), col(Registration.id))
    )
    scope = _scope(actor)
    if scope is not None:
        query = query.where(scope)
    reg_ids = [rid for rid, _ in session.exec(query).all() if rid is not None]
    if scope is not None and not reg_ids:
        raise NotFound("No such cohort, or none of its learners are yours.")
    rows: list[tuple[Cell, ...]] = []
    for standing in load_standings(session, reg_ids, today):
        by_code = {s.standard: s for s in standing.coverage.standards}
        for info in standing.standards:
            cov = by_code.get(info.code)
            if cov is None:
                continue
            missing = [o.criterion.code for o in cov.outstanding]
            rows.append(
                (
                    standing.learner.name,
                    standing.learner.email,
                    info.code,
                    info.title,
                    cov.met,
                    cov.awaiting,
                    cov.referred,
                    cov.missing,
                    cov.total,
                    round(cov.percent_met, 1),
                    info.signoff.signed_at.astimezone(UTC).date().isoformat()
                    if info.signoff
                    else "",
                    " ".join(missing),
                )
            )
    return Report(f"Coverage of cohort {cohort.name}", COVERAGE_HEADERS, rows)


def signoff_register(session: Session, *, actor: Actor, start: date, end: date) -> Report:
    """Every sign-off made between ``start`` and ``end`` (both days included, UTC)."""
    _may_report(actor)
    if end < start:
        start, end = end, start
    since = datetime.combine(start, time.min, UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, UTC)
    learner, assessor = aliased(Person), aliased(Person)
    query = (
        select(SignOff, Standard, learner, assessor)
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .join(Standard, col(Standard.id) == SignOff.standard_id)
        .join(learner, learner.id == Registration.learner_id)  # type: ignore[arg-type]
        .join(assessor, assessor.id == SignOff.assessor_id)  # type: ignore[arg-type]
        .where(col(SignOff.signed_at) >= since, col(SignOff.signed_at) < until)
        .order_by(col(SignOff.signed_at), col(SignOff.id))
    )
    scope = _scope(actor)
    if scope is not None:
        query = query.where(scope)
    rows: list[tuple[Cell, ...]] = [
        (
            who.name,
            who.email,
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
        for record, std, who, by in session.exec(query).all()
    ]
    return Report(
        f"Sign-off register {start.isoformat()} to {end.isoformat()}", REGISTER_HEADERS, rows
    )


def to_csv(report: Report) -> bytes:
    return tabular.csv_bytes(report.headers, report.rows)


def to_xlsx(report: Report) -> bytes:
    return tabular.xlsx_bytes(report.headers, report.rows, sheet_title="Report", title=report.title)


def render(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}: use csv or xlsx")


def format_of(filename: str, default: str = "csv") -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else default
    if suffix not in FORMATS:
        raise ValueError(f"write .csv or .xlsx, not .{suffix}")
    return suffix


def rows_as_dicts(report: Report) -> Sequence[dict[str, Cell]]:
    return [dict(zip(report.headers, row, strict=True)) for row in report.rows]
