"""What an operator watches: a request id on every request, one structured log line per request,
and Prometheus metrics at ``/metrics``.

- **Request id**: the proxy's ``X-Request-ID`` when it is a plain token, else a new one; sent back
  in the response and carried by every log record written during the request.
- **Logs**: with ``PORTFOLIO_LOG_FORMAT=json`` (the default) each record is one JSON object
  (python-json-logger); the ``portfolio.requests`` logger writes one per request with the request
  id, the person's id, the route, the method, the status and the time taken in milliseconds.
- **Metrics** (prometheus_client, the Prometheus project's own client): request latency by route,
  method and status; background jobs waiting and failed, by queue, counted when scraped. Under
  gunicorn each worker writes its figures to ``PROMETHEUS_MULTIPROC_DIR`` (set by
  ``portfolio serve --workers N``) and a scrape adds them up. ``PORTFOLIO_METRICS_TOKEN``, when
  set, is the bearer token a scraper must send.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, Response, abort, current_app, g, request, request_started
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pythonjsonlogger.json import JsonFormatter

from delivery.web.handler import page
from exports import failures

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LOG_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"

log = logging.getLogger("portfolio.requests")

# The latency of every request, by the route's name (never its URL: ids would make a series each).
LATENCY = Histogram(
    "portfolio_http_request_duration_seconds",
    "Time to answer a request, by route, method and status.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)


def init_app(app: Flask, jobs: Callable[[], Iterator[tuple[str, int, int]]]) -> None:
    """Request ids, the request log and ``/metrics`` for ``app``; ``jobs`` yields (queue, waiting,
    failed) for the job gauges, worked out when the metrics are scraped."""
    configure_logging(app.config.get("LOG_FORMAT", "json"))
    # a signal, not a request hook: instrumentation that never decides whether a request goes on
    request_started.connect(_start, app)
    app.after_request(_finish)
    app.extensions["portfolio.jobs"] = jobs
    app.add_url_rule("/metrics", "observe.metrics", page(public=True)(metrics))


class _RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context

        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "") if has_request_context() else ""
        return True


def configure_logging(fmt: str) -> None:
    """One handler on the root logger writing JSON objects (``fmt == "json"``) or plain lines;
    made again, not added to, when the app is made again (tests make many)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "portfolio", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.portfolio = True  # type: ignore[attr-defined]
    if fmt == "json":
        handler.setFormatter(JsonFormatter(LOG_FIELDS, rename_fields={"asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter(f"{LOG_FIELDS} %(request_id)s"))
    handler.addFilter(_RequestIdFilter())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("portfolio").setLevel(logging.INFO)


def _start(_sender: Flask, **_extra: Any) -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request that failed before _start ran
        return response
    seconds = time.perf_counter() - started
    route = request.endpoint or "unmatched"
    response.headers["X-Request-ID"] = g.request_id
    if route == "static":
        return response
    LATENCY.labels(route, request.method, str(response.status_code)).observe(seconds)
    user = g.get("_login_user")  # only when the view loaded the person: never a query here
    actor = getattr(user, "actor", None)
    log.info(
        "%s %s %s",
        request.method,
        route,
        response.status_code,
        extra={
            "request_id": g.request_id,
            "person": actor.id if actor is not None else None,
            "route": route,
            "method": request.method,
            "status": response.status_code,
            "ms": round(seconds * 1000, 1),
        },
    )
    return response


class _JobsCollector(Collector):
    """Background jobs waiting and failed, by queue, counted when scraped."""

    def __init__(self, jobs: Callable[[], Iterator[tuple[str, int, int]]]) -> None:
        self.jobs = jobs

    def collect(self) -> Iterator[Metric]:
        waiting = GaugeMetricFamily(
            "portfolio_jobs_waiting", "Background jobs queued and not yet done.", labels=["queue"]
        )
        failed = GaugeMetricFamily(
            "portfolio_jobs_failed", "Background jobs that failed.", labels=["queue"]
        )
        for queue, n_waiting, n_failed in self.jobs():
            waiting.add_metric([queue], n_waiting)
            failed.add_metric([queue], n_failed)
        yield waiting
        yield failed


def metrics() -> Response:
    """The Prometheus text format: this process's figures (or every gunicorn worker's) and the
    job gauges."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), str(token).encode()):
            abort(401)
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_ENV):
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(LATENCY)
    registry.register(_JobsCollector(current_app.extensions["portfolio.jobs"]))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def job_counts(
    extension: Any, redis_url: str | None
) -> Callable[[], Iterator[tuple[str, int, int]]]:
    """The job gauges' source: (queue, waiting, failed) counted in the database's job rows, and
    in RQ's queues and failed-job registries when Redis carries the jobs."""

    def counts() -> Iterator[tuple[str, int, int]]:
        with extension.session_factory() as session:
            return iter(list(failures.job_counts(session, redis_url)))

    return counts
