"""Load benchmark: concurrent clients over the learner pages and the caseload, production server.

Each client is a logged-in learner (a synthetic demo learner, given the demo password here) with an
assessor's session beside it, and fetches, flat out on one kept-alive connection, in turn: the
learner home ``/``, the evidence list ``/evidence``, one of its evidence pages, the coverage grid of
one of its standards (``/learners/ID/standards/CODE``) and the assessor's caseload ``/caseload``.
The load generator is cheap: a thread per client on ``http.client``, no parsing.

Prints, for the measured phase (after a warm-up round per client): requests/s, p50/p95/p99/max per
route, errors, the CPU seconds of the server processes and of this client, the answers each client
had (min/median/max: a kept-alive connection stays with one server process, so an uneven split of
the clients between processes shows here) with each server process's CPU seconds, and the load
average.

Usage:
  .venv/bin/python bench/load_bench.py --db URL [--clients 60] [--workers 2] [--seconds 30]
      on a database seeded with `portfolio --db URL init` then
      `portfolio --db URL demo --learners 1000` (PostgreSQL)
  .venv/bin/python bench/load_bench.py [--learners 100]
      seeds a fresh SQLite database with the demo and N synthetic learners first
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ROUTES = ("home", "evidence list", "evidence page", "coverage grid", "caseload")
PASSWORD = "demo-password"


@dataclass
class Client:
    learner_email: str
    assessor_email: str
    paths: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)  # "learner"/"assessor" -> Cookie header


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def portfolio(url: str, folder: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PORTFOLIO_INSTANCE_PATH": str(folder),
        "PORTFOLIO_SECRET_KEY": "bench-secret",
        "PORTFOLIO_LOGIN_RATE_LIMIT": "100000 per minute",
    }
    return subprocess.Popen(
        [str(BIN / "portfolio"), "--db", url, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def plan(url: str, clients: int, seed: int = 1) -> list[Client]:
    """Pick ``clients`` synthetic learners with evidence, give them the demo password (the demo
    gives synthetic learners none), and name each one's pages and its assessor."""
    from sqlalchemy import text

    from portfolio.db import make_engine

    engine = make_engine(url)
    rng = random.Random(seed)
    with engine.begin() as conn:
        hashed = conn.execute(
            text("SELECT password_hash FROM person WHERE email = 'learner1@example.org'")
        ).scalar_one()
        rows = conn.execute(
            text(
                "SELECT p.id, p.email, a.email, MIN(e.id), MIN(s.code) FROM person p "
                "JOIN registration r ON r.learner_id = p.id "
                "JOIN person a ON a.id = r.assessor_id "
                "JOIN registrationstandard rs ON rs.registration_id = r.id "
                "JOIN standard s ON s.id = rs.standard_id "
                "JOIN evidence e ON e.learner_id = p.id "
                "WHERE p.email LIKE 'synthetic%' GROUP BY p.id, p.email, a.email ORDER BY p.id"
            )
        ).all()
        chosen = rng.sample(rows, min(clients, len(rows)))
        conn.execute(
            text("UPDATE person SET password_hash = :h WHERE id = :i"),
            [{"h": hashed, "i": r[0]} for r in chosen],
        )
    engine.dispose()
    return [
        Client(
            learner_email=email,
            assessor_email=assessor,
            paths={
                "home": "/",
                "evidence list": "/evidence",
                "evidence page": f"/evidence/{evidence_id}",
                "coverage grid": f"/learners/{learner_id}/standards/{urllib.parse.quote(code)}",
                "caseload": "/caseload",
            },
        )
        for learner_id, email, assessor, evidence_id, code in chosen
    ]


