"""Several server processes with gunicorn: each worker builds its own app (and database engine)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


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
        },
    ).run()
