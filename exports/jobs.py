"""Background export jobs: every sign-off record of a cohort, as one zip of .docx files.

A job is a row of :class:`~exports.models.ExportJob` (queued -> running -> done | failed) with
progress (``done`` of ``total``). :func:`run_job` does the work with its own sessions and commits
progress as it goes, so a progress page can follow it. The zip is written to a temporary file
beside its final, deterministic name (``exports/job-<id>.zip`` in the instance folder) and
renamed into place only when complete; a retry of a failed job overwrites the same name, so
files never multiply.

Where jobs run is the caller's choice: :func:`start_thread` (in-process, the default) or
:func:`enqueue_rq` (RQ on Redis, when ``PORTFOLIO_REDIS_URL`` is set; ``portfolio worker`` runs
the workers). Either way the function that runs is :func:`run_job`.
"""

from __future__ import annotations

import itertools
import os
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from exports.models import KIND_COHORT_SIGNOFFS, ExportJob
from exports.signoff import SignoffView, lay_out
from exports.signoff_view import document_name, signoff_views
from mappings.assessment.models import SignOff
from portfolio.db import run_unit, unit_of_work
from portfolio.errors import DomainError, Invalid, NotFound, PermissionDenied
from portfolio.models import Cohort, Person, Registration
from portfolio.models.base import utcnow
from portfolio.services import access, audit
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE

BATCH = 50
QUEUE = "portfolio-exports"

SessionFactory = Callable[[], Session]


def result_name(job_id: int) -> str:
    """Where a job's zip lives, relative to the instance folder (the same on every retry)."""
    return f"exports/job-{job_id}.zip"


def running_as(session: Session, actor_id: int) -> Actor:
    """Who a queued job acts for, with the roles they hold when it runs (not when it was queued):
    someone removed, or who has lost every role that reaches a cohort, is refused in words."""
    person = session.get(Person, actor_id)
    actor = Actor.of(person) if person is not None and person.removed_at is None else None
    if actor is None or not (actor.has("admin") or actor.has("assessor") or actor.has("iqa")):
        raise PermissionDenied(
            "The person who asked for this export no longer holds a role that reaches these "
            "learners, so it was not made."
        )
    return actor


def cohort_signoff_ids(session: Session, cohort_id: int, actor: Actor) -> list[int]:
    """Current sign-offs of a cohort that the actor may see, oldest first."""
    query = (
        select(SignOff.id)
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(Registration.cohort_id == cohort_id, SignOff.status == "signed")
        .order_by(col(SignOff.signed_at), col(SignOff.id))
    )
    scope = access.staff_scope(actor)
    if scope is not None:
        query = query.where(scope)
    return [i for i in session.exec(query).all() if i is not None]


def cohort_registration_ids(session: Session, cohort_id: int, actor: Actor) -> list[int]:
    """The registrations whose current sign-offs :func:`cohort_signoff_ids` gives."""
    query = (
        select(Registration.id)
        .join(SignOff, col(SignOff.registration_id) == Registration.id)
        .where(Registration.cohort_id == cohort_id, SignOff.status == "signed")
        .distinct()
    )
    scope = access.staff_scope(actor)
    if scope is not None:
        query = query.where(scope)
    return sorted(i for i in session.exec(query).all() if i is not None)


def count_cohort_signoffs(session: Session, cohort_id: int, actor: Actor) -> int:
    """How many records :func:`cohort_signoff_ids` would give, counted by the database."""
    query = (
        select(func.count())
        .select_from(SignOff)
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(Registration.cohort_id == cohort_id, SignOff.status == "signed")
    )
    scope = access.staff_scope(actor)
    if scope is not None:
        query = query.where(scope)
    return int(session.exec(query).one())


def cohort_signoff_pages(
    session_factory: SessionFactory, cohort_id: int, actor: Actor, size: int
) -> Iterator[list[int]]:
    """:func:`cohort_signoff_ids` ``size`` at a time, each page read in a short session of its
    own (keyset pagination on signing time and id: every page costs the same)."""
    after: tuple[datetime, int] | None = None
    while True:
        query = (
            select(SignOff.signed_at, SignOff.id)
            .join(Registration, col(Registration.id) == SignOff.registration_id)
            .where(Registration.cohort_id == cohort_id, SignOff.status == "signed")
            .order_by(col(SignOff.signed_at), col(SignOff.id))
            .limit(size)
        )
        scope = access.staff_scope(actor)
        if scope is not None:
            query = query.where(scope)
        if after is not None:
            at, last = after
            query = query.where(
                or_(
                    col(SignOff.signed_at) > at,
                    and_(col(SignOff.signed_at) == at, col(SignOff.id) > last),
                )
            )
        with session_factory() as session:
            rows = [(at, i) for at, i in session.exec(query).all() if i is not None]
        if not rows:
            return
        yield [i for _, i in rows]
        if len(rows) < size:
            return
        after = rows[-1]