def login(port: int, email: str) -> str:
    """Log ``email`` in; the ``Cookie`` header of its session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response, {})
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": PASSWORD, **({"csrf_token": token[1]} if token else {})}
    conn.request(
        "POST",
        "/login",
        urllib.parse.urlencode(data),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"log-in of {email} answered {response.status}")
    cookies = _cookies(response, cookies)
    conn.close()
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    found = dict(jar)
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def wait_until_up(base_port: int, seconds: float = 300) -> None:
    """Until the server answers ``/readyz`` (each process warms itself in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {seconds:.0f} s")


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: {r: [] for r in ROUTES})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROUTES, 0))
    statuses: dict[int, int] = field(default_factory=dict)  # of the errors: 0 = no answer
    reconnects: int = 0  # kept-alive connections the server had closed (asked again)
    per_client: list[int] = field(default_factory=list)  # answers each client had (fairness)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_clients(port: int, clients: list[Client], seconds: float) -> tuple[Results, float]:
    """Every client through the five routes once (warm-up, not counted), then flat out for
    ``seconds``; the results and the measured wall time."""
    results = Results()
    barrier = threading.Barrier(len(clients) + 1)
    stop = threading.Event()

    def fetch(conn: http.client.HTTPConnection, client: Client, route: str) -> tuple[int, float]:
        who = "assessor" if route == "caseload" else "learner"
        start = time.perf_counter()
        conn.request("GET", client.paths[route], headers={"Cookie": client.cookies[who]})
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - start) * 1000

    def work(client: Client, offset: int) -> None:
        answered = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for route in ROUTES:
            fetch(conn, client, route)
        barrier.wait()
        i = offset
        while not stop.is_set():
            route = ROUTES[i % len(ROUTES)]
            i += 1
            try:
                status, ms = fetch(conn, client, route)
            except (OSError, http.client.HTTPException):
                # the server closed the kept-alive connection: a browser asks again on a new one
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                with results.lock:
                    results.reconnects += 1
                try:
                    status, ms = fetch(conn, client, route)
                except (OSError, http.client.HTTPException):
                    status, ms = 0, 0.0
            answered += 1
            with results.lock:
                if status == 200:
                    results.timings[route].append(ms)
                else:
                    results.errors[route] += 1
                    results.statuses[status] = results.statuses.get(status, 0) + 1
        conn.close()
        with results.lock:
            results.per_client.append(answered)

    threads = [
        threading.Thread(target=work, args=(c, n), daemon=True) for n, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its children, living or reaped."""
    return sum(process_cpu(pid).values())


def process_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of ``pid`` and of each of its children (a process's own
    figure counts its reaped children too)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            found[p] = sum(int(x) for x in fields[11:15]) / ticks
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(c) for c in children)
    return found


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def report(results: Results, wall: float, server_cpu: float, client_cpu: float, args) -> None:
    total = sum(len(v) for v in results.timings.values())
    errors = sum(results.errors.values())
    every = sorted(t for v in results.timings.values() for t in v)
    print(
        f"{args.clients_made} clients, {args.workers} server process(es) "
        f"x {args.threads or 'default'} threads, {args.seconds:g} s measured"
    )
    print(f"  {'route':<14} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  errors")
    for route in ROUTES:
        v = sorted(results.timings[route])
        print(
            f"  {route:<14} {len(v):>6} {pct(v, 0.5):>6.0f}ms {pct(v, 0.95):>6.0f}ms "
            f"{pct(v, 0.99):>6.0f}ms {max(v, default=0):>6.0f}ms  {results.errors[route]}"
        )
    print(
        f"  {'all':<14} {total:>6} {pct(every, 0.5):>6.0f}ms {pct(every, 0.95):>6.0f}ms "
        f"{pct(every, 0.99):>6.0f}ms {max(every, default=0):>6.0f}ms  {errors}"
    )
    print(
        f"  throughput {total / wall:.1f} requests/s, {errors} error(s) {results.statuses or ''}, "
        f"{results.reconnects} reconnection(s)"
    )
    print(
        f"  CPU: server {server_cpu:.1f} s ({1000 * server_cpu / max(total, 1):.1f} ms a request), "
        f"client {client_cpu:.1f} s ({1000 * client_cpu / max(total, 1):.2f} ms a request)"
    )
    answered = sorted(results.per_client)
    if answered:
        print(
            f"  fairness: answers per client min {answered[0]}, median {pct(answered, 0.5):.0f}, "
            f"max {answered[-1]}; CPU s by server process: {args.worker_cpu or '-'}"
        )
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db",
        help="a database seeded with `portfolio --db URL init` then `portfolio --db URL demo --learners N`",
    )
    parser.add_argument("--learners", type=int, default=100, help="without --db: SQLite, N")
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="server processes (1 = waitress)")
    parser.add_argument(
        "--threads", type=int, help="threads per server process (default: portfolio serve's)"
    )
    parser.add_argument("--seconds", type=float, default=30, help="measured phase")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="load-"))
    url = args.db
    if not url:
        url = f"sqlite:///{folder / 'load.sqlite3'}"
        for step in (("init",), ("demo", "--learners", str(args.learners))):
            if portfolio(url, folder, *step).wait():
                raise SystemExit(f"portfolio {' '.join(step)} failed")
    clients = plan(url, args.clients)
    args.clients_made = len(clients)
    port = free_port()
    threads = ["--threads", str(args.threads)] if args.threads else []
    server = portfolio(
        url, folder, "serve", "--port", str(port), "--workers", str(args.workers), *threads
    )  # fmt: skip
    try:
        wait_until_up(port)
        for c in clients:
            c.cookies = {"learner": login(port, c.learner_email)}
            c.cookies["assessor"] = login(port, c.assessor_email)
        before, client_before = process_cpu(server.pid), time.process_time()
        results, wall = run_clients(port, clients, args.seconds)
        after = process_cpu(server.pid)
        server_cpu = sum(after.values()) - sum(before.values())
        args.worker_cpu = ", ".join(
            f"{after[p] - before.get(p, 0):.1f}" for p in sorted(after) if p != server.pid
        )
        report(results, wall, server_cpu, time.process_time() - client_before, args)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
