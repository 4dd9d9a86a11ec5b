"""Start the background work a request asks for: the readings its services queued and the
suggestions of the versions it saved or found out of date.

On RQ when Redis is configured; in the request for tests that ask for it (``READINGS_INLINE``:
after the commit, or for a page after its answer is made); else in the web process's background
thread. The request itself never reads a file nor runs the suggestion engine."""

from __future__ import annotations

from collections.abc import Sequence

from flask import after_this_request, current_app
from sqlmodel import Session
from werkzeug.wrappers import Response

from delivery.web.context import after_commit, db, extension, file_store
from mappings.assessment import reading as jobs
from mappings.assessment import stored
from portfolio.services.evidence.reading import queued


def start_after_commit() -> None:
    """Start, after this request's commit, the readings its services queued."""
    ids = queued(db())
    if ids:
        after_commit(lambda: start(ids))


def start(attachment_ids: list[int]) -> None:
    conf = current_app.config
    if conf.get("REDIS_URL"):  # the worker opens the store from its own settings
        jobs.enqueue_rq(
            conf["REDIS_URL"],
            attachment_ids,
            database_url=conf["DATABASE_URL"],
            store_root=conf["FILE_STORE"],
        )
        return
    store = file_store()
    if conf.get("READINGS_INLINE"):  # tests: after the commit, on the request's connection
        jobs.read_all(extension().session_factory, attachment_ids, store_root=store)
    else:
        engine = extension().engine
        jobs.start_thread(
            lambda: Session(engine, expire_on_commit=False), attachment_ids, store_root=store
        )


def suggest_after_commit(version_ids: Sequence[int]) -> None:
    """Compute, after this request's commit, the suggestions of the versions it saved."""
    ids = list(version_ids)
    after_commit(lambda: suggest(ids))


def suggest_after_page(version_ids: Sequence[int]) -> None:
    """Compute the suggestions of the versions a page found missing or out of date: queued at
    once (a page writes nothing), or in tests (``READINGS_INLINE``) once the page's answer is
    made and its session rolled back."""
    ids = list(version_ids)
    if current_app.config.get("READINGS_INLINE") and not current_app.config.get("REDIS_URL"):

        @after_this_request
        def compute(response: Response) -> Response:
            suggest(ids)
            return response

        return
    suggest(ids)


def suggest(version_ids: list[int]) -> None:
    conf = current_app.config
    if conf.get("REDIS_URL"):
        stored.enqueue_rq(conf["REDIS_URL"], version_ids, database_url=conf["DATABASE_URL"])
    elif conf.get("READINGS_INLINE"):  # tests: on the request's connection
        stored.compute_all(extension().session_factory, version_ids)
    else:
        engine = extension().engine
        stored.start_thread(lambda: Session(engine, expire_on_commit=False), version_ids)
