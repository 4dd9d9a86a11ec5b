"""Cohorts: named groups of learners' registrations at a site, made by administrators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Cohort, Registration
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
