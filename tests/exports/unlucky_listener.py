"""Test hook: the scheduling under which rq's command listener held up the end of a burst.

rq ends a worker by sending ``UNSUBSCRIBE`` and then stopping its listener thread. Usually the
main thread gets there first; about one burst in twenty the listener handles the reply first,
loops round and starts waiting for a subscription (redis-py 8: up to the listener's poll time,
60 s in rq), and the stop waits for that. :func:`install` makes every ``UNSUBSCRIBE`` return
only once its listener has either ended or started such a wait, so that ordering happens every
time. Imported by the subprocess the worker test starts (``python -c``), never by the app."""

from __future__ import annotations

import threading
import time
from typing import Any


class _Watched(threading.Event):
    """A pub/sub's ``subscribed_event`` that notes when someone waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.waited = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.set()
        return super().wait(timeout)


def install() -> None:
    from redis.client import PubSub

    original: Any = PubSub.unsubscribe

    def unsubscribe(self: Any, *args: Any) -> Any:
        watched = _Watched()
        if self.subscribed_event.is_set():
            watched.set()
        self.subscribed_event = watched
        result = original(self, *args)
        listener = next(
            (t for t in threading.enumerate() if getattr(t, "pubsub", None) is self), None
        )
        deadline = time.monotonic() + 5
        while listener is not None and listener.is_alive() and not watched.waited.is_set():
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        return result

    PubSub.unsubscribe = unsubscribe  # type: ignore[method-assign]
