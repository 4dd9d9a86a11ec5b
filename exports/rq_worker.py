"""The RQ worker that ``portfolio worker`` runs: rq's own, with a command listener that stops at once.

rq (3.0) listens for commands ("stop this job", "shut down") on a Redis pub/sub channel, in a
thread started with ``pubsub.run_in_thread(sleep_time=60)``. When the worker ends (the end of a
``--burst``, or a shutdown) it sends ``UNSUBSCRIBE`` and only then stops that thread. The reply to
``UNSUBSCRIBE`` wakes the listener, which may loop round before the stop flag is cleared: it then
finds itself subscribed to nothing and, in redis-py 8, waits for a subscription for up to
``sleep_time``, while ``PubSubWorkerThread.stop()`` (which in redis-py 8 joins the thread, with
no bound) waits for it. About one burst in twenty took a minute more than its jobs.

:class:`PromptStop` clears the flag first, then unsubscribes: the reply that wakes the listener
finds the flag down and the thread ends there. It also polls every :data:`LISTEN_POLL` seconds
rather than every 60, so even a listener that no reply wakes (Redis gone) ends within that bound.

This module imports rq: import it only where a worker starts.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker, Worker

LISTEN_POLL = 2.0
"""Seconds the command listener waits for a message before it looks at its stop flag again."""


class PromptStop:
    """Mix in before an rq worker class: its command listener ends as soon as the worker does."""

    # set by rq's BaseWorker (declared for the type checker)
    connection: Any
    log: Any
    name: str
    pubsub: Any
    pubsub_thread: Any
    pubsub_channel_name: str
    handle_payload: Any
    _pubsub_exception_handler: Any

    def subscribe(self) -> None:
        """Listen for commands in a thread, as rq does, but polling every LISTEN_POLL seconds."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=LISTEN_POLL, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def unsubscribe(self) -> None:
        """Stop the listener: flag first, then the ``UNSUBSCRIBE`` whose reply wakes it."""
        thread, pubsub = self.pubsub_thread, self.pubsub
        if thread is None or pubsub is None:
            return
        self.log.info(
            "Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name
        )
        thread.stop(timeout=0)  # clears the flag only (joining comes below)
        # (if the connection is gone, the listener's poll ends it within LISTEN_POLL)
        with suppress(RedisError, OSError):
            pubsub.unsubscribe()
        thread.join(timeout=LISTEN_POLL + 1)
        pubsub.close()
        self.pubsub_thread = None


class PortfolioWorker(PromptStop, Worker):
    """rq's forking worker with :class:`PromptStop` (what ``portfolio worker`` runs)."""


class PortfolioSimpleWorker(PromptStop, SimpleWorker):
    """rq's in-process worker with :class:`PromptStop` (the tests run queued jobs with it)."""
