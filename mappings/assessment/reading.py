"""The background job that reads one attachment: its text within the caps, then the suggestions of
its version.

:func:`read_attachment` claims the attachment's pending reading (so it runs once per attachment,
however often it is queued), reads the file in a child process (:func:`portfolio.services.extract.
extract_in_child`) or copies the reading of the same file attached elsewhere, and stores the text
with its timings; then it computes the suggestions stored for the attachment's version
(:mod:`mappings.assessment.stored`: the body and every file read so far, ranked for the learner's
criteria), which now read that text too. It never raises: a file that cannot be read is stored as failed, with the
reason.

Where it runs is the caller's choice, as for export jobs: :func:`start_thread` (one job at a
time in the background thread of this process, :mod:`mappings.assessment.background`; the
default), :func:`enqueue_rq` (RQ on Redis when ``PORTFOLIO_REDIS_URL`` is set; ``portfolio
worker`` works the queue) or directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from mappings.assessment import background, stored
from portfolio.db import unit_of_work
from portfolio.errors import Invalid
from portfolio.models import Attachment, AttachmentReading
from portfolio.models.base import utcnow
from portfolio.services import extract
from portfolio.services.evidence import reading, scanning
from portfolio.services.extract import Caps, Extracted
from portfolio.services.files import Store
from portfolio.services.stores import open_store

log = logging.getLogger(__name__)

QUEUE = "portfolio-readings"

SessionFactory = Callable[[], Session]
Extractor = Callable[[Path, str, str, Caps], Extracted]


def _extract(
    session_factory: SessionFactory,
    attachment: Attachment,
    store: Store,
    caps: Caps,
    extractor: Extractor,
) -> tuple[Extracted | None, str]:
    """The text of the attachment (reused when the same file was read before), or the error."""
    with session_factory() as session:
        earlier = reading.same_file(session, attachment)
        if earlier is not None:
            return Extracted(earlier.text, earlier.truncated, earlier.pages), ""
    try:
        with store.local_file(attachment.sha256) as path:
            return extractor(path, attachment.mime, attachment.filename, caps), ""
    except Invalid as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - the reading records any failure
        log.exception("reading attachment %s failed", attachment.id)
        return None, f"{type(exc).__name__}: {exc}"


def read_attachment(
    session_factory: SessionFactory,
    attachment_id: int,
    *,
    store_root: str | Path | Store,
    caps: Caps = Caps(),
    extractor: Extractor | None = None,
) -> None:
    """Read one attachment, once, and store the result (never raises). ``extractor`` defaults
    to :func:`~portfolio.services.extract.extract_in_child`."""
    with unit_of_work(session_factory) as session:
        if not reading.claim(session, attachment_id):
            return
        attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        return
    started = time.monotonic()
    found, error = _extract(
        session_factory,
        attachment,
        open_store(store_root),
        caps,
        extractor or extract.extract_in_child,
    )
    extracted = time.monotonic()
    with unit_of_work(session_factory) as session:
        row = session.exec(
            select(AttachmentReading).where(AttachmentReading.attachment_id == attachment_id)
        ).one()
        if found is None:
            row.status, row.error = "failed", error[:2000]
        else:
            row.status = "truncated" if found.truncated else "done"
            row.text, row.chars, row.pages = found.text, len(found.text), found.pages
            row.truncated = found.truncated
        row.extract_ms = round((extracted - started) * 1000)
        row.finished_at = utcnow()
        session.add(row)
    if found is None or not found.text:
        return
    _scan_safely(session_factory, attachment_id, found.text)
    # the suggestions of the attachment's version, stored per version, now read this text too
    stored.compute_safely(session_factory, attachment.version_id)
    took = round((time.monotonic() - extracted) * 1000)
    with unit_of_work(session_factory) as session:
        session.execute(
            update(AttachmentReading)
            .where(col(AttachmentReading.attachment_id) == attachment_id)
            .values(suggest_ms=took)
        )


def _scan_safely(session_factory: SessionFactory, attachment_id: int, text: str) -> None:
    """Scan the text read for personal data and store the findings (a failure is logged: the
    version is scanned again when it is submitted)."""
    try:
        with unit_of_work(session_factory) as session:
            scanning.scan_attachment(session, attachment_id, text)
    except Exception:  # noqa: BLE001 - a background job has nobody else to tell
        log.exception("scanning attachment %s for personal data failed", attachment_id)


def read_all(
    session_factory: SessionFactory,
    attachment_ids: Sequence[int],
    *,
    store_root: str | Path | Store,
) -> None:
    """Read each attachment in turn; one that fails beyond its own record (its database gone, say)
    is logged and the others are still read."""
    for attachment_id in attachment_ids:
        try:
            read_attachment(session_factory, attachment_id, store_root=store_root)
        except Exception:  # noqa: BLE001 - a background thread has nobody else to tell
            log.exception("reading attachment %s failed", attachment_id)


# ------------------------------------------------------------------ where readings run
def start_thread(
    session_factory: SessionFactory,
    attachment_ids: Sequence[int],
    *,
    store_root: str | Path | Store,
) -> Future[None]:
    """Read in this process's one background thread (readings and suggestions queue behind each
    other, so a burst of uploads never takes more than one core of the web server)."""
    return background.submit(
        read_all, session_factory, list(attachment_ids), store_root=open_store(store_root)
    )


def wait_for_threads(timeout: float = 120.0) -> None:
    """Wait for the jobs started in the background thread (tests, benchmarks and orderly
    shutdown). A reading that failed has stored its failure (or logged it, when its database is
    gone): waiting never raises another reading's error."""
    background.wait(timeout)


def read_task(attachment_id: int, database_url: str, store_root: str) -> None:
    """The RQ entry point: a fresh engine in the worker process, then :func:`read_attachment`."""
    from portfolio.db import make_engine

    engine = make_engine(database_url)
    try:
        read_attachment(
            lambda: Session(engine, expire_on_commit=False), attachment_id, store_root=store_root
        )
    finally:
        engine.dispose()


def enqueue_rq(
    redis_url: str,
    attachment_ids: Sequence[int],
    *,
    database_url: str,
    store_root: str | Path,
    queue: str = QUEUE,
) -> list[str]:
    """Queue the readings on RQ; their RQ job ids."""
    from redis import Redis
    from rq import Queue, Retry

    q = Queue(queue, connection=Redis.from_url(redis_url))
    return [
        str(
            q.enqueue(
                read_task,
                attachment_id,
                database_url,
                str(store_root),
                job_timeout=int(Caps().seconds * 4 + 60),
                retry=Retry(max=3, interval=[10, 60, 300]),  # when the task itself raises
                description=f"portfolio read attachment {attachment_id}",
            ).id
        )
        for attachment_id in attachment_ids
    ]
