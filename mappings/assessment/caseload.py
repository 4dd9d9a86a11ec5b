"""The caseload: the learners an assessor or IQA is allocated, read two ways, both checking here
that the person reads their own caseload in a role they hold
(:func:`portfolio.services.registration_rows.caseload_roles`): nobody reads another's.

- **The caseload page's figures** (``delivery.web.coverage.caseload``, and the home page's panel):
  read from the stored summaries (:mod:`mappings.assessment.summaries`), the whole caseload's
  counts in one statement (:func:`counts`, :func:`settled_counts`: summaries missing or of an
  earlier day are stored first by the caller's ``store`` when few), a page of rows in one more
  (:mod:`mappings.assessment.caseload_rows`), whatever the caseload's size.
- **The API's list** (``GET /api/v1/caseload``, :func:`entries_after`): the person's
  registrations a keyset page at a time
  (:func:`portfolio.services.registration_rows.caseload_after`: one statement of ``limit + 1``
  registrations, one for their standards), each with where it stands as the page shows it
  (criteria met of all, claims awaiting a decision, RAG while the learner is still learning;
  completed, withdrawn, on a break or ended by the learner's erasure), read from the same stored
  summaries when they are today's, one statement by key
  (:func:`mappings.assessment.summaries.todays_figures`), and worked out now from what is
  committed for those not stored today (counts only, four statements more), not stored: an
  answer never lacks a learner whose summary is not stored yet, nor gives an earlier day's
  figures, and reading writes nothing.

Neither's number of statements grows with the number of learners nor with their history, nor
do the rows either reads once the summaries are stored (the nightly refresh stores them all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    distinct,
    func,
    literal,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_

from mappings.assessment.caseload_rows import RAGS, holder_of, like, pattern
from mappings.assessment.models import RegistrationSummary
from mappings.assessment.progress import Rag
from mappings.assessment.summaries import todays_figures
from portfolio.errors import PermissionDenied
from portfolio.models import Registration
from portfolio.services.people import Actor
from portfolio.services.registration_rows import (
    CASELOAD_ROLES,
    NO_CASELOAD,
    RegistrationRow,
    caseload_after,
    caseload_roles,
)
from portfolio.services.registration_standards import CENTRE

Position = tuple[tuple[str, int], int]  # the learner's name and id, and the registration's id


@dataclass(frozen=True)
class CaseloadEntry:
    """One registration of the caseload, with the holder's part in it and where it stands."""

    registration: RegistrationRow
    roles: tuple[str, ...]  # "assessor", "iqa" (or both): what the holder is to this learner
    met: int
    total: int
    percent: int
    awaiting_claims: int
    rag: Rag | None  # None once completed, withdrawn or ended (the page says so instead)


def entries_after(
    session: Session,
    *,
    actor: Actor,
    role: str | None = None,
    after: Position | None,
    limit: int,
    today: date | None = None,
    zone: ZoneInfo = CENTRE,
) -> tuple[list[CaseloadEntry], Position | None]:
    """Up to ``limit`` of the registrations ``actor`` is allocated as assessor or IQA (with
    ``role``, as that one only), by learner's name, past ``after``; and the position of the last
    of them while more follow (None at the end). PermissionDenied for a person who is neither
    (or not the ``role`` asked for): nobody reads another's caseload."""
    rows, last = caseload_after(
        session, actor=actor, role=role, after=after, limit=limit, zone=zone
    )
    figures = todays_figures(session, [r.id for r in rows], today or date.today())
    entries = []
    for row in rows:
        standing = figures[row.id]
        learning = row.state in ("active", "on a break")
        entries.append(
            CaseloadEntry(
                registration=row,
                roles=tuple(
                    r
                    for r, holder in (("assessor", row.assessor_id), ("iqa", row.iqa_id))
                    if holder == actor.id and actor.has(r) and role in (None, r)
                ),
                met=standing.met,
                total=standing.total,
                percent=standing.percent,
                awaiting_claims=standing.awaiting,
                rag=standing.rag if learning else None,
            )
        )
    return entries, last


