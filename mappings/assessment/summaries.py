"""Registration summaries: where each registration stands (criteria met of all, claims awaiting a
decision), kept so that a caseload of thousands of learners is a single query, not a fold of
every learner's claims on each visit.

A summary is a cache with two guards, so a reader finds it right or not at all:

- **Deleted with any change that could alter it**, in the same transaction: a session event
  (installed by :func:`install`, from ``delivery.wiring.wire``) sees every claim, decision,
  judgement, evidence item or version, sign-off and registration written through the ORM and
  deletes the summaries of the learners concerned; a change to a framework's standards,
  criteria or rules (not a new framework being loaded), or an ORM bulk statement on those tables
  that does not say it is covered
  (``execution_options(summaries_covered=True)``, used by ``claims.decide`` whose decision row is
  seen), deletes them all.
- **Worked out from what is committed**: :func:`save` holds the registrations' rows
  (PostgreSQL: ``FOR SHARE``, in id order) before it reads, and every write that changes what a
  summary says holds the registrations concerned (``FOR UPDATE``) before it writes: a decision,
  declaration, sign-off or reopening its registration's row; the learner's submit, edit of
  submitted evidence and mapping of submitted evidence, a rename (an administrator's, or an
  erasure's placeholder) and a bundle imported for a learner known here all of the learner's
  (``registration_holds.hold_learners``); a change of a framework's rules every registration
  on it (``registration_holds.hold_framework``, one statement). So a summary never rests on
  what a writer under way is about to change, nor is stored after that writer deleted it.
  Writes that delete summaries but change none of their figures hold nothing: an erasure of
  evidence (its claims, decisions and dates stay), standards added to a loaded framework (on
  no registration yet), a draft saved or mapped (a draft's claims count nowhere). A new write
  that changes a figure must hold the registrations too, in the lock order
  ``portfolio.services.registration_holds`` gives.
- **Good for the day it was worked out**: evidence older than the framework's currency limit
  stops counting with time alone.

:func:`rows` works them out with what the caseload sorts, searches and counts by (assessor, IQA,
learner's name, planned end, percentage met, RAG, withdrawn, completed and when); :func:`store`
saves them. The caseload page (its query: ``mappings/assessment/caseload.py``) reads only stored summaries: a
page is a range of an index and a count. It stores the few it misses before it reads on, in a
transaction of its own (the page's writes nothing); a larger backlog goes to the background, and
meanwhile the page shows an earlier day's figures. :func:`refresh` stores today's summary of
every registration that has none, in chunks: the nightly job (``delivery/schedule.py``) runs it
shortly after midnight, so the day's first caseload folds no one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, bindparam, delete, event, inspect, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from mappings.assessment import holds
from mappings.assessment.caseload_rows import RAGS
from mappings.assessment.completion import CENTRE, completed
from mappings.assessment.models import Claim, Decision, Judgement, RegistrationSummary, SignOff
from mappings.assessment.progress import Rag, whole_percent
from mappings.assessment.standing import load_standings
from portfolio.db import unit_of_work
from portfolio.models import (
    Criterion,
    Evidence,
    EvidenceVersion,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)

SessionFactory = Callable[[], Session]
_TABLE = RegistrationSummary.__table__  # type: ignore[attr-defined]
_BULK_AFFECTS = (
    Claim, Decision, Judgement, SignOff, Evidence, EvidenceVersion, Registration,
    RegistrationStandard, Framework, Standard, Criterion,
)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    registration_id: int
    met: int
    total: int
    awaiting: int


def work_out(session: Session, registration_ids: Sequence[int], today: date) -> dict[int, Summary]:
    """Fold these registrations' claims now (a fixed number of queries for all of them)."""
    return {
        s.registration.id or 0: Summary(s.registration.id or 0, s.met, s.total, s.awaiting_claims)
        for s in load_standings(session, registration_ids, today, detail=False)
    }


RAG_RANK: dict[Rag, int] = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Figures:
    """Where a registration stands as the caseload shows it: criteria met of all, the whole
    percentage, claims awaiting a decision and the RAG."""

    met: int
    total: int
    percent: int
    awaiting: int
    rag: Rag


_S = RegistrationSummary
_TODAYS = sa_select(
    col(_S.registration_id), col(_S.met), col(_S.total), col(_S.percent), col(_S.awaiting),
    col(_S.rag_rank),
).where(
    col(_S.registration_id).in_(bindparam("ids", expanding=True)),
    col(_S.computed_on) == bindparam("today", type_=Date),
)  # fmt: skip


