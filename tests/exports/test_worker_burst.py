"""``portfolio worker --burst`` ends when its jobs do, whichever thread wins at the end.

rq's command listener once held up the end of about one burst in twenty for 60 s (see
exports/rq_worker.py). Each test starts the real command in a subprocess against the local Redis
(a database number of its own) with one job queued, and gives it 20 s: a hang check, not a speed
test (the burst takes well under a second; the stall took a minute). ``listener first`` forces
the unlucky ordering every time (tests/exports/unlucky_listener.py): with rq's own worker that
run takes 60 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from exports.jobs import QUEUE
from tests.conftest import ROOT, redis_answers, redis_held

REDIS_URL = "redis://127.0.0.1:6379/10"
BOUND = 20.0


pytestmark = pytest.mark.skipif(
    not redis_answers(REDIS_URL), reason="needs Redis on 127.0.0.1:6379"
)


@pytest.fixture(autouse=True)
def _redis_alone() -> Iterator[None]:
    """Each case empties the database its worker listens on: one at a time across workers."""
    with redis_held(REDIS_URL):
        yield


PLAIN = "from delivery.cli.main import main; main()"
LISTENER_FIRST = (
    "from tests.exports.unlucky_listener import install; install(); "
    "from delivery.cli.main import main; main()"
)


@pytest.mark.parametrize(
    "bootstrap", [PLAIN, LISTENER_FIRST], ids=["as it comes", "listener first"]
)
def test_a_burst_worker_exits_when_its_job_is_done(tmp_path: Path, bootstrap: str) -> None:
    from rq import Queue

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    job = Queue(QUEUE, connection=connection).enqueue(len, "abc")
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        PORTFOLIO_DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}",
        PORTFOLIO_SECRET_KEY="worker-burst-test-secret",
        PORTFOLIO_REDIS_URL=REDIS_URL,
        PORTFOLIO_INSTANCE_PATH=str(tmp_path / "instance"),
        PORTFOLIO_FILE_STORE=str(tmp_path / "files"),
        PORTFOLIO_WARM_SUGGESTIONS="false",
        PORTFOLIO_LOG_FORMAT="text",
    )
    try:
        started = time.monotonic()
        try:
            worker = subprocess.run(
                [sys.executable, "-c", bootstrap, "worker", "--burst"],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=BOUND,
            )
        except subprocess.TimeoutExpired as stalled:
            pytest.fail(
                f"portfolio worker --burst still running after {BOUND} s: {stalled.stderr!r}"
            )
        took = time.monotonic() - started
        assert worker.returncode == 0, worker.stdout + worker.stderr
        job.refresh()
        assert job.get_status() == "finished" and job.return_value() == 3
        assert took < BOUND
    finally:
        connection.flushdb()
