"""Once a request that decided claims has committed: the suggestions of evidence still awaiting a
decision in those frameworks are worked out again with what the engine now knows
(:mod:`mappings.assessment.relearn`), on RQ when Redis is configured, in the request for tests
that ask for it (``READINGS_INLINE``) and else in the web process's background thread."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from delivery.web.context import after_commit, extension
from mappings.assessment import relearn
from mappings.assessment.decided import learnt_in


def relearn_after_commit(session: Session) -> None:
    """Queue, after the commit, the frameworks this session decided claims in."""
    ids = learnt_in(session)
    if ids:
        after_commit(lambda: start(ids))


def start(framework_ids: list[int]) -> None:
    conf = current_app.config
    if conf.get("REDIS_URL"):
        relearn.enqueue_rq(conf["REDIS_URL"], framework_ids, database_url=conf["DATABASE_URL"])
    elif conf.get("READINGS_INLINE"):  # tests: after the commit, on the request's connection
        relearn.relearn(extension().session_factory, framework_ids)
    else:
        engine = extension().engine
        relearn.start_thread(lambda: Session(engine, expire_on_commit=False), framework_ids)
