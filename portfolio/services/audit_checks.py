"""When the audit trail was last checked: each run of ``portfolio audit verify`` is kept (when, by
whom, how many entries, intact or where it broke), so the administrators' page can say whether,
and when, the trail was found unbroken. The runs are not entries of the trail."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portfolio.errors import PermissionDenied
from portfolio.models import AuditCheck, Person
from portfolio.services.actors import Actor, person_id
from portfolio.services.audit import ChainReport

LONGEST = 500  # characters of the first finding kept


def record_check(session: Session, *, actor: Actor | Person, report: ChainReport) -> AuditCheck:
    """Keep one run of the check as ``report`` found the trail; the system (the command line)
    or an administrator."""
    if isinstance(actor, Actor) and not actor.has("admin"):
        raise PermissionDenied("Only an administrator checks the audit trail.")
    first = report.breaks[0] if report.breaks else ""
    check = AuditCheck(
        by_id=person_id(actor),
        entries=report.entries,
        intact=report.ok,
        findings=len(report.breaks) + report.more,
        first_finding=first if len(first) <= LONGEST else first[: LONGEST - 1] + "…",
    )
    session.add(check)
    session.flush()
    return check


def last_check(session: Session, *, actor: Actor) -> AuditCheck | None:
    """The newest run of the check, or None if the trail was never checked (one look-up by the
    primary key, whatever the number of runs)."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may see when the audit trail was checked.")
    return session.exec(select(AuditCheck).order_by(col(AuditCheck.id).desc()).limit(1)).first()