def todays_figures(
    session: Session, registration_ids: Sequence[int], today: date
) -> dict[int, Figures]:
    """These registrations' figures of ``today``, as the caseload page shows them: read from
    their summaries stored today (one statement by key, whatever the learners' history), and
    those with none (not stored yet, of an earlier day, or deleted by a change) worked out now
    from what is committed (:func:`load_standings`, counts only: four statements more), not
    stored: reading writes nothing, and never gives an earlier day's figures."""
    if not registration_ids:
        return {}
    found = {
        rid: Figures(met, total, percent, awaiting, RAGS[rank])
        for rid, met, total, percent, awaiting, rank in session.execute(
            _TODAYS, {"ids": sorted(set(registration_ids)), "today": today}
        )
    }
    missing = [rid for rid in registration_ids if rid not in found]
    for s in load_standings(session, missing, today, detail=False):
        found[s.registration.id or 0] = Figures(
            s.met, s.total, whole_percent(s.met, s.total), s.awaiting_claims, s.rag
        )
    return found


def stage_of(withdrawn: bool, completed_on: date | None, *, erased: bool = False) -> int:
    """Where the status order puts a registration: 0 working, 1 completed, 2 withdrawn, 3 ended
    because the learner's personal data was erased (they can no longer learn; a registration
    completed or withdrawn before stays so)."""
    return 2 if withdrawn else 1 if completed_on is not None else 3 if erased else 0


def rows(
    session: Session, registration_ids: Sequence[int], today: date, *, zone: ZoneInfo = CENTRE
) -> list[dict[str, Any]]:
    """Today's summary rows of these registrations, every column filled (what :func:`save`
    stores, and what a bulk writer such as the demo's inserts itself); ``completed_on`` is the
    day in ``zone``, the centre's time zone, as every page says a sign-off's day."""
    found = []
    for s in load_standings(session, registration_ids, today, detail=False):
        reg = s.registration
        done = completed(s, zone=zone)
        stage = stage_of(reg.withdrawn_at is not None, done, erased=s.learner.erased_at is not None)
        found.append(
            {
                "registration_id": reg.id,
                "met": s.met,
                "total": s.total,
                "awaiting": s.awaiting_claims,
                "computed_on": today,
                "learner_id": reg.learner_id,
                "assessor_id": reg.assessor_id,
                "iqa_id": reg.iqa_id,
                "name_key": s.learner.name.casefold(),
                "planned_end": reg.planned_end,
                "percent": whole_percent(s.met, s.total),
                "rag_rank": RAG_RANK[s.rag],
                "withdrawn": reg.withdrawn_at is not None,
                "active": stage in (0, 1),
                "completed_on": done,
                "stage": stage,
                "stage_back": 2 - stage,
            }
        )
    return found


def store(
    session_factory: SessionFactory,
    registration_ids: Sequence[int],
    today: date,
    *,
    zone: ZoneInfo = CENTRE,
) -> int:
    """Work out and save the summaries of these registrations, in one transaction of its own;
    how many were saved. A registration changed meanwhile is simply worked out again later."""
    with unit_of_work(session_factory) as session:
        return save(session, registration_ids, today, zone=zone)


def save(
    session: Session, registration_ids: Sequence[int], today: date, *, zone: ZoneInfo = CENTRE
) -> int:
    """Work out and save these registrations' summaries in the caller's transaction (flushed).
    On PostgreSQL their rows are held from writers first (``FOR SHARE``, in id order), so what
    is read is as committed and stays so until this commits: a decision under way (it holds its
    registration before it writes) is waited for, then read; one that comes after waits for
    this to commit, then deletes the summary."""
    holds.share_registrations(session, registration_ids)
    found = rows(session, registration_ids, today, zone=zone)
    if not found:
        return 0
    session.execute(
        delete(_TABLE).where(_TABLE.c.registration_id.in_([r["registration_id"] for r in found]))
    )
    session.execute(_TABLE.insert(), found)
    return len(found)


def store_in_chunks(
    session_factory: SessionFactory,
    registration_ids: Sequence[int],
    today: date,
    *,
    chunk: int = 0,
    zone: ZoneInfo = CENTRE,
) -> int:
    """:func:`store`, ``chunk`` registrations a transaction (a caseload's backlog, in the
    background); a chunk another process stored meanwhile is left to it."""
    chunk = chunk or CHUNK
    stored = 0
    for start in range(0, len(registration_ids), chunk):
        try:
            stored += store(
                session_factory, registration_ids[start : start + chunk], today, zone=zone
            )
        except IntegrityError:
            continue
    return stored


