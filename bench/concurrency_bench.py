"""Concurrency benchmark: simultaneous log-ins, a decision race and a slow upload.

Serves the real app with werkzeug's threaded server (in this process) on a fresh database and
fires at it from threads, as ``tests/delivery/test_concurrency.py`` does, then prints the count of
each HTTP status, the wall time and the CPU time (server and clients together) of each scenario.

Usage::

    .venv/bin/python bench/concurrency_bench.py [--db URL] [--logins 30] [--tabs 8]

``--db``: ``sqlite`` (the default: a new file in a temporary folder) or the URL of a PostgreSQL
server, on which a temporary database is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import temporary_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the scenarios live in tests/

from mappings.assessment import reading  # noqa: E402
from tests.delivery.live import (  # noqa: E402
    at_once,
    decide_race,
    log_in,
    seed,
    serving,
    slow_upload,
)


def measure(name: str, run: Callable[[], list[Any]]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    results = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    counts = Counter(r if isinstance(r, int) else type(r).__name__ for r in results)
    shown = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str))
    errors = sum(n for s, n in counts.items() if not isinstance(s, int) or s >= 500)
    print(f"{name:<28} {shown:<24} 5xx/errors {errors:>3}  wall {wall:6.2f} s  cpu {cpu:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument("--tabs", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    postgres = None if args.db.startswith("sqlite") else args.db
    with temporary_database(postgres, "concurrency_bench") as url:
        print(f"database: {url.split('://')[0]}, {args.logins} log-ins, race of {args.tabs} tabs")
        seeded = seed(url, learners=max(args.logins, 2))
        with tempfile.TemporaryDirectory() as folder, serving(url, Path(folder)) as base:
            emails = seeded.learners[: args.logins]
            measure(
                "simultaneous log-ins",
                lambda: [
                    r[0] if isinstance(r, tuple) else r
                    for r in at_once([lambda e=e: log_in(base, e) for e in emails])
                ],
            )
            measure("decision race", lambda: decide_race(base, seeded, args.tabs))

            def upload() -> list[Any]:
                _, cookie = log_in(base, seeded.learners[0])
                data = b"My notes from the session.\n" * 200_000  # 5.4 MB
                status, during = slow_upload(
                    base,
                    cookie or "",
                    seeded.draft_id,
                    data,
                    lambda: log_in(base, seeded.learners[1])[0],
                )
                return [status, during if during is not None else "WaitedForUpload"]

            measure("slow upload + a log-in", upload)
            reading.wait_for_threads()  # the upload's background reading, before the database goes


if __name__ == "__main__":
    main()
