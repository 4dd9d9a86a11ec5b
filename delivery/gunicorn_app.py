"""Several server processes with gunicorn: each worker builds its own app (and database engine).

A kept-alive connection stays with the worker that accepted it, so clients that connected at
once can pile up on one worker while another idles (measured: 22 s of CPU against 6 s, the
first worker's clients waiting 8 times as long). Like nginx's ``keepalive_requests``, a
connection is closed after :data:`KEEPALIVE_REQUESTS` requests (its last answer says
``Connection: close``); the client connects again, and the worker with time to spare accepts
first. One request a connection balances each request between the workers, as a proxy in front
would (nginx's connections to its upstream are not kept alive unless configured): measured with
``bench/load_bench.py`` (60 clients, N=1,000, alternating runs), after 10 requests the answers
per client ranged 74-100 to 136-238 and p95 376-519 ms; after 1, 104-112 to 139-142 and p95
423-467 ms, at the same throughput."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

KEEPALIVE_REQUESTS = 1  # requests a kept-alive connection carries before it is closed


class _Application(BaseApplication):
    def __init__(self, database_url: str, options: dict[str, Any]) -> None:
        self.database_url = database_url
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        import gc

        from delivery.web.app import create_app

        app = create_app({"DATABASE_URL": self.database_url})
        gc.freeze()  # the app's long-lived objects leave the collector's full passes
        return app


def _pre_request(_worker: Any, request: Any) -> None:
    """The connection's last request of :data:`KEEPALIVE_REQUESTS` closes it (see above)."""
    if request.req_number >= KEEPALIVE_REQUESTS:
        request.must_close = True


def _child_exit(_server: Any, worker: Any) -> None:
    """A worker that stopped: its live gauges leave the metrics (prometheus_client's recipe)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def serve(database_url: str, *, host: str, port: int, workers: int, threads: int) -> None:
    _Application(
        database_url,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": None,
            "proc_name": "portfolio",
            "child_exit": _child_exit,
            "pre_request": _pre_request,
        },
    ).run()
