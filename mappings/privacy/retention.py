"""Retention: how long the centre keeps a learner's evidence, and erasing what is past it.

The rules come from the configuration: evidence content and files are kept
``RETENTION_EVIDENCE_YEARS`` (default 3) after the learner **completes** (every standard of
every registration signed off: the newest sign-off's day) or **leaves** (removed by an
administrator), whichever came first; ``RETENTION_FRAMEWORK_YEARS`` gives some frameworks
another period (a learner on several keeps the longest). Decisions, claims, judgements and
sign-off records are never erased by retention: the awarding body's record stays (decisions
are append-only in the database itself). Every day here is the centre's, in its time zone
(``TIME_ZONE``): the day completed or left, and "today".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from mappings.assessment.models import SignOff
from mappings.privacy.erasure import Erased, erase_items, forget_people
from portfolio.config import framework_years
from portfolio.errors import PermissionDenied
from portfolio.models import (
    Attachment,
    Evidence,
    EvidenceVersion,
    Framework,
    Person,
    Registration,
    RegistrationStandard,
)
from portfolio.models.base import utcnow
from portfolio.services import audit, files
from portfolio.services.actors import Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.words import local


@dataclass(frozen=True)
class Rules:
    """Years evidence is kept after a learner completes or leaves; per framework code."""

    evidence_years: int = 3
    frameworks: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_config(cls, conf: Mapping[str, Any]) -> Rules:
        return cls(
            evidence_years=int(conf.get("RETENTION_EVIDENCE_YEARS") or 3),
            frameworks=framework_years(conf.get("RETENTION_FRAMEWORK_YEARS")),
        )

    def years(self, codes: set[str]) -> int:
        """The longest period of these frameworks (the default when none)."""
        return max(
            (self.frameworks.get(c, self.evidence_years) for c in codes),
            default=self.evidence_years,
        )


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Due:
    """One learner whose evidence is past its keeping time."""

    learner_id: int
    learner: str
    email: str
    ended: str  # "completed" or "left"
    ended_on: date
    kept_until: date
    items: int
    files: int

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ended_on"] = self.ended_on.isoformat()
        data["kept_until"] = self.kept_until.isoformat()
        return data


def _day(value: datetime | None, zone: ZoneInfo) -> date | None:
    """The day of ``value`` in the centre's ``zone``."""
    return local(value, zone).date() if value is not None else None


def _completed(
    session: Session, learner_ids: list[int], zone: ZoneInfo
) -> dict[int, tuple[date | None, set[str]]]:
    """Per learner: the day they completed, in the centre's ``zone`` (None: not yet), and
    their frameworks' codes."""
    regs = session.exec(
        select(Registration.id, Registration.learner_id, Framework.code)
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .where(col(Registration.learner_id).in_(learner_ids))
    ).all()
    wanted = dict(
        session.exec(
            select(RegistrationStandard.registration_id, func.count())
            .where(col(RegistrationStandard.registration_id).in_([r[0] for r in regs]))
            .group_by(col(RegistrationStandard.registration_id))
        ).all()
    )
    signed = {
        rid: (n, last)
        for rid, n, last in session.exec(
            select(
                SignOff.registration_id,
                func.count(func.distinct(SignOff.standard_id)),
                func.max(SignOff.signed_at),
            )
            .where(
                col(SignOff.registration_id).in_([r[0] for r in regs]), SignOff.status == "signed"
            )
            .group_by(col(SignOff.registration_id))
        ).all()
    }
    by_learner: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for rid, lid, code in regs:
        by_learner[lid].append((rid or 0, code))
    out: dict[int, tuple[date | None, set[str]]] = {}
    for lid in learner_ids:
        mine = by_learner.get(lid, [])
        days: list[date] = []
        complete = bool(mine)
        for rid, _ in mine:
            n, last = signed.get(rid, (0, None))
            if not wanted.get(rid) or n < wanted[rid] or last is None:
                complete = False
                break
            days.append(local(last, zone).date())
        out[lid] = (max(days) if complete and days else None, {c for _, c in mine})
    return out


def due(
    session: Session, rules: Rules, *, today: date | None = None, zone: ZoneInfo = CENTRE
) -> list[Due]:
    """Learners whose evidence (not yet erased) is past its keeping time, by name. Days are the
    centre's (``zone``): completed at 00:30 on 7 Jun in London (23:30 UTC on 6 Jun) is kept
    until 7 Jun three years on, and "today" (by default) is the centre's day."""
    today = today or local(utcnow(), zone).date()
    counts = session.exec(
        select(
            Evidence.learner_id,
            func.count(func.distinct(Evidence.id)),
            func.count(col(Attachment.id)),
        )
        .outerjoin(EvidenceVersion, col(EvidenceVersion.evidence_id) == Evidence.id)
        .outerjoin(Attachment, col(Attachment.version_id) == EvidenceVersion.id)
        .where(col(Evidence.erased_at).is_(None))
        .group_by(col(Evidence.learner_id))
    ).all()
    if not counts:
        return []
    ids = [lid for lid, _, _ in counts]
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}
    completed = _completed(session, ids, zone)
    found: list[Due] = []
    for lid, items, attached in counts:
        person = people[lid]
        done, codes = completed[lid]
        left = _day(person.removed_at, zone)
        ends = [(d, why) for d, why in ((done, "completed"), (left, "left")) if d is not None]
        if not ends:
            continue
        ended_on, why = min(ends)
        until = years_after(ended_on, rules.years(codes))
        if today >= until:
            found.append(Due(lid, person.name, person.email, why, ended_on, until, items, attached))
    return sorted(found, key=lambda d: (d.learner.lower(), d.learner_id))


@dataclass(frozen=True)
class Applied:
    due: list[Due]
    erased: Erased
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "learners": [d.as_dict() for d in self.due],
            "erased": asdict(self.erased),
        }


def apply(
    session: Session,
    *,
    actor: Actor,
    rules: Rules,
    store: files.Store | None,
    dry_run: bool = False,
    today: date | None = None,
    zone: ZoneInfo = CENTRE,
) -> Applied:
    """Erase the content and files of every item past its keeping time (``dry_run``: only say
    what would go), on the centre's days (``zone``, :func:`due`). Administrators and the system
    only; one transaction, flushed."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may apply the retention rules.")
    found = due(session, rules, today=today, zone=zone)
    ids = (
        list(
            session.exec(
                select(Evidence.id).where(
                    col(Evidence.learner_id).in_([d.learner_id for d in found]),
                    col(Evidence.erased_at).is_(None),
                )
            )
        )
        if found
        else []
    )
    erased = erase_items(
        session,
        actor=actor,
        evidence_ids=[i for i in ids if i is not None],
        reason="retention",
        store=store,
        dry_run=dry_run,
    )
    if found and not dry_run:
        forget_people(
            session, actor=actor, person_ids=[d.learner_id for d in found], reason="retention"
        )
        audit.record(
            session,
            actor=actor,
            action="retention.apply",
            subject_type="evidence",
            subject_id=None,
            data={"learners": len(found), "items": erased.items, "files": erased.removed_files},
        )
    return Applied(found, erased, dry_run)
