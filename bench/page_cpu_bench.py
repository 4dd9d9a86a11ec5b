"""CPU time a request of each page in the load benchmark's mix, in this process (no server).

On a database seeded with `portfolio --db URL init` then `portfolio --db URL demo --learners N`, picks learners as bench/load_bench.py
does, logs each in (and its assessor) through the Flask test client with the form token, and asks
in turn for the learner home, the evidence list, an evidence page, a coverage grid and the
caseload. Prints, per page, the median and mean CPU time of the request's thread
(``time.thread_time``) over ``--runs`` requests after a warm-up round, and the mix's mean, with the
CPU time the PostgreSQL server spent on the app's connections meanwhile when it runs on this
machine (both share the cores); with ``--profile PAGE`` a cProfile of that page's requests instead
(the top functions by own and cumulative time). Run it with ``PYTHONPATH`` at another checkout to
measure that one's code on the same data.

Usage:
  PYTHONPATH=$PWD .venv/bin/python bench/page_cpu_bench.py --db URL [--runs 40] [--learners 8]
  PYTHONPATH=$PWD .venv/bin/python bench/page_cpu_bench.py --db URL --profile "evidence page"
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import tempfile
import time
from typing import Any

from _common import processes_cpu
from load_bench import PASSWORD, ROUTES, plan
from sqlalchemy import event


def login(client, email: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": PASSWORD, **({"csrf_token": token[1]} if token else {})}
    answer = client.post("/login", data=data)
    assert answer.status_code == 302, (email, answer.status_code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db",
        required=True,
        help="a database seeded with `portfolio --db URL init` then `portfolio --db URL demo`",
    )
    parser.add_argument("--runs", type=int, default=40, help="requests per page measured")
    parser.add_argument("--learners", type=int, default=8, help="learners taken in turn")
    parser.add_argument("--profile", choices=ROUTES, help="profile this page instead")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    from delivery.web.app import create_app

    chosen = plan(args.db, args.learners, seed=7)
    engine, backends = _engine(args.db)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "ENGINE": engine,
                "DATABASE_URL": args.db,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": folder,
                "LOGIN_RATE_LIMIT": "100000 per minute",
                "WARM_SUGGESTIONS": False,
            }
        )
        clients = []
        for c in chosen:
            learner, assessor = app.test_client(), app.test_client()
            login(learner, c.learner_email)
            login(assessor, c.assessor_email)
            clients.append((c, learner, assessor))

        def get(route: str, n: int) -> None:
            c, learner, assessor = clients[n % len(clients)]
            answer = (assessor if route == "caseload" else learner).get(c.paths[route])
            assert answer.status_code == 200, (route, c.paths[route], answer.status_code)

        for n in range(len(clients)):  # warm-up: templates compiled, caches filled
            for route in ROUTES:
                get(route, n)
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for n in range(args.runs):
                get(args.profile, n)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)
            return
        cpu: dict[str, list[float]] = {r: [] for r in ROUTES}
        database: dict[str, float] = {}
        process = time.process_time()
        for route in ROUTES:
            before = processes_cpu(backends)
            for n in range(args.runs):
                start = time.thread_time()
                get(route, n)
                cpu[route].append((time.thread_time() - start) * 1000)
            database[route] = (processes_cpu(backends) - before) * 1000 / args.runs
        process = time.process_time() - process
    engine.dispose()
    print(
        f"CPU a request, {args.runs} runs over {len(clients)} learners "
        f"({engine.dialect.name}; load average {os.getloadavg()[0]:.2f})"
    )
    show(cpu, database if backends else None, process / (args.runs * len(ROUTES)))


def show(cpu: dict[str, list[float]], database: dict[str, float] | None, process: float) -> None:
    """Print the figures: ``database`` is the server's CPU a request by page, when measured."""
    for route in ROUTES:
        v = cpu[route]
        print(
            f"  {route:<14} median {statistics.median(v):6.1f} ms, mean {statistics.mean(v):6.1f} ms"
            + (f"; database server {database[route]:5.1f} ms" if database else "")
        )
    mix = statistics.mean(statistics.mean(v) for v in cpu.values())
    print(
        f"  the process's CPU meanwhile (background jobs included): "
        f"{1000 * process:.1f} ms a request"
    )
    both = mix + (statistics.mean(database.values()) if database else 0)
    print(
        f"  {'mix':<14} mean   {mix:6.1f} ms"
        + (f" + database server {both - mix:.1f} ms" if database else "")
        + f" (2 cores: at most {2000 / both:.0f} requests/s)"
    )


def _engine(url: str) -> tuple[Any, set[int]]:
    """The app's engine, and the set it fills with the PostgreSQL server process of each of its
    connections when the server runs on this machine (empty otherwise)."""
    from portfolio.db import make_engine

    engine = make_engine(url)
    backends: set[int] = set()
    if engine.dialect.name == "postgresql" and engine.url.host in ("127.0.0.1", "localhost"):

        @event.listens_for(engine, "connect")
        def _connected(dbapi: Any, _record: Any) -> None:
            backends.add(int(dbapi.info.backend_pid))

    return engine, backends


if __name__ == "__main__":
    main()
