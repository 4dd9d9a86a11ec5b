"""Where notification e-mail is sent: never in the request. :func:`start_thread` (this process's
background thread, :mod:`mappings.assessment.background`; the default) or :func:`enqueue_rq`
(RQ on Redis when ``PORTFOLIO_REDIS_URL`` is set; ``portfolio worker`` runs the jobs, reading
the SMTP settings and secret key from its own environment, so none of them pass through Redis)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future

from sqlmodel import Session

from mappings.assessment import background
from portfolio.services.notice_mail import MailContext, SessionFactory, send_now

QUEUE = "portfolio-mail"


def start_thread(
    session_factory: SessionFactory, ids: Sequence[int], ctx: MailContext
) -> Future[None]:
    """Send in this process's background thread."""

    def work() -> None:
        send_now(session_factory, list(ids), ctx)

    return background.submit(work)


def send_task(ids: list[int]) -> int:
    """The RQ entry point: the worker's own settings, a fresh engine, then :func:`send_now`."""
    from portfolio import config
    from portfolio.db import make_engine

    settings = config.finish(config.from_env())
    engine = make_engine(settings["DATABASE_URL"])
    try:
        factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731
        return send_now(factory, ids, MailContext.from_config(settings))
    finally:
        engine.dispose()


def enqueue_rq(redis_url: str, ids: Sequence[int], queue: str = QUEUE) -> str:
    """Queue the e-mail of these notifications on RQ; the job's id."""
    from redis import Redis
    from rq import Queue

    q = Queue(queue, connection=Redis.from_url(redis_url))
    job = q.enqueue(send_task, list(ids), job_timeout=300, description="portfolio e-mail")
    return str(job.id)