def stale(session: Session, today: date) -> list[int]:
    """The registrations with no summary worked out ``today``, in id order."""
    found = session.execute(
        select(Registration.id)
        .outerjoin(
            _TABLE,
            (_TABLE.c.registration_id == Registration.id) & (_TABLE.c.computed_on == today),
        )
        .where(_TABLE.c.registration_id.is_(None))
        .order_by(col(Registration.id))
    )
    return [int(i) for (i,) in found]


CHUNK = 500  # registrations folded and stored per transaction by refresh


class Unit(Protocol):
    """Makes one transaction: ``portfolio.db.unit_of_work`` bound to a session factory, or a
    command's ``ctx.session``."""

    def __call__(self, *, write: bool = ...) -> AbstractContextManager[Session]: ...


def refresh(unit: Unit, today: date, *, chunk: int = CHUNK, zone: ZoneInfo = CENTRE) -> int:
    """Store today's summary of every registration that has none, ``chunk`` registrations a
    transaction (memory and locks stay bounded); how many were stored. Running it again the
    same day finds nothing to do. A chunk another process stored meanwhile (a caseload visit's
    background store) is left to it."""
    with unit(write=False) as session:
        ids = stale(session, today)
    stored = 0
    for start in range(0, len(ids), chunk):
        try:
            with unit() as session:
                stored += save(session, ids[start : start + chunk], today, zone=zone)
        except IntegrityError:
            continue
    return stored


# ------------------------------------------------------------------ keeping them right


def install() -> None:
    """Delete summaries with the changes that alter them (idempotent; see the module's notes)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_bulk)


class _Touched:
    def __init__(self) -> None:
        self.everything = False
        self.registrations: set[int] = set()
        self.learners: set[int] = set()
        self.evidence: set[int] = set()
        self.claims: set[int] = set()

    def add(self, obj: Any, *, new: bool = False) -> None:
        if isinstance(obj, Framework | Standard | Criterion):
            # a new framework, standard or criterion changes no one's coverage yet
            self.everything = self.everything or not new
        elif isinstance(obj, Claim | Judgement | EvidenceVersion):
            self.evidence.add(obj.evidence_id)
        elif isinstance(obj, Decision):
            self.claims.add(obj.claim_id)
        elif isinstance(obj, Evidence):
            self.learners.add(obj.learner_id)
        elif isinstance(obj, SignOff | RegistrationStandard):
            self.registrations.add(obj.registration_id)
        elif isinstance(obj, Registration) and obj.id is not None:
            self.registrations.add(obj.id)
        elif isinstance(obj, Person) and obj.id is not None and not new and _renamed(obj):
            self.learners.add(obj.id)  # the caseload sorts and searches by the stored name

    def condition(self) -> ColumnElement[bool] | None:
        """Which registrations' summaries go: None for none."""
        parts: list[ColumnElement[bool]] = []
        if self.registrations:
            parts.append(col(Registration.id).in_(self.registrations))
        learners: list[Any] = []
        if self.learners:
            learners.append(list(self.learners))
        if self.evidence:
            learners.append(select(Evidence.learner_id).where(col(Evidence.id).in_(self.evidence)))
        if self.claims:
            learners.append(
                select(Evidence.learner_id)
                .join(Claim, col(Claim.evidence_id) == Evidence.id)
                .where(col(Claim.id).in_(self.claims))
            )
        parts.extend(col(Registration.learner_id).in_(found) for found in learners)
        return or_(*parts) if parts else None


def _renamed(person: Person) -> bool:
    return bool(inspect(person).attrs.name.history.has_changes())


def _after_flush(session: OrmSession, _context: UOWTransaction) -> None:
    touched = _Touched()
    for obj in session.new:
        touched.add(obj, new=True)
    for obj in chain(session.dirty, session.deleted):
        touched.add(obj)
    _forget(session, touched)


def _forget(session: OrmSession, touched: _Touched) -> None:
    if touched.everything:
        session.connection().execute(delete(_TABLE))
        return
    condition = touched.condition()
    if condition is not None:
        which = select(Registration.id).where(condition)
        session.connection().execute(delete(_TABLE).where(_TABLE.c.registration_id.in_(which)))


def _on_bulk(state: ORMExecuteState) -> None:
    """An ORM bulk insert, update or delete on a table summaries rest on forgets them all,
    unless the statement says a row the flush sees covers it."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, _BULK_AFFECTS):
        return
    if state.is_insert and issubclass(mapper.class_, Framework | Standard | Criterion):
        return  # a framework being loaded: no registration is on it yet
    if state.execution_options.get("summaries_covered"):
        return
    touched = _Touched()
    touched.everything = True
    _forget(state.session, touched)
