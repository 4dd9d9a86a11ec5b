"""The caseload of an assessor or IQA, and a cohort's progress: many registrations at once.

The caseload reads each registration's stored summary (:mod:`mappings.assessment.summaries`) and
folds only the registrations that have none; a cohort's page folds every registration through
:func:`mappings.assessment.standing.load_standings`. Neither's number of queries grows with the
number of learners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from delivery.web.coverage.overview import (
    RAG_LABELS,
    RAG_RANK,
    LearnerProgress,
    met_label,
    progress_of,
    whole_percent,
)
from mappings.assessment import summaries
from mappings.assessment.models import RegistrationSummary
from mappings.assessment.progress import Rag, rag_status
from mappings.assessment.standing import load_standings
from portfolio.errors import NotFound, PermissionDenied
from portfolio.models import Cohort, Framework, Person, Registration
from portfolio.services.people import Actor

# ---------------------------------------------------------------- caseload


SORT_KEYS = ("name", "progress", "rag", "end")
SORT_LABELS = {"name": "Learner", "progress": "Progress", "rag": "Status", "end": "Planned end"}


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    aria_sort: str  # "ascending", "descending" or "" when not sorted by this column
    next_dir: str  # the direction a click on this column asks for


PAGE_SIZE = 50
R = TypeVar("R", LearnerProgress, "_Row")


@dataclass(frozen=True)
class Caseload:
    role: str  # "assessor" or "iqa"
    rows: tuple[LearnerProgress, ...]  # this page's, after the search
    columns: tuple[SortColumn, ...]
    sort: str
    direction: str
    rag_counts: dict[str, int]  # of the whole caseload
    awaiting_claims: int  # of the whole caseload
    registrations: int  # in the whole caseload
    learners: int  # in the whole caseload (a learner may hold several registrations)
    awaiting_learners: int  # learners with a claim awaiting a decision
    query: str
    matching: int  # registrations the search finds
    page: int
    pages: int
    worked_out: tuple[int, ...]  # registrations whose summaries were missing: store them


def _sort_key(key: str) -> Callable[[Any], tuple[Any, ...]]:
    if key == "progress":
        return lambda r: (r.percent, r.learner_name.casefold(), r.registration_id)
    if key == "rag":
        return lambda r: (RAG_RANK[r.rag], r.percent, r.learner_name.casefold())
    if key == "end":
        return lambda r: (r.planned_end, r.learner_name.casefold(), r.registration_id)
    return lambda r: (r.learner_name.casefold(), r.registration_id)


def sort_rows(rows: Sequence[R], key: str, direction: str = "asc") -> list[R]:
    key = key if key in SORT_KEYS else "name"
    ordered = sorted(rows, key=_sort_key(key))
    return ordered[::-1] if direction == "desc" else ordered


class _Row(NamedTuple):
    """A registration of the caseload as sorting and counting need it; only the shown page's
    rows become :class:`LearnerProgress`."""

    registration_id: int
    learner_id: int
    learner_name: str
    framework: str
    start_date: date
    planned_end: date
    met: int
    total: int
    awaiting_claims: int
    percent: int
    rag: Rag


def _caseload_rows(session: Session, actor_id: int, role: str, today: date) -> list[Any]:
    """One row per registration of the caseload with its summary of ``today`` (None when there
    is none): only what the page shows, never the claims."""
    column = Registration.assessor_id if role == "assessor" else Registration.iqa_id
    summary = RegistrationSummary
    return list(
        session.execute(
            sa_select(
                col(Registration.id),
                col(Registration.learner_id),
                col(Person.name),
                col(Framework.title),
                col(Framework.version),
                col(Registration.start_date),
                col(Registration.planned_end),
                col(summary.met),
                col(summary.total),
                col(summary.awaiting),
            )
            .join(Person, col(Person.id) == Registration.learner_id)
            .join(Framework, col(Framework.id) == Registration.framework_id)
            .outerjoin(
                summary,
                and_(
                    col(summary.registration_id) == Registration.id,
                    col(summary.computed_on) == today,
                ),
            )
            .where(col(column) == actor_id)
            .order_by(col(Registration.id))
        )
    )


def _row(found: Any, summary: summaries.Summary | None, today: date) -> _Row:
    reg_id, learner_id, name, title, version, start, planned_end, met, total, awaiting = found
    if summary is not None:
        met, total, awaiting = summary.met, summary.total, summary.awaiting
    percent = 100.0 * met / (total or 1)
    return _Row(
        registration_id=reg_id,
        learner_id=learner_id,
        learner_name=name,
        framework=f"{title} (v{version})",
        start_date=start,
        planned_end=planned_end,
        met=met,
        total=total,
        awaiting_claims=awaiting,
        percent=whole_percent(met, total),
        rag=rag_status(min(percent, 100.0), start, max(planned_end, start), today),
    )


def _progress(row: _Row) -> LearnerProgress:
    return LearnerProgress(
        learner_id=row.learner_id,
        learner_name=row.learner_name,
        registration_id=row.registration_id,
        framework=row.framework,
        start_date=row.start_date,
        planned_end=row.planned_end,
        met=row.met,
        total=row.total,
        percent=row.percent,
        label=met_label(row.met, row.total),
        rag=row.rag,
        rag_label=RAG_LABELS[row.rag],
        awaiting_claims=row.awaiting_claims,
        standards=(),
        outstanding=(),
    )


def caseload(
    session: Session,
    *,
    actor: Actor,
    role: str = "assessor",
    sort: str = "name",
    direction: str = "asc",
    query: str = "",
    page: int = 1,
    today: date | None = None,
) -> Caseload:
    """The learners an assessor (or, with ``role="iqa"``, an IQA) is allocated: one page of them,
    searched by name and sorted, with the figures of the whole caseload. Reads each
    registration's summary; folds only those that have none (then ``worked_out`` names them)."""
    if role not in ("assessor", "iqa") or not actor.has(role):
        raise PermissionDenied("Only assessors and IQAs have a caseload.")
    today = today or date.today()
    sort = sort if sort in SORT_KEYS else "name"
    direction = "desc" if direction == "desc" else "asc"
    found = _caseload_rows(session, actor.id, role, today)
    missing = [r[0] for r in found if r[7] is None]
    folded = summaries.work_out(session, missing, today)
    rows = [_row(r, folded.get(r[0]), today) for r in found if r[7] is not None or r[0] in folded]
    needle = query.strip().casefold()
    matching = [r for r in rows if needle in r.learner_name.casefold()] if needle else rows
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = sort_rows(matching, sort, direction)
    columns = tuple(
        SortColumn(
            key=key,
            label=SORT_LABELS[key],
            aria_sort=("descending" if direction == "desc" else "ascending") if key == sort else "",
            next_dir="desc" if key == sort and direction == "asc" else "asc",
        )
        for key in SORT_KEYS
    )
    return Caseload(
        role=role,
        rows=tuple(_progress(r) for r in ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]),
        columns=columns,
        sort=sort,
        direction=direction,
        rag_counts=rag_counts(rows),
        awaiting_claims=sum(r.awaiting_claims for r in rows),
        registrations=len(rows),
        learners=len({r.learner_id for r in rows}),
        awaiting_learners=len({r.learner_id for r in rows if r.awaiting_claims}),
        query=query.strip(),
        matching=len(matching),
        page=page,
        pages=pages,
        worked_out=tuple(missing),
    )


