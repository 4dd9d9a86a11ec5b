"""Evidence pages at scale: the first one after the server starts, then the next ones.

Starts `portfolio serve` (one waitress process) on a database seeded with
`portfolio --db URL init` then `portfolio --db URL demo --learners N`, asks for one learner's evidence page the moment `/readyz` answers
(the process warms its suggestion engines in the background: the first page must not wait for a
build that grows with the centre's history), then for the evidence pages of other learners, each
logged in as itself. Prints the first page's time, p50/p95/max of the others, and the server's CPU
time a page, with the load average. Target at N=5,000: each page <= 150 ms.

Usage:
  .venv/bin/python bench/evidence_page_bench.py --db URL [--pages 40]
  .venv/bin/python bench/evidence_page_bench.py --learners 200   (a fresh SQLite database)
"""

from __future__ import annotations

import argparse
import http.client
import os
import tempfile
import time
from pathlib import Path

from load_bench import cpu_seconds, free_port, login, pct, plan, portfolio, wait_until_up


def get(port: int, path: str, cookie: str) -> tuple[int, float, int]:
    """Status, milliseconds and bytes of one page on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    conn.close()
    return response.status, elapsed, len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db",
        help="a database seeded with `portfolio --db URL init` then `portfolio --db URL demo --learners N`",
    )
    parser.add_argument("--learners", type=int, default=200, help="without --db: SQLite, N")
    parser.add_argument("--pages", type=int, default=40, help="evidence pages after the first")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="evidence-page-"))
    url = args.db
    if not url:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        for step in (("init",), ("demo", "--learners", str(args.learners))):
            if portfolio(url, folder, *step).wait():
                raise SystemExit(f"portfolio {' '.join(step)} failed")
    clients = plan(url, args.pages + 1)
    port = free_port()
    started = time.perf_counter()
    server = portfolio(url, folder, "serve", "--port", str(port), "--workers", "1")
    try:
        wait_until_up(port)
        up = (time.perf_counter() - started) * 1000
        first = clients[0]
        # the log-in is not the page: it is made first, then the page at once
        cookie = login(port, first.learner_email)
        status, first_ms, size = get(port, first.paths["evidence page"], cookie)
        assert status == 200, status
        cookies = [login(port, c.learner_email) for c in clients[1:]]
        cpu = cpu_seconds(server.pid)
        timings = []
        for c, cookie in zip(clients[1:], cookies, strict=True):
            status, ms, _ = get(port, c.paths["evidence page"], cookie)
            assert status == 200, (c.paths["evidence page"], status)
            timings.append(ms)
        cpu = cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        server.wait()
    timings.sort()
    print(f"evidence pages on {url.split('://')[0]}, {len(timings) + 1} learners' pages")
    print(f"  server answered /readyz {up:.0f} ms after starting")
    print(f"  first evidence page after the start: {first_ms:.0f} ms ({size // 1024} KB)")
    print(
        f"  next {len(timings)} pages (each another learner's): p50 {pct(timings, 0.5):.0f} ms, "
        f"p95 {pct(timings, 0.95):.0f} ms, max {timings[-1]:.0f} ms; server CPU "
        f"{1000 * cpu / len(timings):.1f} ms a page"
    )
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
