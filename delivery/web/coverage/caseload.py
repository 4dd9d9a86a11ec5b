"""The caseload of an assessor or IQA, and a cohort's progress: many registrations at once.

The caseload reads only stored summaries (:mod:`mappings.assessment.summaries`), which carry its
sort keys with an index per sort: one statement counts the whole caseload, one reads a page (a
range of an index with a limit), whatever the caseload's size. Summaries missing or of an earlier
day are stored first when few; a backlog is left to the background (``pending``) and the page says
so. A cohort's page folds every registration through
:func:`mappings.assessment.standing.load_standings`. Neither's number of queries grows with the
number of learners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    bindparam,
    case,
    distinct,
    func,
    literal,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from delivery.web.coverage.overview import (
    RAG_LABELS,
    RAG_RANK,
    LearnerProgress,
    met_label,
    progress_of,
)
from mappings.assessment.models import RegistrationSummary
from mappings.assessment.progress import Rag
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
INLINE = 100  # summaries a visit works out and stores before it answers; more: the background
R = TypeVar("R", LearnerProgress, "_Row")
RAGS: tuple[Rag, ...] = ("red", "amber", "green")  # by summaries.RAG_RANK
Store = Callable[[list[int]], None]  # stores these registrations' summaries now, then reads on


@dataclass(frozen=True)
class Counts:
    """The figures of a whole caseload, from its stored summaries, in one statement."""

    registrations: int  # with a summary (a learner may hold several registrations)
    rag_counts: dict[str, int]
    awaiting_claims: int
    learners: int  # 0 unless counted (``people``: the home page's panel)
    awaiting_learners: int  # learners with a claim awaiting a decision; the same
    matching: int  # registrations the search finds
    allocated: int  # registrations of the caseload, with a summary or not
    stale: int  # summaries worked out before today


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
    matching: int  # registrations the search finds
    page: int
    pages: int
    pending: tuple[int, ...]  # summaries missing or of an earlier day, left to the background
    unshown: int  # registrations with no summary yet: not on the page until it is stored
    stale: int  # registrations shown with an earlier day's figures


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
    """A registration of the caseload as its page shows it."""

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


_S = RegistrationSummary
_ORDER: dict[str, tuple[Any, ...]] = {
    "name": (_S.name_key,),
    "progress": (_S.percent, _S.name_key),
    "rag": (_S.rag_rank, _S.percent, _S.name_key),
    "end": (_S.planned_end, _S.name_key),
}  # each the columns of an index (summaries' model), after the assessor's or IQA's id


def _holder(role: str, table: Any = _S) -> Any:
    """``table``'s column naming the caseload's holder (summaries and registrations have both)."""
    return col(table.assessor_id) if role == "assessor" else col(table.iqa_id)


def _pattern(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like() -> ColumnElement[bool]:
    return col(_S.name_key).like(bindparam("pattern", type_=String), escape="\\")


def _ones(condition: ColumnElement[bool]) -> Any:
    return func.count().filter(condition)


@cache
def _counts_statement(role: str, search: bool, people: bool) -> Any:
    """Built once per role, whether there is a search and whether learners are counted (two
    distinct counts: a third of the statement's time at 50,000 registrations); building it
    costs more than running it."""
    holder = bindparam("holder", type_=Integer)
    allocated = (
        sa_select(func.count())
        .select_from(Registration)
        .where(_holder(role, Registration) == holder)
        .scalar_subquery()
    )
    return sa_select(
        func.count(),
        *(_ones(col(_S.rag_rank) == rank) for rank in range(len(RAGS))),
        func.coalesce(func.sum(_S.awaiting), 0),
        func.count(distinct(col(_S.learner_id))) if people else literal(0),
        func.count(distinct(case((col(_S.awaiting) > 0, _S.learner_id)))) if people else literal(0),
        _ones(_like()) if search else func.count(),
        allocated,
        _ones(col(_S.computed_on) < bindparam("today", type_=Date)),
    ).where(_holder(role) == holder)


def counts(
    session: Session, holder_id: int, role: str, today: date, needle: str = "", people: bool = False
) -> Counts:
    """The caseload's figures, and how many of its registrations have a summary, in one
    statement (an index range of the summaries, and one of the registrations)."""
    params: dict[str, Any] = {"holder": holder_id, "today": today}
    if needle:
        params["pattern"] = _pattern(needle)
    found = session.execute(_counts_statement(role, bool(needle), people), params).one()
    total, red, amber, green, awaiting, learners, awaiting_learners, matching, mine, stale = found
    return Counts(
        registrations=total,
        rag_counts={"red": red, "amber": amber, "green": green},
        awaiting_claims=awaiting,
        learners=learners,
        awaiting_learners=awaiting_learners,
        matching=matching,
        allocated=mine,
        stale=stale,
    )


def behind(session: Session, holder_id: int, role: str, today: date) -> list[int]:
    """The caseload's registrations with no summary, or one of an earlier day, in id order."""
    found = session.execute(
        sa_select(col(Registration.id))
        .outerjoin(_S, col(_S.registration_id) == Registration.id)
        .where(_holder(role, Registration) == holder_id)
        .where(or_(col(_S.registration_id).is_(None), col(_S.computed_on) < today))
        .order_by(col(Registration.id))
    )
    return [int(i) for (i,) in found]


def settled_counts(
    session: Session,
    *,
    actor: Actor,
    role: str,
    today: date,
    needle: str = "",
    store: Store | None = None,
    people: bool = False,
) -> tuple[Counts, tuple[int, ...]]:
    """The caseload's figures once the summaries it misses (or has from an earlier day) are
    stored by ``store``, when they are few (:data:`INLINE`); else those it could not store:
    the page shows the rest, and earlier days' figures, meanwhile."""
    if role not in ("assessor", "iqa") or not actor.has(role):
        raise PermissionDenied("Only assessors and IQAs have a caseload.")
    found = counts(session, actor.id, role, today, needle, people)
    if found.allocated == found.registrations and not found.stale:
        return found, ()
    late = behind(session, actor.id, role, today)
    if store is None or len(late) > INLINE:
        return found, tuple(late)
    store(late)
    return counts(session, actor.id, role, today, needle, people), ()


@cache
def _page_statement(role: str, sort: str, direction: str, search: bool) -> Any:
    """Built once per role, order and whether there is a search: a range of the index of
    that order (see the summaries' model) with a limit, and the shown rows' names."""
    keys = (*_ORDER[sort], _S.registration_id)
    query = (
        sa_select(
            col(_S.registration_id),
            col(_S.learner_id),
            col(Person.name),
            col(Framework.title),
            col(Framework.version),
            col(Registration.start_date),
            col(_S.planned_end),
            col(_S.met),
            col(_S.total),
            col(_S.awaiting),
            col(_S.percent),
            col(_S.rag_rank),
        )  # fmt: skip
        .join(Registration, col(Registration.id) == _S.registration_id)
        .join(Person, col(Person.id) == _S.learner_id)
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .where(_holder(role) == bindparam("holder", type_=Integer))
        .order_by(*(col(k).desc() if direction == "desc" else col(k).asc() for k in keys))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    return query.where(_like()) if search else query


def _page_rows(
    session: Session, holder_id: int, role: str, how: tuple[str, str, str], offset: int
) -> list[_Row]:
    sort, direction, needle = how
    params: dict[str, Any] = {"holder": holder_id, "offset": offset, "limit": PAGE_SIZE}
    if needle:
        params["pattern"] = _pattern(needle)
    return [
        _Row(reg, learner, name, f"{title} (v{version})", start, end, met, total, awaiting,
             percent, RAGS[rank])
        for reg, learner, name, title, version, start, end, met, total, awaiting, percent, rank
        in session.execute(_page_statement(role, sort, direction, bool(needle)), params)
    ]  # fmt: skip


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
    store: Store | None = None,
) -> Caseload:
    """The learners an assessor (or, with ``role="iqa"``, an IQA) is allocated: one page of them,
    searched by name and sorted, with the figures of the whole caseload, read from the stored
    summaries: a count and a range of an index, whatever the caseload's size. Summaries missing
    or of an earlier day are stored first by ``store`` when few; else ``pending`` names them."""
    today = today or date.today()
    sort = sort if sort in SORT_KEYS else "name"
    direction = "desc" if direction == "desc" else "asc"
    needle = query.strip().casefold()
    found, pending = settled_counts(
        session, actor=actor, role=role, today=today, needle=needle, store=store
    )
    pages = max(1, -(-found.matching // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (
        _page_rows(session, actor.id, role, (sort, direction, needle), (page - 1) * PAGE_SIZE)
        if found.matching
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
        matching=found.matching,
        page=page,
        pages=pages,
        pending=pending,
        unshown=found.allocated - found.registrations if pending else 0,
        stale=found.stale if pending else 0,
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