def rag_counts(rows: Iterable[LearnerProgress | _Row]) -> dict[str, int]:
    counts = dict.fromkeys(("red", "amber", "green"), 0)
    for r in rows:
        counts[r.rag] += 1
    return counts


# ---------------------------------------------------------------- cohort


@dataclass(frozen=True)
class CohortPage:
    id: int
    name: str
    site: str
    rows: tuple[LearnerProgress, ...]
    everyone: bool  # an administrator sees every learner; others only their own


def cohort_progress(
    session: Session, *, actor: Actor, cohort_id: int, today: date | None = None
) -> CohortPage:
    """A cohort's learners: all of them for administrators, else the actor's allocated ones."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("No such cohort.")
    query = select(Registration.id).where(Registration.cohort_id == cohort_id)
    everyone = actor.has("admin")
    if not everyone:
        mine = []
        if actor.has("assessor"):
            mine.append(col(Registration.assessor_id) == actor.id)
        if actor.has("iqa"):
            mine.append(col(Registration.iqa_id) == actor.id)
        if not mine:
            raise NotFound("No such cohort, or none of its learners is yours.")
        query = query.where(or_(*mine))
    ids = [i for i in session.exec(query.order_by(col(Registration.id))).all() if i is not None]
    if not everyone and not ids:
        raise NotFound("No such cohort, or none of its learners is yours.")
    standings = load_standings(session, ids, today, detail=False)
    rows = [progress_of(s, outstanding=False) for s in standings]
    return CohortPage(
        id=cohort_id,
        name=cohort.name,
        site=cohort.site,
        rows=tuple(sort_rows(rows, "name")),
        everyone=everyone,
    )
