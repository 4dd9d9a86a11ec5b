"""The one background thread of a process for its readings and suggestions (without Redis).

Jobs queue behind each other in a single thread, so a burst of uploads or of pages asking for
suggestions never takes more than one core of the web server. With ``PORTFOLIO_REDIS_URL`` the
same jobs run on RQ workers instead (each job module has its ``enqueue_rq``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_futures: list[Future[None]] = []


def submit(work: Callable[..., None], *args: Any, **kwargs: Any) -> Future[None]:
    """Run ``work(*args, **kwargs)`` in this process's background thread, after what is queued."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
        future = _pool.submit(work, *args, **kwargs)
        _futures.append(future)
    return future


def wait(timeout: float = 120.0) -> None:
    """Wait for the jobs started in the background thread (tests, benchmarks, orderly shutdown).

    A job records or logs its own failure: waiting never raises another job's error."""
    while True:
        with _lock:
            if not _futures:
                return
            future = _futures.pop()
        future.exception(timeout)
