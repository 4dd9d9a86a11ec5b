"""The standards of listed registrations, and whether every one is signed off, in one statement.

Sign-offs are assessment records (``mappings``), above this layer: the layer that keeps them
offers, through :func:`register_signed_standards` (wired in ``delivery.wiring``), a selectable of
the current (not reopened) sign-offs with the columns ``registration_id``, ``standard_id`` and
``signed_at``. The registrations list joins it to the standards it reads anyway, so saying when a
registration was completed costs no statement of its own. Unwired, nothing is completed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, null
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from portfolio.models import RegistrationStandard, Standard
from portfolio.words import local

CENTRE = ZoneInfo("Europe/London")  # the default ``TIME_ZONE``
SignedStandards = Callable[[], Any]  # a selectable: registration_id, standard_id, signed_at
_SIGNED: list[SignedStandards] = []


def register_signed_standards(source: SignedStandards) -> None:
    _SIGNED[:] = [source]


def standards_of(
    session: Session, registration_ids: Sequence[int], *, zone: ZoneInfo = CENTRE
) -> dict[int, tuple[list[str], date | None]]:
    """Each registration's standard codes in framework order, with the day it was completed
    (every standard signed off: the latest sign-off's day in ``zone``, the centre's) or None."""
    rs = RegistrationStandard
    if not registration_ids:
        return {}
    signed = _SIGNED[0]().subquery("signed") if _SIGNED else None
    query = (
        sa_select(
            col(rs.registration_id),
            col(Standard.code),
            signed.c.signed_at if signed is not None else null(),
        )
        .select_from(rs)
        .join(Standard, col(Standard.id) == rs.standard_id)
        .where(col(rs.registration_id).in_(registration_ids))
        .order_by(col(Standard.position))
    )
    if signed is not None:
        query = query.outerjoin(
            signed,
            and_(
                signed.c.registration_id == rs.registration_id,
                signed.c.standard_id == rs.standard_id,
            ),
        )
    found: dict[int, dict[str, datetime | None]] = {}
    for reg_id, code, signed_at in session.execute(query):
        # a standard signed off twice (both current) is listed once
        found.setdefault(reg_id, {}).setdefault(code, signed_at)
    return {reg: (list(codes), _completed(codes.values(), zone)) for reg, codes in found.items()}


def _completed(signed: Iterable[datetime | None], zone: ZoneInfo) -> date | None:
    days = [local(at, zone).date() if at is not None else None for at in signed]
    if not days or None in days:
        return None
    return max(d for d in days if d is not None)