def may_export_cohort(session: Session, actor: Actor, cohort_id: int) -> Cohort:
    """Administrators, and assessors or IQAs with learners in the cohort (NotFound otherwise)."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("No such cohort.")
    if actor.has("admin"):
        return cohort
    if not (actor.has("assessor") or actor.has("iqa")):
        raise PermissionDenied("Cohort exports are for administrators, assessors and IQAs.")
    mine = session.exec(
        select(Registration.id).where(
            Registration.cohort_id == cohort_id, access.staff_scope(actor)
        )
    ).first()
    if mine is None:
        raise NotFound("No such cohort, or none of its learners are yours.")
    return cohort


def create_cohort_job(session: Session, *, actor: Actor, cohort_id: int) -> ExportJob:
    """Queue an export of the cohort's sign-off records (the caller then starts it)."""
    may_export_cohort(session, actor, cohort_id)
    admin = actor.has("admin")
    total = count_cohort_signoffs(session, cohort_id, actor)
    job = ExportJob(
        kind=KIND_COHORT_SIGNOFFS,
        params={"cohort_id": cohort_id, "actor_id": actor.id, "admin": admin},
        total=total,
        created_by=actor.id,
    )
    session.add(job)
    session.flush()
    job.result_path = result_name(job.id or 0)
    session.add(job)
    audit.record(
        session,
        actor=actor,
        action="export.queue",
        subject_type="exportjob",
        subject_id=job.id,
        data={"kind": job.kind, "cohort": cohort_id, "total": total},
    )
    return job


def job_for(session: Session, *, actor: Actor, job_id: int) -> ExportJob:
    """A job its creator (or an administrator) may follow; NotFound for anyone else, and for
    a creator who no longer reaches every learner whose records it holds (moved to another
    assessor, a role lost): its zip is theirs only while those learners are."""
    job = session.get(ExportJob, job_id)
    if job is None or (job.created_by != actor.id and not actor.has("admin")):
        raise NotFound("No such export.")
    if not actor.has("admin") and not _still_reaches(session, actor, job):
        raise NotFound("No such export.")
    return job


def _still_reaches(session: Session, actor: Actor, job: ExportJob) -> bool:
    """Whether ``actor`` (not an administrator) may still export the job's cohort and reaches
    every registration its zip holds (recorded when it ran), in one statement."""
    if job.params.get("admin") or not (actor.has("assessor") or actor.has("iqa")):
        return False
    held = {int(i) for i in job.params.get("registrations") or ()}
    query = select(func.count(col(Registration.id))).where(
        Registration.cohort_id == int(job.params["cohort_id"]), access.staff_scope(actor)
    )
    if not held:  # not run yet: the cohort still has learners of theirs
        return bool(session.exec(query).one())
    return session.exec(query.where(col(Registration.id).in_(held))).one() == len(held)


STUCK_AFTER = timedelta(minutes=5)  # queued this long without starting: no worker took it


def stuck(job: ExportJob, now: datetime | None = None) -> bool:
    """Queued and not started for :data:`STUCK_AFTER`: its hand-off to the workers was lost (the
    queue did not answer after the commit) or no worker runs; it may be queued again."""
    since = job.queued_at or job.created_at
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    return job.status == "queued" and (now or utcnow()) - since >= STUCK_AFTER


def retry_job(session: Session, *, actor: Actor, job_id: int) -> ExportJob:
    """Put a failed or stuck job back in the queue; it will overwrite its own result file."""
    job = job_for(session, actor=actor, job_id=job_id)
    if job.status != "failed" and not stuck(job):
        raise Invalid("Only a failed export, or one waiting long without starting, can be retried.")
    job.status, job.done, job.error, job.queued_at = "queued", 0, "", utcnow()
    job.started_at = job.finished_at = None
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="export.retry",
        subject_type="exportjob",
        subject_id=job.id,
        data={"attempts": job.attempts},
    )
    return job


def _documents(
    views: list[SignoffView], pool: ProcessPoolExecutor | None
) -> Iterator[tuple[SignoffView, bytes]]:
    """Lay the records out; with a pool the work is submitted at once and collected lazily."""
    if pool is None:
        return ((view, lay_out(view)) for view in views)
    return zip(views, pool.map(lay_out, views, chunksize=5), strict=True)


def _write(zf: zipfile.ZipFile, documents: Iterator[tuple[SignoffView, bytes]]) -> int:
    written = 0
    for view, blob in documents:
        # a .docx is already deflated: store it as it is
        zf.writestr(
            f"{view.standard_code}/{document_name(view)}", blob, compress_type=zipfile.ZIP_STORED
        )
        written += 1
    return written


