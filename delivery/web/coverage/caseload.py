"""The caseload of an assessor or IQA, and a cohort's progress: many registrations at once.

Both load every registration through :func:`mappings.assessment.standing.load_standings`, so the number of
queries does not grow with the number of learners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, or_, select

from delivery.web.coverage.overview import RAG_RANK, LearnerProgress, progress_of
from mappings.assessment.standing import load_standings
from portfolio.errors import NotFound, PermissionDenied
from portfolio.models import Cohort, Registration
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


@dataclass(frozen=True)
class Caseload:
    role: str  # "assessor" or "iqa"
    rows: tuple[LearnerProgress, ...]
    columns: tuple[SortColumn, ...]
    sort: str
    direction: str
    rag_counts: dict[str, int]
    awaiting_claims: int


def _sort_key(key: str) -> Callable[[LearnerProgress], tuple[Any, ...]]:
    if key == "progress":
        return lambda r: (r.percent, r.learner_name.casefold(), r.registration_id)
    if key == "rag":
        return lambda r: (RAG_RANK[r.rag], r.percent, r.learner_name.casefold())
    if key == "end":
        return lambda r: (r.planned_end, r.learner_name.casefold(), r.registration_id)
    return lambda r: (r.learner_name.casefold(), r.registration_id)


def sort_rows(
    rows: Sequence[LearnerProgress], key: str, direction: str = "asc"
) -> list[LearnerProgress]:
    key = key if key in SORT_KEYS else "name"
    ordered = sorted(rows, key=_sort_key(key))
    return ordered[::-1] if direction == "desc" else ordered


def registrations_for(session: Session, actor_id: int, role: str) -> list[int]:
    column = Registration.assessor_id if role == "assessor" else Registration.iqa_id
    ids = session.exec(
        select(Registration.id).where(column == actor_id).order_by(col(Registration.id))
    ).all()
    return [i for i in ids if i is not None]


def caseload(
    session: Session,
    *,
    actor: Actor,
    role: str = "assessor",
    sort: str = "name",
    direction: str = "asc",
    today: date | None = None,
) -> Caseload:
    """The learners an assessor (or, with ``role="iqa"``, an IQA) is allocated, sorted."""
    if role not in ("assessor", "iqa") or not actor.has(role):
        raise PermissionDenied("Only assessors and IQAs have a caseload.")
    sort = sort if sort in SORT_KEYS else "name"
    direction = "desc" if direction == "desc" else "asc"
    standings = load_standings(
        session, registrations_for(session, actor.id, role), today, detail=False
    )
    rows = [progress_of(s, outstanding=False) for s in standings]
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
        rows=tuple(sort_rows(rows, sort, direction)),
        columns=columns,
        sort=sort,
        direction=direction,
        rag_counts=rag_counts(rows),
        awaiting_claims=sum(r.awaiting_claims for r in rows),
    )


def rag_counts(rows: Iterable[LearnerProgress]) -> dict[str, int]:
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
