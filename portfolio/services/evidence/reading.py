"""Reading attachments in the background: one row per attachment, queued with the upload.

An upload only stores the file and queues a pending :class:`AttachmentReading`; the text is read
later, once, by a job (:mod:`mappings.assessment.reading` does the work and adds suggestions).
Pages read the stored rows and never the file. Requests that queue readings leave their ids in
the session (:func:`queued`) for the delivery layer to start once the request has committed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from portfolio.models import Attachment, AttachmentReading
from portfolio.models.base import utcnow

_KEY = "portfolio.readings"
FINISHED = ("done", "truncated")


def queue(session: Session, attachment_ids: Sequence[int]) -> None:
    """A pending reading for each attachment (flushed), started after the commit."""
    for attachment_id in attachment_ids:
        session.add(AttachmentReading(attachment_id=attachment_id))
    session.flush()
    session.info.setdefault(_KEY, []).extend(attachment_ids)


def queued(session: Session) -> list[int]:
    """The attachments this session queued for reading (and forget them)."""
    found: list[int] = session.info.pop(_KEY, [])
    return found


def readings_of(session: Session, attachment_ids: Sequence[int]) -> dict[int, AttachmentReading]:
    """The stored readings of these attachments, by attachment id."""
    if not attachment_ids:
        return {}
    rows = session.exec(
        select(AttachmentReading).where(col(AttachmentReading.attachment_id).in_(attachment_ids))
    )
    return {r.attachment_id: r for r in rows}


def pending(session: Session, *, stale: bool = False) -> list[int]:
    """Attachments whose reading has not finished: those never started, and with ``stale`` also
    those started but never finished (a worker that died) and those that failed."""
    query = select(AttachmentReading.attachment_id).where(AttachmentReading.status == "pending")
    if not stale:
        query = query.where(col(AttachmentReading.started_at).is_(None))
    else:
        query = select(AttachmentReading.attachment_id).where(
            col(AttachmentReading.status).in_(("pending", "failed"))
        )
    return list(session.exec(query.order_by(col(AttachmentReading.attachment_id))))


def unread(session: Session) -> list[int]:
    """Attachments that have no reading at all (brought in by a bundle, say)."""
    query = (
        select(Attachment.id)
        .outerjoin(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
        .where(col(AttachmentReading.id).is_(None))
        .order_by(col(Attachment.id))
    )
    return [i for i in session.exec(query) if i is not None]


def reset(session: Session, attachment_ids: Sequence[int]) -> None:
    """Make these readings pending and unclaimed again (to read once more)."""
    if attachment_ids:
        session.execute(
            update(AttachmentReading)
            .where(col(AttachmentReading.attachment_id).in_(attachment_ids))
            .values(status="pending", started_at=None, error="")
        )


def claim(session: Session, attachment_id: int) -> bool:
    """Take the pending reading of this attachment for one job; False if another job has it or it
    is finished (so each attachment is read once)."""
    result = session.execute(
        update(AttachmentReading)
        .where(
            col(AttachmentReading.attachment_id) == attachment_id,
            col(AttachmentReading.status) == "pending",
            col(AttachmentReading.started_at).is_(None),
        )
        .values(started_at=utcnow(), attempts=AttachmentReading.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def same_file(session: Session, attachment: Attachment) -> AttachmentReading | None:
    """A finished reading of the same file attached elsewhere (a new version copies its files)."""
    return session.exec(
        select(AttachmentReading)
        .join(Attachment, col(Attachment.id) == AttachmentReading.attachment_id)
        .where(
            Attachment.sha256 == attachment.sha256,
            Attachment.mime == attachment.mime,
            col(AttachmentReading.status).in_(FINISHED),
            AttachmentReading.attachment_id != attachment.id,
        )
        .limit(1)
    ).first()
