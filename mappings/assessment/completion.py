"""Completion: a registration whose every standard has a current (not reopened) sign-off is
completed, on the day of the latest of those sign-offs: its day in the centre's time zone
(``TIME_ZONE``, which each caller passes as ``zone``), the day its own page says it was signed off. Nobody sets it: it is derived from the
sign-offs, so reopening a standard makes the registration not completed again.

The caseload reads it from the stored summaries (``completed_on``, worked out by
:mod:`mappings.assessment.summaries` with :func:`completed`); the learner's home page
from the standings it already loads; the administrators' list and the API from the standards
the registrations list reads anyway, joined to :func:`current_signoffs` (no statement added)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import col

from mappings.assessment.models import SignOff
from mappings.assessment.standing import Standing
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