# ---------------------------------------------------------------- the caseload page's figures
# The caseload page (``delivery.web.coverage.caseload``) and the home page's panel read the
# stored summaries: its figures here in one statement, a page in one more
# (:mod:`mappings.assessment.caseload_rows`).

INLINE = 100  # summaries a visit works out and stores before it answers; more: the background
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
    withdrawn: int = 0  # registrations whose learner withdrew: in no other figure but the first
    completed: int = 0  # registrations completed (not withdrawn): not in the RAG counts
    matching_finished: int = 0  # of ``matching``, those completed, withdrawn or ended
    ended: int = 0  # registrations ended by the learner's erasure: in no other figure but the first


_S = RegistrationSummary


def _ones(condition: ColumnElement[bool]) -> Any:
    return func.count().filter(condition)


@cache
def _counts_statement(role: str, search: bool, people: bool) -> Any:
    """Built once per role, whether there is a search and whether learners are counted (two
    distinct counts: a third of the statement's time at 50,000 registrations); building it
    costs more than running it."""
    holder = bindparam("holder", type_=Integer)
    # a withdrawn learner is counted apart, nor is a completed one red, amber or green; the claims
    # of neither await a decision (the marking queue leaves them out); nor of a learner whose
    # personal data was erased (stage 3), who is not counted among the learners either
    working = col(_S.stage) == 0
    kept = col(_S.stage) != 3
    awaiting = and_(col(_S.awaiting) > 0, working)
    allocated = (
        sa_select(func.count())
        .select_from(Registration)
        .where(holder_of(role, Registration) == holder)
        .scalar_subquery()
    )
    return sa_select(
        func.count(),
        *(_ones(and_(col(_S.rag_rank) == rank, working)) for rank in range(len(RAGS))),
        func.coalesce(func.sum(case((working, _S.awaiting), else_=0)), 0),
        func.count(distinct(case((kept, _S.learner_id)))) if people else literal(0),
        func.count(distinct(case((awaiting, _S.learner_id)))) if people else literal(0),
        _ones(like()) if search else func.count(),
        allocated,
        _ones(col(_S.computed_on) < bindparam("today", type_=Date)),
        _ones(col(_S.withdrawn).is_(True)),
        _ones(col(_S.stage) == 1),
        _ones(and_(like(), col(_S.stage) > 0)) if search else _ones(col(_S.stage) > 0),
        _ones(~kept),
    ).where(holder_of(role) == holder)


def counts(
    session: Session, holder_id: int, role: str, today: date, needle: str = "", people: bool = False
) -> Counts:
    """The caseload's figures, and how many of its registrations have a summary, in one
    statement (an index range of the summaries, and one of the registrations)."""
    params: dict[str, Any] = {"holder": holder_id, "today": today}
    if needle:
        params["pattern"] = pattern(needle)
    found = session.execute(_counts_statement(role, bool(needle), people), params).one()
    (total, red, amber, green, awaiting, learners, awaiting_learners, matching, mine, stale,
     withdrawn, completed, matching_finished, ended) = found  # fmt: skip
    return Counts(
        registrations=total,
        rag_counts={"red": red, "amber": amber, "green": green},
        awaiting_claims=awaiting,
        learners=learners,
        awaiting_learners=awaiting_learners,
        matching=matching,
        allocated=mine,
        stale=stale,
        withdrawn=withdrawn,
        completed=completed,
        matching_finished=matching_finished,
        ended=ended,
    )


def behind(session: Session, holder_id: int, role: str, today: date) -> list[int]:
    """The caseload's registrations with no summary, or one of an earlier day, in id order."""
    found = session.execute(
        sa_select(col(Registration.id))
        .outerjoin(_S, col(_S.registration_id) == Registration.id)
        .where(holder_of(role, Registration) == holder_id)
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
    if role not in CASELOAD_ROLES:  # the page's ?role= is not trusted either
        raise PermissionDenied(NO_CASELOAD)
    caseload_roles(actor, role)
    found = counts(session, actor.id, role, today, needle, people)
    if found.allocated == found.registrations and not found.stale:
        return found, ()
    late = behind(session, actor.id, role, today)
    if store is None or len(late) > INLINE:
        return found, tuple(late)
    store(late)
    return counts(session, actor.id, role, today, needle, people), ()
