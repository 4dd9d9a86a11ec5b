"""``portfolio serve --workers 2`` (gunicorn) closes a kept-alive connection after
KEEPALIVE_REQUESTS requests, so clients spread over the workers rather than staying on the one
that accepted them first (delivery.gunicorn_app)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from delivery.gunicorn_app import KEEPALIVE_REQUESTS
from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_kept_alive_connection_is_closed_after_its_last_request(
    engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the server's connections, not the database's: one backend is enough")
    port = _free_port()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        PORTFOLIO_DATABASE_URL=engine.url.render_as_string(hide_password=False),
        PORTFOLIO_SECRET_KEY="keepalive-test-secret",
        PORTFOLIO_INSTANCE_PATH=str(tmp_path / "instance"),
        PORTFOLIO_FILE_STORE=str(tmp_path / "files"),
        PORTFOLIO_WARM_SUGGESTIONS="false",
    )
    args = ["serve", "--port", str(port), "--workers", "2", "--threads", "2"]
    server = subprocess.Popen(
        [sys.executable, "-m", "delivery.cli.main", *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine imports slowly
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        closing = []
        for n in range(1, 2 * KEEPALIVE_REQUESTS + 2):
            conn.request("GET", "/healthz")  # after a close, http.client connects again
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            if (response.getheader("Connection") or "").lower() == "close":
                closing.append(n)
        asked = range(1, 2 * KEEPALIVE_REQUESTS + 2)
        assert closing == [
            n for n in asked if n % KEEPALIVE_REQUESTS == 0
        ]  # each connection's last
    finally:
        server.terminate()
        server.wait(timeout=30)
