"""Time the bulk part of ``portfolio demo --learners N``, and pages of a centre that size.

Generation (default): for each N, a fresh database (SQLite in a temporary folder, or one made on
the PostgreSQL server given by ``--postgres`` and dropped afterwards) gets the demo accounts and
their stories (not timed), then N synthetic learners through
:func:`demo.synthetic.add_synthetic_centre`, timed: wall time, CPU time of this process and, on
a local PostgreSQL, of its server processes, rows written per second and peak memory. Then
``audit verify`` runs over the whole trail (timed too) and must find it intact. Each N runs in a
process of its own so peak memory is its own.

Pages (``--pages URL``): on a database that already holds the demo (e.g. after ``portfolio --db
URL init`` then ``portfolio --db URL demo --learners 100000``), logs in as assessor1 and times through the Flask test client the
caseload (sorted by name, by progress both ways, by RAG, by planned end, a page deep in it, a
search with many matches and one with few), assessor1's home page (its caseload panel), a synthetic
learner's evidence list and one of their evidence pages: the first visit, then p50/p95 over
``--runs``; the caseload's page 400 both by its number (``?page=400``, a link from before) and
by page 399's Next link (which seeks from page 399's last row); and when the start's warming of
the assessors' decision counts (the caseload's chart) was done. ``--settle`` lets the start's
warming finish before the first page (a process started a while ago); without it the first
caseload visit waits for the counts' warming.

Run: ``.venv/bin/python bench/demo_bench.py [--postgres URL] [--learners 1000 5000]`` or
``.venv/bin/python bench/demo_bench.py --pages URL [--runs 20] [--only caseload] [--settle]``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from _common import processes_cpu, temporary_database
from sqlalchemy import Engine, event, func, select
from sqlmodel import Session

from delivery.schema import upgrade
from delivery.wiring import wire
from demo.accounts import DEMO_PASSWORD, load_demo
from demo.assessments import add_demo_assessments
from demo.quality import add_demo_quality
from demo.synthetic import add_synthetic_centre
from portfolio.db import make_engine, session_scope
from portfolio.models import Evidence, Person, Registration
from portfolio.services import audit


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _backends(engine: Engine) -> set[int]:
    """The server process of every connection the engine opens (PostgreSQL)."""
    pids: set[int] = set()
    if engine.dialect.name != "postgresql":
        return pids

    def connected(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.add(int(cursor.fetchone()[0]))

    event.listen(engine, "connect", connected)
    return pids


def generate(url: str, learners: int, items: int) -> dict[str, Any]:
    """Load the demo, then time ``learners`` synthetic learners and the audit check."""
    engine = make_engine(url)
    pids = _backends(engine)
    upgrade(engine)
    wire()
    with session_scope(engine) as session:
        load_demo(session)
        add_demo_assessments(session)
        add_demo_quality(session)
    server = processes_cpu(pids)
    wall, cpu = time.perf_counter(), time.process_time()
    report = add_synthetic_centre(
        lambda: session_scope(engine), learners=learners, items_per_learner=items, progress=None
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server = processes_cpu(pids) - server
    verify_wall = time.perf_counter()
    with session_scope(engine, write=False) as session:
        checked = audit.verify(session)
        people = session.execute(select(func.count()).select_from(Person)).scalar_one()
    verify_wall = time.perf_counter() - verify_wall
    engine.dispose()
    return {
        "backend": engine.dialect.name,
        "learners": learners,
        "rows": report.rows,
        "wall": wall,
        "cpu": cpu,
        "server_cpu": server,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "verify_wall": verify_wall,
        "audit_ok": checked.ok,
        "entries": checked.entries,
        "people": people,
    }


def _print_generation(r: dict[str, Any]) -> None:
    server = f", server CPU {r['server_cpu']:.1f} s" if r["backend"] == "postgresql" else ""
    print(
        f"{r['backend']:<10} N={r['learners']:>6,}: {r['rows']:>10,} rows in {r['wall']:6.1f} s "
        f"wall, {r['cpu']:6.1f} s CPU{server}; {r['rows'] / r['wall']:>8,.0f} rows/s wall, "
        f"{r['rows'] / r['cpu']:>8,.0f} rows/CPU-s; peak {r['rss_mb']:.0f} MB; audit verify "
        f"{'intact' if r['audit_ok'] else 'BROKEN'} ({r['entries']:,} entries) in "
        f"{r['verify_wall']:.1f} s"
    )


def timed(call: Callable[[], Any], runs: int) -> str:
    """Wall p50 and p95, and the median CPU of this thread (the app's share: on a shared,
    loaded machine the wall time is mostly waiting for a core)."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return (
        f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms "
        f"(app CPU {statistics.median(cpu):.1f} ms)"
    )