def run_job(
    session_factory: SessionFactory,
    job_id: int,
    *,
    instance_path: str | Path,
    centre: str,
    zone: ZoneInfo = CENTRE,
    workers: int = 1,
) -> None:
    """Do one job from start to end; any error marks it failed with the message (never raises).
    The records' days are the centre's (``zone``, its ``TIME_ZONE``), as the record downloaded
    alone says them."""
    final: Path | None = None
    tmp: Path | None = None
    try:
        with unit_of_work(session_factory) as session:
            job = session.get(ExportJob, job_id)
            if job is None or job.status not in ("queued", "failed"):
                return
            job.status, job.done, job.error = "running", 0, ""
            job.attempts += 1
            job.started_at, job.finished_at = utcnow(), None
            final = Path(instance_path) / (job.result_path or result_name(job_id))
            params = dict(job.params)
            scope = (int(params["cohort_id"]), running_as(session, int(params["actor_id"])))
            job.total = count_cohort_signoffs(session, *scope)
            # whose records the zip holds: its creator downloads it only while they reach them
            job.params = {**params, "registrations": cohort_registration_ids(session, *scope)}
            session.add(job)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.{threading.get_ident()}.part")
        pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                done = 0
                pending: Iterator[tuple[SignoffView, bytes]] | None = None
                # while the pool lays out one batch, the next one is read from the database;
                # a batch's documents are written to the zip (on disk) and dropped
                pages = cohort_signoff_pages(session_factory, *scope, BATCH)
                for chunk in itertools.chain(pages, [[]]):
                    if chunk:
                        with session_factory() as session:
                            views = signoff_views(session, chunk, centre=centre, zone=zone)
                    if pending is not None:
                        done += _write(zf, pending)
                        _progress(session_factory, job_id, done)
                    pending = _documents(views, pool) if chunk else None
        finally:
            if pool is not None:
                pool.shutdown()
        os.replace(tmp, final)
        run_unit(session_factory, lambda session: _finish(session, job_id, "done", ""))
    except Exception as exc:  # noqa: BLE001 - the job records the failure for its owner
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        # a refusal in the domain's words as it is; anything else names what went wrong
        error = (str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}")[
            :2000
        ]
        run_unit(session_factory, lambda session: _finish(session, job_id, "failed", error))


def _finish(session: Session, job_id: int, status: str, error: str) -> None:
    job = session.get(ExportJob, job_id)
    if job is not None:
        job.status, job.finished_at = status, utcnow()
        if error:
            job.error = error
        session.add(job)


def _progress(session_factory: SessionFactory, job_id: int, done: int) -> None:
    def record(session: Session) -> None:
        job = session.get(ExportJob, job_id)
        assert job is not None
        job.done = done
        session.add(job)

    run_unit(session_factory, record)  # run again if the database was busy


# ------------------------------------------------------------------ where jobs run
_threads: list[threading.Thread] = []


def start_thread(
    session_factory: SessionFactory,
    job_id: int,
    *,
    instance_path: str | Path,
    centre: str,
    zone: ZoneInfo = CENTRE,
) -> threading.Thread:
    """Run the job in a daemon thread of this process (the default without Redis)."""
    thread = threading.Thread(
        target=run_job,
        args=(session_factory, job_id),
        kwargs={"instance_path": str(instance_path), "centre": centre, "zone": zone},
        name=f"export-job-{job_id}",
        daemon=True,
    )
    _threads.append(thread)
    thread.start()
    return thread


def wait_for_threads(timeout: float = 60.0) -> None:
    """Join the in-process job threads (tests and orderly shutdown)."""
    while _threads:
        _threads.pop().join(timeout)


def run_job_task(
    job_id: int, database_url: str, instance_path: str, centre: str, zone: str = CENTRE.key
) -> None:
    """The RQ entry point: a fresh engine in the worker process, then :func:`run_job`. ``zone``
    is the centre's time zone by name (a job queued before it was passed: the default)."""
    from portfolio.db import make_engine

    engine = make_engine(database_url)
    try:
        run_job(
            lambda: Session(engine, expire_on_commit=False),
            job_id,
            instance_path=instance_path,
            centre=centre,
            zone=ZoneInfo(zone),
        )
    finally:
        engine.dispose()


def enqueue_rq(
    redis_url: str,
    job_id: int,
    *,
    database_url: str,
    instance_path: str | Path,
    centre: str,
    zone: ZoneInfo = CENTRE,
    queue: str = QUEUE,
) -> str:
    """Queue the job on RQ; returns the RQ job id."""
    from redis import Redis
    from rq import Queue, Retry

    q = Queue(queue, connection=Redis.from_url(redis_url))
    rq_job = q.enqueue(
        run_job_task,
        job_id,
        database_url,
        str(instance_path),
        centre,
        zone.key,
        job_timeout=3600,
        retry=Retry(max=3, interval=[10, 60, 300]),  # when the task itself raises
        description=f"portfolio export job {job_id}",
    )
    return str(rq_job.id)


def run_worker(
    redis_url: str, *, queue: str = QUEUE, burst: bool = False, also: Sequence[str] = ()
) -> bool:
    """Work the export queue, and the queues named in ``also`` (``portfolio worker``), with
    :class:`exports.rq_worker.PortfolioWorker` (whose command listener never holds up the end
    of a burst)."""
    from redis import Redis
    from rq import Queue

    from exports.rq_worker import PortfolioWorker

    connection = Redis.from_url(redis_url)
    worker = PortfolioWorker(
        [Queue(name, connection=connection) for name in (queue, *also)], connection=connection
    )
    # the scheduler runs the retries RQ delays (see enqueue_rq)
    return bool(worker.work(burst=burst, with_scheduler=True))
