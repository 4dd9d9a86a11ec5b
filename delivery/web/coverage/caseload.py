"""The caseload page's view data, and a cohort's progress: many registrations at once.

The caseload reads only stored summaries, through the query of :mod:`mappings.assessment.caseload`
(its figures: one statement counts the whole caseload, which also checks that the person holds
the caseload's role) and :mod:`mappings.assessment.caseload_rows` (a page: a range of an index
with a limit, sought from the row a Next or Previous link names), whatever the caseload's size;
the API's ``GET /api/v1/caseload`` reads the same people's registrations from the same service
module. Summaries missing or of an earlier day are stored first when few; a backlog is left to
the background (``pending``) and the page says so. A cohort's page folds every registration
through :func:`mappings.assessment.standing.load_standings`. Neither's number of queries grows
with the number of learners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, col, or_, select

from delivery.web.coverage.overview import (
    RAG_LABELS,
    RAG_RANK,
    LearnerProgress,
    met_label,
    progress_of,
)
from mappings.assessment.caseload import Store, settled_counts
from mappings.assessment.caseload_rows import Position, Row, page_rows
from mappings.assessment.standing import load_standings
from portfolio.errors import NotFound
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


PAGE_SIZE = 50
R = TypeVar("R", LearnerProgress, Row)


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
    query: str
    matching: int  # registrations of the part listed (learning or finished) the search finds
    page: int
    pages: int
    pending: tuple[int, ...]  # summaries missing or of an earlier day, left to the background
    unshown: int  # registrations with no summary yet: not on the page until it is stored
    stale: int  # registrations shown with an earlier day's figures
    before_first: int | None = None  # the previous page's link seeks back from this row
    after_last: int | None = None  # the next page's link seeks on from this row
    withdrawn: int = 0  # of the whole caseload, counted apart (not red, amber, green or awaiting)
    completed: int = 0  # of the whole caseload, counted apart (not red, amber, green or awaiting)
    finished: bool = False  # the page lists the finished (completed, withdrawn or ended) learners
    learning_matching: int = 0  # learners in learning (on a break too) the search finds
    finished_matching: int = 0  # finished learners the search finds
    ended: int = 0  # of the whole caseload, ended by the learner's erasure: counted apart

    @property
    def active(self) -> int:
        """The caseload's registrations whose learner is still working: neither completed nor
        withdrawn, nor ended by the learner's erasure."""
        return self.registrations - self.withdrawn - self.completed - self.ended


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


def _progress(row: Row) -> LearnerProgress:
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
        withdrawn_at=row.withdrawn_at,
        withdrawn_reason=row.withdrawn_reason,
        break_since=row.break_since,
        completed_on=row.completed_on,
        ended=row.ended,
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
    after: int | None = None,
    before: int | None = None,
    today: date | None = None,
    store: Store | None = None,
    finished: bool = False,
) -> Caseload:
    """The learners an assessor (or, with ``role="iqa"``, an IQA) is allocated: one page of them,
    searched by name and sorted, with the figures of the whole caseload, read from the stored
    summaries: a count and a range of an index, whatever the caseload's size (``after`` or
    ``before``: the registration the page's neighbour showed last or first, whence its rows are
    sought). The learners still in learning (on a break too) are listed apart from the finished
    ones (completed, withdrawn or ended by the learner's erasure; ``finished``), each part
    sorted and paged on its own. Summaries missing or of an earlier day are stored first by
    ``store`` when few; else ``pending`` names them."""
    today = today or date.today()
    sort = sort if sort in SORT_KEYS else "name"
    direction = "desc" if direction == "desc" else "asc"
    needle = query.strip().casefold()
    found, pending = settled_counts(
        session, actor=actor, role=role, today=today, needle=needle, store=store
    )
    learning = found.matching - found.matching_finished
    matching = found.matching_finished if finished else learning
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (
        page_rows(
            session,
            actor.id,
            role,
            (sort, direction, needle, finished),
            Position(page, after, before),
            (PAGE_SIZE, matching),
        )
        if matching
        else []
    )
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
        rows=tuple(_progress(r) for r in rows),
        columns=columns,
        sort=sort,
        direction=direction,
        rag_counts=found.rag_counts,
        awaiting_claims=found.awaiting_claims,
        registrations=found.registrations,
        query=query.strip(),
        matching=matching,
        page=page,
        pages=pages,
        pending=pending,
        unshown=found.allocated - found.registrations if pending else 0,
        stale=found.stale if pending else 0,
        before_first=rows[0].registration_id if rows and page > 2 else None,  # page 1: no seek
        after_last=rows[-1].registration_id if rows and page < pages else None,
        withdrawn=found.withdrawn,
        completed=found.completed,
        finished=finished,
        learning_matching=learning,
        finished_matching=found.matching_finished,
        ended=found.ended,
    )


def rag_counts(rows: Iterable[LearnerProgress | Row]) -> dict[str, int]:
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