def pages(url: str, runs: int, only: str = "", settle: bool = False) -> None:
    """Time the caseload and a learner's evidence pages on an existing demo database."""
    from delivery.web.app import create_app

    engine = make_engine(url)
    with Session(engine) as session:
        learners = session.execute(
            select(func.count()).select_from(Person).where(Person.email.like("synthetic%"))  # type: ignore[attr-defined]
        ).scalar_one()
        # the newest synthetic learner on assessor1's caseload (the pages are opened as assessor1)
        assessor = session.execute(
            select(Person.id).where(Person.email == "assessor1@example.org")
        ).scalar_one()
        learner = session.execute(
            select(Registration.learner_id)
            .join(Person, Person.id == Registration.learner_id)  # type: ignore[arg-type]
            .where(Registration.assessor_id == assessor, Person.email.like("synthetic%"))  # type: ignore[attr-defined]
            .order_by(Registration.learner_id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).scalar_one()
        item = session.execute(
            select(Evidence.id).where(Evidence.learner_id == learner).limit(1)
        ).scalar_one()
    print(f"{engine.dialect.name}: {learners:,} synthetic learners; load average {_load()}")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = create_app(
            {
                "ENGINE": engine,
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_PATH": folder,
            }
        )
        client = app.test_client()
        answer = client.post(
            "/login", data={"email": "assessor1@example.org", "password": DEMO_PASSWORD}
        )
        assert answer.status_code == 302, answer.status_code
        warmed = _warmed(app, started)
        if settle:  # the first visits of a process started a while ago
            for thread in threading.enumerate():
                if thread.name in ("suggestions-warm", "charts-warm"):
                    thread.join()
        for path in (
            "/caseload",
            "/caseload?sort=progress",
            "/caseload?sort=progress&dir=desc",
            "/caseload?sort=rag",
            "/caseload?sort=end&dir=desc",
            "/caseload?page=400",
            "next of /caseload?page=399",  # page 400 by page 399's link: a seek
            "/caseload?q=learner+99",
            "/caseload?sort=progress&q=learner+4711",
            "/",
            f"/learners/{learner}/evidence",
            f"/evidence/{item}",
        ):
            if only not in path:
                continue
            if path.startswith("next of "):
                path = _next_link(client, path.removeprefix("next of "))

            def get(path: str = path) -> None:
                page = client.get(path)
                assert page.status_code == 200, (path, page.status_code)

            start = time.perf_counter()
            get()
            first = (time.perf_counter() - start) * 1000
            for thread in threading.enumerate():  # the start's warming would take the CPU
                if thread.name == "suggestions-warm":  # (and the GIL) from the runs timed
                    thread.join()
            print(f"  GET {path}: first {first:.0f} ms; {timed(get, runs)} over {runs} runs")
        if warmed:
            print(f"  the assessors' decision counts warmed {warmed[0]:.0f} ms after the start")
    engine.dispose()


def _warmed(app: Any, started: float) -> list[float]:
    """Filled with the milliseconds from the app's start to the end of its warming of the
    decision counts (a caseload's first visit meanwhile waits for it)."""
    done: list[float] = []
    event = app.extensions.get("portfolio.decision_counts.warm")
    if event is not None:

        def wait() -> None:
            event.wait()
            done.append((time.perf_counter() - started) * 1000)

        threading.Thread(target=wait, daemon=True).start()
    return done


def _next_link(client: Any, path: str) -> str:
    """The Next page link of the caseload page at ``path`` (the link itself; /caseload when
    there is none)."""
    found = re.search(r'<a rel="next" href="([^"]+)"', client.get(path).get_data(as_text=True))
    return html.unescape(found.group(1)) if found else "/caseload"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="Generate on this PostgreSQL server.")
    parser.add_argument("--sqlite", action="store_true", help="Also generate on SQLite.")
    parser.add_argument("--learners", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--items", type=int, default=20, help="Evidence items per learner.")
    parser.add_argument("--pages", metavar="URL", help="Time pages on this demo database.")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="Time only the pages whose path has this.")
    parser.add_argument(
        "--settle", action="store_true", help="Let the start's warming finish before the pages."
    )
    parser.add_argument("--one", nargs=3, metavar=("URL", "N", "ITEMS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        url, n, items = args.one
        print(json.dumps(generate(url, int(n), int(items))))
        return
    if args.pages:
        pages(args.pages, args.runs, args.only, args.settle)
        return
    servers = ([None] if args.sqlite or not args.postgres else []) + (
        [args.postgres] if args.postgres else []
    )
    print(f"load average before: {_load()}")
    for server in servers:
        for n in args.learners:
            with temporary_database(server, "demo_bench") as url:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", url, str(n), str(args.items)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            _print_generation(json.loads(out.strip().splitlines()[-1]))
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
