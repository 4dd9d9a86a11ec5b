"""Background jobs queued once per key on RQ: a job waiting for a version's suggestions (or a
framework's relearning) is not queued again however many reasons to run it come meanwhile; the
job's first step releases its key (:mod:`mappings.assessment.stored`,
:mod:`mappings.assessment.relearn`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

PENDING_SECONDS = 600


def pending_key(database_url: str, ident: int, kind: str = "suggestions") -> str:
    """The Redis key set while a job of ``kind`` for ``ident`` (a version; a framework to
    relearn) waits on RQ (per database: centres may share a Redis)."""
    database = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return f"portfolio:{kind}:queued:{database}:{ident}"


def release(redis_url: str | None, database_url: str, ident: int, kind: str) -> None:
    """A job's first step: from now on a new reason to run it queues it again."""
    if redis_url:
        from redis import Redis

        Redis.from_url(redis_url).delete(pending_key(database_url, ident, kind))


def enqueue_once(
    redis_url: str,
    idents: Sequence[int],
    *,
    database_url: str,
    kind: str,
    task: Callable[..., None],
    describe: Callable[[int], str],
    queue: str,
    **options: Any,
) -> list[str]:
    """Queue ``task(ident, database_url, redis_url)`` on RQ for each ident whose job is not
    still waiting (its :func:`pending_key` set for :data:`PENDING_SECONDS`); their RQ job ids."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url)
    q = Queue(queue, connection=connection)
    found: list[str] = []
    for ident in dict.fromkeys(idents):
        key = pending_key(database_url, ident, kind)
        if not connection.set(key, 1, nx=True, ex=PENDING_SECONDS):
            continue
        job = q.enqueue(
            task, ident, database_url, redis_url, description=describe(ident), **options
        )
        found.append(str(job.id))
    return found
