"""Where notification e-mail is sent: never in the request. :func:`start_thread` (this process's
background thread, :mod:`mappings.assessment.background`; the default) or :func:`enqueue_rq`
(RQ on Redis when ``PORTFOLIO_REDIS_URL`` is set; ``portfolio worker`` runs the jobs, reading
the SMTP settings and secret key from its own environment, so none of them pass through Redis).
:func:`dispatch` chooses between them by the settings, for a web request and a command alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

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


def dispatch(
    settings: Mapping[str, Any],
    ids: Sequence[int],
    session_factory: SessionFactory,
    *,
    wait: bool = False,
) -> int | None:
    """Send the e-mail of these notifications (made to send straight away, and committed) where
    the settings say: nowhere without ``MAIL_HOST``; on RQ with ``REDIS_URL``; else in this
    process, in its background thread, or with ``wait`` before returning (a command, whose
    process ends with it; tests). A web page calls it once its request has committed, a
    command once its own transaction has. How many were sent when it waited, else None."""
    if not ids or not settings.get("MAIL_HOST"):
        return None
    if settings.get("REDIS_URL"):  # the worker sends with its own settings
        enqueue_rq(settings["REDIS_URL"], ids)
        return None
    ctx = MailContext.from_config(settings)
    if wait:
        return send_now(session_factory, list(ids), ctx)
    start_thread(session_factory, ids, ctx)
    return None
