"""Start the readings a request queued, once it has committed: on RQ when Redis is configured, in
the request for tests that ask for it (``READINGS_INLINE``), else in the web process's reading
thread. The request itself never reads a file."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from delivery.web.context import after_commit, db, extension
from mappings.assessment import reading as jobs
from portfolio.services.evidence.reading import queued


def start_after_commit() -> None:
    """Start, after this request's commit, the readings its services queued."""
    ids = queued(db())
    if ids:
        after_commit(lambda: start(ids))


def start(attachment_ids: list[int]) -> None:
    conf = current_app.config
    store = conf["FILE_STORE"]
    if conf.get("REDIS_URL"):
        jobs.enqueue_rq(
            conf["REDIS_URL"], attachment_ids, database_url=conf["DATABASE_URL"], store_root=store
        )
    elif conf.get("READINGS_INLINE"):  # tests: after the commit, on the request's connection
        jobs.read_all(extension().session_factory, attachment_ids, store_root=store)
    else:
        engine = extension().engine
        jobs.start_thread(
            lambda: Session(engine, expire_on_commit=False), attachment_ids, store_root=store
        )
