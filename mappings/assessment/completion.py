"""Completion: a registration whose every standard has a current (not reopened) sign-off is
completed, on the day of the latest of those sign-offs: its day in the centre's time zone
(``TIME_ZONE``, which each caller passes as ``zone``), the day its own page says it was signed off. Nobody sets it: it is derived from the
sign-offs, so reopening a standard makes the registration not completed again.

The caseload reads it from the stored summaries (``completed_on``, worked out by
:mod:`mappings.assessment.summaries` with :func:`completed`); the learner's home page
from the standings it already loads; the administrators' list and the API from the standards
the registrations list reads anyway, joined to :func:`current_signoffs` (no statement added).
Statements that must leave completed registrations out (their open plans are no work to do, their
claims await no decision) test :func:`completed_sql` on the registrations they read anyway; those
that must leave out the claims of a standard signed off (its sign-off froze them: nobody decides
them until it is reopened) test :func:`signed_off_sql` on the registration and standard they join."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col

from mappings.assessment.models import SignOff
from mappings.assessment.standing import Standing
from portfolio.models import RegistrationStandard
from portfolio.words import local

CENTRE = ZoneInfo("Europe/London")  # the default ``TIME_ZONE``


def completion_day(signoffs: Iterable[SignOff | None], *, zone: ZoneInfo = CENTRE) -> date | None:
    """The day a registration with these standards' current sign-offs (None: not signed off)
    was completed: the latest sign-off's day in ``zone``, if every standard has one (and there
    is one)."""
    days = []
    for found in signoffs:
        if found is None:
            return None
        days.append(local(found.signed_at, zone).date())
    return max(days, default=None)


def completed(standing: Standing, *, zone: ZoneInfo = CENTRE) -> date | None:
    """The day (in ``zone``) this standing's registration was completed, or None
    (:func:`completion_day`)."""
    return completion_day((info.signoff for info in standing.standards), zone=zone)


def current_signoffs() -> Any:
    """The current (not reopened) sign-offs as the registrations list joins them to the
    standards it reads (``portfolio.services.registration_standards``, wired in
    ``delivery.wiring``)."""
    return sa_select(
        col(SignOff.registration_id), col(SignOff.standard_id), col(SignOff.signed_at)
    ).where(col(SignOff.status) == "signed")


def completed_sql(registration_id: Any) -> Any:
    """SQL: the registration whose id is ``registration_id`` (a column of the enclosing
    statement) is completed, as :func:`completion_day` says: it has a standard, and none of its
    standards is without a current sign-off (two lookups of the registration's standards by
    index, each a few rows)."""
    standard, signoff = aliased(RegistrationStandard), aliased(SignOff)
    signed = exists().where(
        col(signoff.registration_id) == standard.registration_id,
        col(signoff.standard_id) == standard.standard_id,
        col(signoff.status) == "signed",
    )
    return and_(
        exists().where(col(standard.registration_id) == registration_id),
        ~exists().where(col(standard.registration_id) == registration_id, ~signed),
    )


def signed_off_sql(registration_id: Any, standard_id: Any) -> Any:
    """SQL: the standard whose id is ``standard_id`` has a current (not reopened) sign-off in the
    registration whose id is ``registration_id`` (columns of the enclosing statement): its claims
    are not decided until it is reopened (a lookup of the registration's few sign-offs by index).
    Every standard of a completed registration is so (:func:`completed_sql`)."""
    return (
        exists()
        .where(
            col(SignOff.registration_id) == registration_id,
            col(SignOff.standard_id) == standard_id,
            col(SignOff.status) == "signed",
        )
        .correlate_except(SignOff)  # the columns given are the enclosing statements', at any depth
    )
