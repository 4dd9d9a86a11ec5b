"""Cohorts: named groups of learners' registrations at a site, made by administrators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Cohort, Registration
from portfolio.paging import past
from portfolio.services import audit
from portfolio.services.people import Actor


@dataclass(frozen=True)
class CohortRow:
    id: int
    name: str
    site: str
    registrations: int


def create_cohort(session: Session, *, actor: Actor, name: str, site: str = "Main site") -> Cohort:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators create cohorts.")
    name, site = name.strip(), site.strip() or "Main site"
    if not name:
        raise Invalid("A cohort needs a name.")
    if len(name) > 200 or len(site) > 200:
        raise Invalid("Cohort name and site may be at most 200 characters.")
    clash = session.exec(select(Cohort.id).where(func.lower(Cohort.name) == name.lower())).first()
    if clash is not None:
        raise Invalid(f"A cohort named {name!r} already exists.")
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


def list_cohorts(session: Session) -> list[CohortRow]:
    """Every cohort with its number of registrations, in one query."""
    query = (
        select(Cohort.id, Cohort.name, Cohort.site, func.count(col(Registration.id)))
        .outerjoin(Registration, col(Registration.cohort_id) == Cohort.id)
        .group_by(col(Cohort.id), col(Cohort.name), col(Cohort.site))
        .order_by(col(Cohort.name))
    )
    return [
        CohortRow(id=cid or 0, name=name, site=site, registrations=count)
        for cid, name, site, count in session.exec(query).all()
    ]


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
    query = select(Cohort.id, Cohort.name, Cohort.site, count).order_by(
        col(Cohort.name), col(Cohort.id)
    )
    if after is not None:
        query = query.where(past([col(Cohort.name), col(Cohort.id)], after))
    rows = session.exec(query.limit(limit + 1)).all()
    shown = [CohortRow(id=i or 0, name=n, site=s, registrations=c) for i, n, s, c in rows[:limit]]
    return shown, ((shown[-1].name, shown[-1].id) if len(rows) > limit else None)
