"""Background work that failed, for administrators: the export jobs and attachment readings whose
rows say they failed, and (when Redis carries the jobs) what RQ's failed-job registries hold.

Every function checks that the actor is an administrator itself. Counts for the metrics
(:func:`job_counts`) read only counts, whatever the size of the centre's history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from exports.jobs import QUEUE as EXPORTS
from exports.models import ExportJob
from mappings.assessment.reading import QUEUE as READINGS
from mappings.assessment.stored import QUEUE as SUGGESTIONS
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Attachment, EvidenceVersion, Person
from portfolio.models.evidence import AttachmentReading
from portfolio.services import audit
from portfolio.services.actors import Actor
from portfolio.services.evidence import reading

QUEUES = (EXPORTS, READINGS, SUGGESTIONS)
QUEUE_NAMES = {EXPORTS: "Exports", READINGS: "Reading attachments", SUGGESTIONS: "Suggestions"}
SHOWN = 50  # newest failures listed per kind


@dataclass(frozen=True)
class FailedExport:
    id: int
    kind: str
    by: str
    at: datetime | None
    error: str
    attempts: int


@dataclass(frozen=True)
class FailedReading:
    id: int  # the attachment's
    filename: str
    evidence_id: int
    at: datetime | None
    error: str
    attempts: int


@dataclass(frozen=True)
class FailedRqJob:
    id: str
    queue: str
    description: str
    at: datetime | None
    error: str


@dataclass(frozen=True)
class Failures:
    exports: list[FailedExport]
    readings: list[FailedReading]
    rq: list[FailedRqJob]
    waiting: dict[str, int]  # queue name -> jobs waiting


def _require_admin(actor: Actor) -> None:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators see failed background work.")


def failures(session: Session, *, actor: Actor, redis_url: str | None) -> Failures:
    """The newest failures of each kind and the jobs waiting per queue."""
    _require_admin(actor)
    exports = session.exec(
        select(ExportJob, Person.name)
        .join(Person, col(Person.id) == col(ExportJob.created_by))
        .where(ExportJob.status == "failed")
        .order_by(col(ExportJob.id).desc())
        .limit(SHOWN)
    ).all()
    readings = session.exec(
        select(AttachmentReading, Attachment.filename, EvidenceVersion.evidence_id)
        .join(Attachment, col(Attachment.id) == col(AttachmentReading.attachment_id))
        .join(EvidenceVersion, col(EvidenceVersion.id) == col(Attachment.version_id))
        .where(AttachmentReading.status == "failed")
        .order_by(col(AttachmentReading.id).desc())
        .limit(SHOWN)
    ).all()
    waiting = {QUEUE_NAMES[q]: n for q, n, _ in job_counts(session, redis_url)}
    return Failures(
        exports=[
            FailedExport(j.id or 0, j.kind, name, j.finished_at, _last_line(j.error), j.attempts)
            for j, name in exports
        ],
        readings=[
            FailedReading(
                r.attachment_id,
                filename,
                evidence_id,
                r.finished_at,
                _last_line(r.error),
                r.attempts,
            )  # fmt: skip
            for r, filename, evidence_id in readings
        ],
        rq=list(_rq_failed(redis_url)) if redis_url else [],
        waiting=waiting,
    )


def job_counts(session: Session, redis_url: str | None) -> Iterator[tuple[str, int, int]]:
    """(queue, waiting, failed) for each queue: from the job rows, plus RQ's own figures when
    Redis carries the jobs (a job RQ gave up on may have no failed row: its worker died)."""
    exports = _by_status(session, ExportJob)
    readings = _by_status(session, AttachmentReading)
    rows = {
        EXPORTS: (exports.get("queued", 0) + exports.get("running", 0), exports.get("failed", 0)),
        READINGS: (readings.get("pending", 0), readings.get("failed", 0)),
        SUGGESTIONS: (0, 0),
    }
    rq = _rq_counts(redis_url) if redis_url else {}
    for queue in QUEUES:
        waiting, failed = rows[queue]
        rq_waiting, rq_failed = rq.get(queue, (0, 0))
        yield queue, max(waiting, rq_waiting), failed + rq_failed


def _by_status(
    session: Session, model: type[ExportJob] | type[AttachmentReading]
) -> dict[str, int]:
    """Jobs waiting or failed, by status: finished ones are never read (the status is indexed),
    so a scrape costs the same however much work is done."""
    status = col(model.status)
    unfinished = status.in_(("queued", "running", "pending", "failed"))
    rows = session.exec(select(status, func.count()).where(unfinished).group_by(status)).all()
    return {name: int(n) for name, n in rows}


def retry_reading(session: Session, *, actor: Actor, attachment_id: int) -> None:
    """Queue a failed reading again (the caller starts it after the commit)."""
    _require_admin(actor)
    row = session.exec(
        select(AttachmentReading).where(AttachmentReading.attachment_id == attachment_id)
    ).first()
    if row is None or row.status != "failed":
        raise Invalid("Only a failed reading can be tried again.")
    reading.reset(session, [attachment_id])
    audit.record(
        session,
        actor=actor,
        action="reading.retry",
        subject_type="attachment",
        subject_id=attachment_id,
        data={"attempts": row.attempts},
    )


def requeue_rq(*, actor: Actor, redis_url: str, job_id: str) -> None:
    """Put a job RQ gave up on back in its queue."""
    _require_admin(actor)
    from redis import Redis
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    connection = Redis.from_url(redis_url)
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        raise NotFound("No such job.") from None
    if job.origin not in QUEUES or not job.is_failed:
        raise Invalid("Only a failed job of this application can be run again.")
    job.requeue()


def _rq_counts(redis_url: str) -> dict[str, tuple[int, int]]:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url)
    counts = {}
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        counts[name] = (queue.count, queue.failed_job_registry.count)
    return counts


def _rq_failed(redis_url: str) -> Iterator[FailedRqJob]:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url)
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        ids = queue.failed_job_registry.get_job_ids(0, SHOWN - 1)
        for job in queue.job_class.fetch_many(ids, connection=connection):
            if job is None:
                continue
            result = job.latest_result()
            yield FailedRqJob(
                id=job.id,
                queue=QUEUE_NAMES[name],
                description=job.description or "",
                at=job.ended_at,
                error=_last_line(result.exc_string if result else ""),
            )


def _last_line(error: str | None) -> str:
    lines = [line for line in (error or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "No reason was recorded."
