"""A page of the caseload's rows: a range of the index of its order, read from the summaries.

A page reached by its neighbour's link seeks: it starts at the row the visitor paged from (the
last row shown for the next page, the first for the one before) and reads the index from there,
so page 400 costs what page 1 does. A page asked for by number alone (a link from before, or
typed) is counted from the nearer end of the order, and only the summaries' index is read for
the rows skipped (an index-only range): the learners' names, registrations and frameworks are
read for the page's own rows. The rows of a seek are what the page's number says unless the
caseload changed between the two visits (as with any paging of a list that changes); a seek
from a row that is no longer there (its summary forgotten by a decision, or its learner moved
to another assessor) finds the page by its number instead. The learners in learning and the
finished (completed, withdrawn or ended by the learner's erasure) are read apart, each a range of the index led by the stage.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, String, bindparam, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from mappings.assessment.models import RegistrationSummary
from mappings.assessment.progress import Rag
from portfolio.models import Framework, Person, Registration

RAGS: tuple[Rag, ...] = ("red", "amber", "green")  # by summaries.RAG_RANK

_S = RegistrationSummary
_ORDER: dict[str, tuple[Any, ...]] = {
    "name": (_S.stage, _S.name_key),
    "progress": (_S.stage, _S.percent, _S.name_key),
    "rag": (_S.stage, _S.rag_rank, _S.percent, _S.name_key),
    "rag_desc": (_S.stage_back, _S.rag_rank, _S.percent, _S.name_key),
    "end": (_S.stage, _S.planned_end, _S.name_key),
}  # each the columns of an index (summaries' model), after the assessor's or IQA's id; the
# stage leads each, so that the learners in learning (stage 0) and the finished (completed 1,
# withdrawn 2, ended by the learner's erasure 3) are each a range of it


def _part(order: str, finished: bool) -> ColumnElement[bool]:
    """The part of the caseload a page reads: the learners still in learning (on a break too),
    or the finished ones (completed or withdrawn)."""
    if order == "rag_desc":
        return col(_S.stage_back) < 2 if finished else col(_S.stage_back) == 2
    return col(_S.stage) > 0 if finished else col(_S.stage) == 0


def _order(sort: str, direction: str) -> str:
    """The order a page reads: by status, the completed come after the working learners and the
    withdrawn last, either way, so descending reads the index led by ``stage_back`` (not
    ``stage``) backwards."""
    return "rag_desc" if sort == "rag" and direction == "desc" else sort


class Row(NamedTuple):
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
    withdrawn_at: date | None = None  # the learner left: shown marked
    withdrawn_reason: str | None = None
    break_since: date | None = None  # on a break in learning: shown so, sorted as active
    completed_on: date | None = None  # every standard signed off: shown so, sorted after active
    ended: bool = False  # the learner's personal data was erased: shown so, sorted last


class Position(NamedTuple):
    """Which page to read: its number (from 1), and the row the visitor paged from, if any."""

    page: int
    after: int | None = None  # the registration shown last on the page before
    before: int | None = None  # the registration shown first on the page after


def holder_of(role: str, table: Any = _S) -> Any:
    """``table``'s column naming the caseload's holder (summaries and registrations have both)."""
    return col(table.assessor_id) if role == "assessor" else col(table.iqa_id)


def pattern(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like() -> ColumnElement[bool]:
    return col(_S.name_key).like(bindparam("pattern", type_=String), escape="\\")


@cache
def _page_statement(
    role: str, order: str, descending: bool, seek: bool, search: bool, finished: bool = False
) -> Any:
    """Built once per role, order (:data:`_ORDER`), direction of reading, whether it seeks and
    searches, and which part it reads (learning or finished: :func:`_part`): the
    page's registrations from the index of the order alone (skipped rows cost an index entry
    each, a seek none), then the columns the page shows for those."""
    keys = (*_ORDER[order], _S.registration_id)
    found: Any = sa_select(col(_S.registration_id).label("rid"))
    if seek:  # the rows past the one paged from, in the order read: its keys read once each
        bound = RegistrationSummary.__table__.alias("bound")  # type: ignore[attr-defined]
        theirs = tuple_(
            *(
                sa_select(bound.c[k.key])
                .where(
                    bound.c.registration_id == bindparam("cursor", type_=Integer),
                    holder_of(role, bound.c) == bindparam("holder", type_=Integer),
                )
                .scalar_subquery()
                for k in keys
            )
        )
        found = found.where(tuple_(*keys) < theirs if descending else tuple_(*keys) > theirs)
    ids = (
        found.where(holder_of(role) == bindparam("holder", type_=Integer), _part(order, finished))
        .order_by(*(col(k).desc() if descending else col(k).asc() for k in keys))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    page = (ids.where(like()) if search else ids).subquery("page")
    return (
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
            col(Registration.withdrawn_at),
            col(Registration.withdrawn_reason),
            col(Registration.break_since),
            col(_S.completed_on),
            col(_S.stage),
        )  # fmt: skip
        .select_from(page)
        .join(_S, col(_S.registration_id) == page.c.rid)
        .join(Registration, col(Registration.id) == _S.registration_id)
        .join(Person, col(Person.id) == _S.learner_id)
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .order_by(*(col(k).desc() if descending else col(k).asc() for k in keys))
    )


def _read(session: Session, statement: Any, params: dict[str, Any]) -> list[Row]:
    return [
        Row(reg, learner, name, f"{title} (v{version})", start, end, met, total, awaiting,
            percent, RAGS[rank], left, why, away, done, stage == 3)
        for reg, learner, name, title, version, start, end, met, total, awaiting, percent, rank,
        left, why, away, done, stage in session.execute(statement, params)
    ]  # fmt: skip


def page_rows(
    session: Session,
    holder_id: int,
    role: str,
    how: tuple[str, str, str, bool],
    where: Position,
    sizes: tuple[int, int],
) -> list[Row]:
    """The rows of page ``where`` of the caseload sorted and searched as ``how`` says (sort,
    direction, needle, and whether the finished part is read rather than the learners in
    learning), ``sizes`` being the page size and how many registrations of that part the
    search matches: one statement (two when the row paged from is gone)."""
    sort, direction, needle, finished = how
    order = _order(sort, direction)
    size, matching = sizes
    params: dict[str, Any] = {"holder": holder_id}
    if needle:
        params["pattern"] = pattern(needle)
    descending = direction == "desc"
    cursor = where.after if where.after is not None else where.before
    if cursor is not None:
        back = where.after is None  # the page before the one paged from: read backwards
        statement = _page_statement(role, order, descending != back, True, bool(needle), finished)
        rows = _read(session, statement, {**params, "cursor": cursor, "offset": 0, "limit": size})
        if rows:
            return rows[::-1] if back else rows
    first, last = (where.page - 1) * size, min(where.page * size, matching)
    back = matching - last < first  # nearer the end: skip from there
    statement = _page_statement(role, order, descending != back, False, bool(needle), finished)
    params |= {"offset": matching - last if back else first, "limit": max(last - first, 0)}
    rows = _read(session, statement, params)
    return rows[::-1] if back else rows
