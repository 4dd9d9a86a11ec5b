"""Sampling cycles: a period of one IQA's work, with its own copy of the strategy and a seed.

A cycle belongs to one IQA and covers the learners allocated to them (``Registration.iqa_id``);
only that IQA (or the system, from the command line) plans and reviews it. What a cycle may sample
is read by :mod:`mappings.quality.facts`; its plan is made in :mod:`mappings.quality.plan`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from mappings.quality.models import Sample, SampleReview, SamplingCycle
from mappings.quality.strategy import get_strategy
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Person
from portfolio.services import audit
from portfolio.services.people import SYSTEM, Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_end, day_start


def may_manage(actor: Actor, cycle: SamplingCycle) -> bool:
    """The cycle's own IQA, or the system itself (command line)."""
    return (actor.has("iqa") and actor.id == cycle.iqa_id) or actor == SYSTEM


def aware(value: datetime) -> datetime:
    """A time read back from the database, in UTC (SQLite returns it without a zone)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cycle_bounds(cycle: SamplingCycle) -> tuple[datetime, datetime]:
    """The cycle's days as times (UTC): from the start of its first day to the start of the day
    after its last, in the time zone kept with the cycle (the centre's when it was created), so
    a decision at 00:30 in British Summer Time on its first day is in it. A cycle without one
    (created before the zone was kept, migration 0056) keeps UTC days, as it was planned."""
    zone = ZoneInfo(cycle.time_zone) if cycle.time_zone else ZoneInfo("UTC")
    return day_start(cycle.start_date, zone), day_end(cycle.end_date, zone)


MAX_SEED = 2**31 - 1  # stored as PostgreSQL's integer


def checked_seed(seed: int) -> int:
    """A seed the cycle can keep, or Invalid."""
    if not 0 <= seed <= MAX_SEED:
        raise Invalid(f"A random seed is a whole number from 0 to {MAX_SEED}.", field="seed")
    return seed


def default_seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") % (2**31)


def create_cycle(
    session: Session,
    *,
    actor: Actor,
    name: str,
    start: date,
    end: date,
    iqa_id: int | None = None,
    seed: int | None = None,
    zone: ZoneInfo = CENTRE,
) -> SamplingCycle:
    """A new cycle with a copy of the current strategy. IQAs create their own; admins any.
    Its days are the days of ``zone`` (the centre's ``TIME_ZONE``), kept with it."""
    iqa_id = actor.id if iqa_id is None else iqa_id
    if not ((actor.has("iqa") and iqa_id == actor.id) or actor.has("admin")):
        raise PermissionDenied("IQAs create their own sampling cycles.")
    name = name.strip()
    if not name:
        raise Invalid("A cycle needs a name.")
    if end < start:
        raise Invalid("A cycle ends on or after the day it starts.")
    iqa = session.get(Person, iqa_id)
    if iqa is None or not iqa.has_role("iqa") or iqa.removed_at is not None:
        raise Invalid("The cycle's IQA must be a person with the IQA role.")
    if session.exec(select(SamplingCycle.id).where(SamplingCycle.name == name)).first():
        raise Invalid(f"A cycle named “{name}” already exists.")
    cycle = SamplingCycle(
        name=name,
        start_date=start,
        end_date=end,
        iqa_id=iqa_id,
        strategy=get_strategy(session).to_dict(),
        seed=default_seed(name) if seed is None else checked_seed(seed),
        created_by=actor.id or iqa_id,
        time_zone=zone.key,
    )
    session.add(cycle)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="iqa.cycle.create",
        subject_type="iqa_cycle",
        subject_id=cycle.id,
        data={
            "name": name,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "iqa": iqa_id,
            "time_zone": zone.key,  # whose days the start and end are
        },
    )
    return cycle


def get_cycle(session: Session, actor: Actor, cycle_id: int) -> SamplingCycle:
    cycle = session.get(SamplingCycle, cycle_id)
    if cycle is None or not may_manage(actor, cycle):
        raise NotFound("No such sampling cycle, or it is not yours.")
    return cycle


def cycle_by_name(session: Session, name: str) -> SamplingCycle:
    cycle = session.exec(select(SamplingCycle).where(SamplingCycle.name == name)).first()
    if cycle is None:
        raise NotFound(f"No sampling cycle named “{name}”.")
    return cycle


@dataclass(frozen=True)
class CycleRow:
    cycle: SamplingCycle
    samples: int
    reviewed: int
    disagreements: int


def list_cycles(session: Session, actor: Actor) -> list[CycleRow]:
    """The actor's cycles (newest first) with sample counts, in two queries."""
    cycles = session.exec(
        select(SamplingCycle)
        .where(SamplingCycle.iqa_id == actor.id)
        .order_by(col(SamplingCycle.start_date).desc(), col(SamplingCycle.id).desc())
    ).all()
    counts = session.exec(
        select(
            Sample.cycle_id,
            func.count(col(Sample.id)),
            func.count(col(SampleReview.id)),
            func.sum(case((col(SampleReview.outcome) == "disagree", 1), else_=0)),
        )
        .join(SampleReview, col(SampleReview.sample_id) == Sample.id, isouter=True)
        .where(col(Sample.cycle_id).in_([c.id for c in cycles]), col(Sample.dropped).is_(False))
        .group_by(col(Sample.cycle_id))
    ).all()
    by_cycle = {cid: (n, r, d or 0) for cid, n, r, d in counts}
    return [CycleRow(c, *by_cycle.get(c.id or 0, (0, 0, 0))) for c in cycles]
