"""Upload benchmark: heavy attachments leave the request; other users stay unaffected.

Starts ``portfolio serve`` (waitress, attachments read in its reading thread, or on RQ when
PORTFOLIO_REDIS_URL is set and ``portfolio worker`` runs) on a database with the demo data, then
as one learner uploads a 25 MB .txt, a 2,000-page PDF and a 200,000-paragraph .docx, each to its
own evidence item. Prints each upload's time, the evidence page's time while its text is read and
after (wall over HTTP; CPU and wall in-process), the stored reading (status, characters,
extraction and suggestion times), and the latency of another user's requests measured meanwhile,
against a baseline before the uploads; and the machine's load average.

Usage: .venv/bin/python bench/upload_bench.py [--db URL] [--pages 2000] [--paragraphs 200000]
[--text-mb 25]. Without --db, a temporary SQLite database; a given database must be empty.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

from _documents import make_docx, make_pdf
from load_bench import free_port, login

BIN = Path(sys.executable).parent


def seed(url: str) -> list[int]:
    """Demo data, and three draft evidence items of learner1; their ids."""
    from sqlmodel import select

    from delivery.schema import upgrade
    from demo.accounts import load_demo
    from portfolio.db import make_engine, session_scope
    from portfolio.models import Person
    from portfolio.services import evidence
    from portfolio.services.people import Actor

    engine = make_engine(url)
    upgrade(engine)
    ids = []
    with session_scope(engine) as session:
        load_demo(session)
        lena = session.exec(select(Person).where(Person.email == "learner1@example.org")).one()
        actor = Actor(id=lena.id or 0, name=lena.name, roles=lena.role_set)
        for title in ("Long notes", "Long PDF", "Long Word document"):
            item = evidence.create(
                session,
                actor=actor,
                learner_id=lena.id or 0,
                draft=evidence.Draft(
                    kind="reflective_account",
                    title=title,
                    activity_date=date.today(),
                    body="I carried out a vocational profile with a job seeker.",
                ),
            )
            ids.append(item.id or 0)
    engine.dispose()
    return ids


def wait_until_up(base: str) -> None:
    """Until the server answers ``/readyz`` (a loaded machine may take a while)."""
    import urllib.request

    for _ in range(600):
        try:
            urllib.request.urlopen(f"{base}/readyz").read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def start_server(url: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORTFOLIO_INSTANCE_PATH": str(folder), "PORTFOLIO_SECRET_KEY": "bench"}
    return subprocess.Popen(
        [str(BIN / "portfolio"), "--db", url, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Other:
    """Another user fetching their home page and evidence list over and over, timing each."""

    def __init__(self, port: int) -> None:
        self.headers = {"Cookie": login(port, "learner2@example.org")}
        self.port = port
        self.phase = "baseline"
        self.timings: dict[str, list[float]] = {"baseline": [], "heavy": []}
        self.stop = threading.Event()
        self.errors = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        while not self.stop.is_set():
            for path in ("/", "/evidence"):
                start = time.perf_counter()
                conn.request("GET", path, headers=self.headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    self.errors += 1
                self.timings[self.phase].append((time.perf_counter() - start) * 1000)
            time.sleep(0.05)

    def summary(self, phase: str) -> str:
        values = sorted(self.timings[phase])
        if not values:
            return "no requests"
        p95 = values[int(0.95 * (len(values) - 1))]
        return (
            f"n={len(values):4d}  p50 {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  "
            f"max {values[-1]:7.1f} ms"
        )


def upload(port: int, cookie: str, evidence_id: int, name: str, data: bytes) -> tuple[int, float]:
    """POST the file as the upload form does (CSRF token from the page); status and seconds."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", f"/evidence/{evidence_id}", headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    boundary = uuid.uuid4().hex
    parts = []
    if token:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token.group(1)}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload"\r\n\r\nUpload\r\n'
        f"--{boundary}--\r\n".encode()
    )
    body = b"".join(parts)
    headers = {"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    start = time.perf_counter()
    conn.request("POST", f"/evidence/{evidence_id}/attachments", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - start


def page_wall(port: int, cookie: str, evidence_id: int) -> tuple[float, bool]:
    """Seconds the evidence page took over HTTP, and whether it said the text is being read."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    conn.request("GET", f"/evidence/{evidence_id}", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    assert response.status == 200, response.status
    return time.perf_counter() - start, 'id="reading-note"' in page


def readings(url: str) -> list[tuple[str, str, int, int | None, int | None, int | None, str]]:
    from sqlmodel import Session, col, select

    from portfolio.db import make_engine
    from portfolio.models import Attachment, AttachmentReading

    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(
            select(Attachment.filename, AttachmentReading)
            .join(AttachmentReading, col(AttachmentReading.attachment_id) == Attachment.id)
            .order_by(col(Attachment.id))
        ).all()
        found = [
            (n, r.status, r.chars, r.pages, r.extract_ms, r.suggest_ms, r.error[:80])
            for n, r in rows
        ]
    engine.dispose()
    return found


def in_process(url: str, folder: Path, ids: list[int]) -> None:
    """The evidence pages rendered in this process: CPU (thread time) and wall, median of 5."""
    from delivery.web.app import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    client.post("/login", data={"email": "learner1@example.org", "password": "demo-password"})
    for evidence_id in ids:
        client.get(f"/evidence/{evidence_id}")  # warm the suggestion engine
        cpu, wall = [], []
        for _ in range(5):
            c0, w0 = time.thread_time(), time.perf_counter()
            r = client.get(f"/evidence/{evidence_id}")
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
            assert r.status_code == 200
        print(
            f"  evidence {evidence_id}: CPU {statistics.median(cpu) * 1000:6.1f} ms  "
            f"wall {statistics.median(wall) * 1000:6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (empty); default a temporary SQLite file")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--paragraphs", type=int, default=200_000)
    parser.add_argument("--text-mb", type=int, default=25)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    url = args.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    print(f"load average at start: {os.getloadavg()}  ({os.cpu_count()} cores)")
    t0 = time.perf_counter()
    line = "I supported a job seeker with a vocational profile and a better-off calculation.\n"
    files = [
        ("notes.txt", (line * (args.text_mb * 1024 * 1024 // len(line) - 1)).encode()),
        ("long.pdf", make_pdf(args.pages)),
        ("long.docx", make_docx(args.paragraphs)),
    ]
    for name, data in files:
        print(f"  made {name}: {len(data) / 1024 / 1024:.1f} MB")
    print(f"  (files made in {time.perf_counter() - t0:.1f} s)")
    ids = seed(url)
    port = free_port()
    server = start_server(url, folder, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        cookie = login(port, "learner1@example.org")
        other = Other(port)
        other.thread.start()
        time.sleep(5)
        other.phase = "heavy"
        heavy_started = time.perf_counter()
        for evidence_id, (name, data) in zip(ids, files, strict=True):
            status, seconds = upload(port, cookie, evidence_id, name, data)
            wall, pending = page_wall(port, cookie, evidence_id)
            print(
                f"upload {name:10s} HTTP {status}  {seconds:6.2f} s;  evidence page right after: "
                f"{wall * 1000:7.1f} ms{' (says: text is being read)' if pending else ''}"
            )
        while any(r[1] == "pending" for r in readings(url)):
            time.sleep(0.5)
        print(
            f"all readings finished {time.perf_counter() - heavy_started:.1f} s after the first upload"
        )
        other.phase = "after"
        other.timings["after"] = []
        for evidence_id, (name, _data) in zip(ids, files, strict=True):
            walls = [page_wall(port, cookie, evidence_id)[0] for _ in range(5)]
            print(
                f"evidence page of {name:10s} once read: wall {statistics.median(walls) * 1000:6.1f} ms (median of 5, HTTP)"
            )
        other.stop.set()
        other.thread.join()
        print(f"another user's requests, before the uploads: {other.summary('baseline')}")
        print(
            f"another user's requests, while the files were uploaded and read: {other.summary('heavy')}"
        )
        print(f"  (non-200 answers: {other.errors})")
        print("stored readings (file, status, characters, pages, extract ms, suggest ms, error):")
        for row in readings(url):
            print(f"  {row}")
    finally:
        server.terminate()
        server.wait()
    print("evidence pages rendered in-process once read:")
    in_process(url, folder, ids)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
