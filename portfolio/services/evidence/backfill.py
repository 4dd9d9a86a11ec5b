"""Back-fill: scan for personal data the evidence saved before evidence was scanned.

A version whose body has no scan, and an attachment whose text was read but never scanned, are
scanned now and their findings stored (as a save would have). Running it again finds nothing
left to do. An erased item is never scanned (its text is gone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from portfolio.errors import PermissionDenied
from portfolio.models import (
    Attachment,
    AttachmentReading,
    Evidence,
    EvidenceVersion,
    PrivacyFinding,
    PrivacyScan,
)
from portfolio.services import audit
from portfolio.services.actors import Actor
from portfolio.services.evidence import scanning

BATCH = 200


@dataclass(frozen=True)
class Backfill:
    """What a back-fill did (or, with ``dry_run``, would do)."""

    versions: int  # versions with something scanned
    bodies: int  # bodies scanned
    attachments: int  # attachments' texts scanned
    findings: int  # findings stored (0 on a dry run)
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _unscanned_bodies(session: Session) -> list[int]:
    body_scan = exists().where(
        col(PrivacyScan.version_id) == EvidenceVersion.id,
        col(PrivacyScan.attachment_id).is_(None),
    )
    query = (
        select(EvidenceVersion.id)
        .join(Evidence, col(Evidence.id) == EvidenceVersion.evidence_id)
        .where(~body_scan, col(Evidence.erased_at).is_(None))
    )
    return [i for i in session.exec(query) if i is not None]


def _unscanned_attachments(session: Session) -> list[tuple[int, int]]:
    """(version id, attachment id) of attachments read but never scanned."""
    scanned = exists().where(col(PrivacyScan.attachment_id) == Attachment.id)
    query = (
        select(Attachment.version_id, Attachment.id)
        .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
        .where(
            col(AttachmentReading.status).in_(scanning.FINISHED),
            col(Attachment.erased_at).is_(None),
            ~scanned,
        )
    )
    return [(v, a) for v, a in session.exec(query) if a is not None]


def backfill(session: Session, *, actor: Actor, dry_run: bool = False) -> Backfill:
    """Scan every version and attachment text not scanned yet; administrators only. One
    ``privacy.backfill`` audit entry with the counts (never any text) when anything was scanned."""
    if not actor.has("admin"):
        raise PermissionDenied("Only an administrator may scan the stored evidence.")
    bodies = _unscanned_bodies(session)
    files = _unscanned_attachments(session)
    version_ids = sorted({*bodies, *(v for v, _ in files)})
    if dry_run or not version_ids:
        return Backfill(len(version_ids), len(bodies), len(files), 0, dry_run)
    before = _count(session)
    for start in range(0, len(version_ids), BATCH):
        chunk = version_ids[start : start + BATCH]
        versions = session.exec(
            select(EvidenceVersion).where(col(EvidenceVersion.id).in_(chunk))
        ).all()
        items = {
            e.id: e
            for e in session.exec(
                select(Evidence).where(col(Evidence.id).in_({v.evidence_id for v in versions}))
            )
        }
        for version in versions:
            scanning.ensure_scanned(session, items[version.evidence_id], version)
        for row in [*versions, *items.values()]:  # memory stays bounded by the batch
            session.expunge(row)
    result = Backfill(len(version_ids), len(bodies), len(files), _count(session) - before, False)
    data = {k: v for k, v in result.as_dict().items() if k != "dry_run"}
    audit.record(
        session,
        actor=actor,
        action="privacy.backfill",
        subject_type="evidence",
        subject_id=None,
        data=data,
    )
    return result


def _count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(PrivacyFinding)).one())
