"""Cohorts: named groups of learners' registrations at a site, made by administrators, and closed
by them once finished (a closed cohort takes no new registration; those in it stay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NoSuch, NotFound, PermissionDenied
from portfolio.models import Cohort, Registration
from portfolio.models.base import utcnow
from portfolio.paging import past
from portfolio.services import audit
from portfolio.services.people import Actor

# a cohort not there, in words for a page (an old address): cohorts are never deleted, so only a
# typed or tampered id finds none; the command line names the id it was given
NOT_FOUND = "No such cohort."


class NoSuchCohort(NoSuch):
    """No cohort has ``cohort_id`` (a registration into it, or moved into it): "There is no such
    cohort." beside the form's cohort; ``cohort_id`` is kept for the command line, where the
    operator typed it and it is said."""

    def __init__(self, cohort_id: int) -> None:
        super().__init__("cohort", cohort_id, field="cohort_id")
        self.cohort_id = cohort_id


@dataclass(frozen=True)
class CohortRow:
    id: int
    name: str
    site: str
    registrations: int
    closed_at: datetime | None = None


def named(session: Session, name: str) -> Cohort | None:
    """The cohort of that name whatever its case (creation refuses a name differing only in
    case, so there is at most one; an exact match first, should older data hold two)."""
    return session.exec(
        select(Cohort)
        .where(func.lower(Cohort.name) == name.strip().lower())
        .order_by(col(Cohort.name) != name.strip(), col(Cohort.id))
    ).first()


def create_cohort(session: Session, *, actor: Actor, name: str, site: str = "Main site") -> Cohort:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators create cohorts.")
    name, site = name.strip(), site.strip() or "Main site"
    if not name:
        raise Invalid("A cohort needs a name.")
    if len(name) > 200 or len(site) > 200:
        raise Invalid("Cohort name and site may be at most 200 characters.")
    if named(session, name) is not None:
        raise Invalid(f"A cohort named “{name}” already exists.")
    cohort = Cohort(name=name, site=site)
    session.add(cohort)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="cohort.create",
        subject_type="cohort",
        subject_id=cohort.id,
        data={"name": name, "site": site},
    )
    return cohort


def _closing(session: Session, actor: Actor, cohort_id: int, what: str) -> Cohort:
    """The cohort, held until the transaction ends (a registration into it waits and then
    reads whether it is closed), once the actor is found to be an administrator."""
    if not actor.has("admin"):
        raise PermissionDenied(f"Only administrators {what} cohorts.")
    cohort = session.get(Cohort, cohort_id, with_for_update=True, populate_existing=True)
    if cohort is None:
        raise NotFound(NOT_FOUND)
    return cohort


def close_cohort(session: Session, *, actor: Actor, cohort_id: int) -> Cohort:
    """Close a finished cohort: no new registration goes into it, and the registration forms
    no longer offer it. Its registrations stay in it, untouched."""
    cohort = _closing(session, actor, cohort_id, "close")
    if cohort.closed_at is not None:
        raise Invalid(f"The cohort “{cohort.name}” is already closed.")
    cohort.closed_at = utcnow()
    session.add(cohort)
    session.flush()
    audit.record(session, actor=actor, action="cohort.close", subject_type="cohort",
                 subject_id=cohort.id, data={"name": cohort.name})  # fmt: skip
    return cohort


def reopen_cohort(session: Session, *, actor: Actor, cohort_id: int) -> Cohort:
    """Open a closed cohort again: it takes new registrations and is offered again."""
    cohort = _closing(session, actor, cohort_id, "reopen")
    if cohort.closed_at is None:
        raise Invalid(f"The cohort “{cohort.name}” is open: there is nothing to reopen.")
    cohort.closed_at = None
    session.add(cohort)
    session.flush()
    audit.record(session, actor=actor, action="cohort.reopen", subject_type="cohort",
                 subject_id=cohort.id, data={"name": cohort.name})  # fmt: skip
    return cohort


def check_open(session: Session, cohort_id: int | None, *, hold: bool = True) -> None:
    """Refuse, in words, a cohort that does not exist or is closed (a new registration, or one
    moved, into it). ``hold``: read ``FOR SHARE`` on PostgreSQL, so a cohort being closed is
    waited for and one read open stays open until the registration is written."""
    if cohort_id is None:
        return
    cohort = session.get(Cohort, cohort_id, with_for_update={"read": True} if hold else None)
    if cohort is None:
        raise NoSuchCohort(cohort_id)
    if cohort.closed_at is not None:
        raise Invalid(
            f"The cohort “{cohort.name}” is closed: a new registration cannot go into it. "
            "Choose an open cohort, or reopen it on the Cohorts page."
        )


def offered(session: Session, *, keep: int | None = None) -> list[CohortRow]:
    """The cohorts a registration form offers, by name: the open ones, and ``keep`` (the
    registration's own cohort, closed or not). One statement, whatever the closed ones number;
    their registrations are not counted (0)."""
    wanted: ColumnElement[bool] = col(Cohort.closed_at).is_(None)
    if keep is not None:
        wanted = or_(wanted, col(Cohort.id) == keep)
    query = select(Cohort).where(wanted).order_by(col(Cohort.name), col(Cohort.id))
    return [_row(cohort, 0) for cohort in session.exec(query).all()]


def _row(cohort: Cohort, registrations: int) -> CohortRow:
    return CohortRow(id=cohort.id or 0, name=cohort.name, site=cohort.site,
                     registrations=registrations, closed_at=cohort.closed_at)  # fmt: skip


def list_cohorts(session: Session) -> list[CohortRow]:
    """Every cohort with its number of registrations, in one query."""
    query = (
        select(Cohort, func.count(col(Registration.id)))
        .outerjoin(Registration, col(Registration.cohort_id) == Cohort.id)
        .group_by(col(Cohort.id))  # its key: the cohort's other columns follow from it
        .order_by(col(Cohort.name))
    )
    return [_row(cohort, count) for cohort, count in session.exec(query).all()]


def cohort_row(session: Session, *, actor: Actor, cohort_id: int) -> CohortRow:
    """One cohort with its number of registrations, for an administrator about to close it (one
    query); NotFound when there is none."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators close cohorts.")
    found = session.exec(
        select(Cohort, func.count(col(Registration.id)))
        .outerjoin(Registration, col(Registration.cohort_id) == Cohort.id)
        .where(col(Cohort.id) == cohort_id)
        .group_by(col(Cohort.id))
    ).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return _row(*found)


def cohorts_after(
    session: Session, *, after: tuple[str, int] | None, limit: int
) -> tuple[list[CohortRow], tuple[str, int] | None]:
    """Up to ``limit`` cohorts by name (then id) after ``after`` (the name and id of the last
    of the page before; None: from the start), each with its number of registrations, and the
    name and id of the last of them while more follow (None at the end). A keyset page: one
    statement of ``limit + 1`` rows in the order of an index, counting only theirs."""
    count = (
        sa_select(func.count(col(Registration.id)))
        .where(col(Registration.cohort_id) == Cohort.id)
        .scalar_subquery()
    )
    query = select(Cohort, count).order_by(col(Cohort.name), col(Cohort.id))
    if after is not None:
        query = query.where(past([col(Cohort.name), col(Cohort.id)], after))
    rows = session.exec(query.limit(limit + 1)).all()
    shown = [_row(cohort, count) for cohort, count in rows[:limit]]
    return shown, ((shown[-1].name, shown[-1].id) if len(rows) > limit else None)
