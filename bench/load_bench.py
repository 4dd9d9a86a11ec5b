"""Load benchmark: 20 concurrent users on the learner home and evidence list, production server.

Starts `portfolio serve --workers W` (waitress for 1, gunicorn for more) on a fresh SQLite database with demo data plus 200 evidence items per
demo learner, logs 20 users in, and has each fetch the two pages for a fixed number of rounds.
Prints p50/p95/max latency per page. Usage: .venv/bin/python bench/load_bench.py [--users 20] [--workers 2]
[--think SECONDS] (0 = every user requests flat out, the harshest case) [--client wrk] (a C load
generator from Debian, so the client does not share the Python CPU budget).
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, items: int) -> None:
    from sqlmodel import select

    from delivery.schema import upgrade
    from demo.accounts import load_demo
    from portfolio.db import make_engine, session_scope
    from portfolio.models import Evidence, EvidenceVersion, Person

    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        learners = session.exec(select(Person).where(Person.roles == "learner")).all()
        for learner in learners:
            for i in range(items):
                item = Evidence(
                    learner_id=learner.id,
                    kind="reflective_account",
                    title=f"Account {i}",
                    activity_date=date.today() - timedelta(days=i),
                    created_by=learner.id,
                    status="submitted",
                )
                session.add(item)
                session.flush()
                session.add(
                    EvidenceVersion(
                        evidence_id=item.id,
                        number=1,
                        title=item.title,
                        activity_date=item.activity_date,
                        body="Text " * 50,
                        created_by=learner.id,
                        sha256="0" * 64,
                    )
                )
    engine.dispose()


def login(base: str, email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": "demo-password"}
    if token:
        data["csrf_token"] = token.group(1)
    opener.open(f"{base}/login", urllib.parse.urlencode(data).encode()).read()
    return opener


def cookie_header(opener: urllib.request.OpenerDirector) -> str:
    """The ``Cookie`` header of a logged-in opener (its session cookie)."""
    for handler in opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            return "; ".join(f"{c.name}={c.value}" for c in handler.cookiejar)
    return ""


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p50 %.1f ms  p95 %.1f ms  max %.1f ms  requests %d  errors %d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read))
end
"""


def run_wrk(base: str, opener: urllib.request.OpenerDirector, args: argparse.Namespace) -> None:
    """Half the users on each page at once, each keeping its connection, with wrk (C)."""
    cookie = cookie_header(opener)
    script = Path(tempfile.mkdtemp()) / "report.lua"
    script.write_text(WRK_SCRIPT)
    half = max(1, args.users // 2)
    runs = {
        path: subprocess.Popen(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(half),
                "-d",
                f"{args.seconds}s",
                "-s",
                str(script),
                "-H",
                f"Cookie: {cookie}",
                base + path,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for path in ("/", "/evidence")
    }
    print(
        f"{args.users} concurrent users (wrk, {half} per page, flat out, {args.seconds} s), "
        f"{args.items} evidence items per learner, {args.workers} server process(es)"
    )
    for path, proc in runs.items():
        out, _ = proc.communicate()
        line = out.strip().splitlines()[-1] if out.strip() else "(no output)"
        rps = next((ln.split()[1] for ln in out.splitlines() if ln.startswith("Requests/sec")), "?")
        print(f"  {path:<10} {line}  ({rps} requests/s)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean think time between a user's requests, seconds (0 = flat out)",
    )
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="server processes (1 = waitress)")
    parser.add_argument(
        "--client",
        choices=["python", "wrk"],
        default="python",
        help="load generator: Python threads (shares the CPU with the server) or wrk (C, Debian package)",
    )
    parser.add_argument("--seconds", type=int, default=15, help="duration of a wrk run")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    return parser.parse_args()


def start_server(
    url: str, folder: Path, port: int, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    """``portfolio serve`` on ``port``, in the background."""
    env = {
        **os.environ,
        "PORTFOLIO_INSTANCE_PATH": str(folder),
        "PORTFOLIO_SECRET_KEY": "bench-secret",
    }
    return subprocess.Popen(
        [
            str(BIN / "portfolio"),
            "--db",
            url,
            "serve",
            "--port",
            str(port),
            "--threads",
            str(args.threads),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(base: str) -> None:
    """Until the server answers ``/readyz`` (about 10 s at most)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/readyz").read()
            return
        except OSError:
            time.sleep(0.1)


def run_python(base: str, port: int, args: argparse.Namespace) -> None:
    """``args.users`` threads, each a logged-in demo learner on its own kept-alive connection,
    fetching both pages ``args.rounds`` times; prints the latencies and the throughput."""
    emails = [f"learner{1 + i % 4}@example.org" for i in range(args.users)]
    openers = [login(base, e) for e in emails]
    timings: dict[str, list[float]] = {"/": [], "/evidence": []}
    lock = threading.Lock()
    barrier = threading.Barrier(args.users)
    rng = random.Random(1)

    def user(opener: urllib.request.OpenerDirector) -> None:
        # one kept-alive connection per user, like a browser; cheap on the client side
        headers = {"Cookie": cookie_header(opener)}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        for _ in range(args.rounds):
            for path in timings:
                start = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status == 200, (path, response.status)
                with lock:
                    timings[path].append(elapsed)
                if args.think:
                    time.sleep(rng.uniform(0, 2 * args.think))
        conn.close()

    threads = [threading.Thread(target=user, args=(o,)) for o in openers]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report(timings, time.perf_counter() - started, args)


def report(timings: dict[str, list[float]], wall: float, args: argparse.Namespace) -> None:
    print(
        f"{args.users} concurrent users, {args.rounds} rounds, {args.items} evidence items per "
        f"learner, {args.workers} server process(es), mean think time {args.think:g} s"
    )
    for path, values in timings.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"  {path:<10} n={len(values):>4}  p50 {statistics.median(values):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
        )
    total = sum(len(v) for v in timings.values())
    print(f"  throughput {total / wall:.0f} requests/s")


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="load-"))
    url = f"sqlite:///{folder / 'load.sqlite3'}"
    seed(url, args.items)
    port = free_port()
    server = start_server(url, folder, port, args)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        if args.client == "wrk":
            run_wrk(base, login(base, "learner1@example.org"), args)
        else:
            run_python(base, port, args)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
