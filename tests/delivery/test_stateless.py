"""Stateless web processes: two app processes and a worker, started as an operator would
(`portfolio serve`, `portfolio worker`) on loopback, sharing the database, Redis and the file
store. A log-in made on one process is used, and ended, on the other; failed log-ins counted on
both reach the limit together; a file attached through one is read by the worker and shows as
read on the other."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from redis import Redis

from tests.conftest import ROOT, fresh_database, redis_answers, redis_held
from tests.delivery.live import PASSWORD, seed

REDIS_URL = "redis://127.0.0.1:6379/12"


pytestmark = pytest.mark.skipif(
    not redis_answers(REDIS_URL), reason="needs Redis on 127.0.0.1:6379"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(url: str, folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        PORTFOLIO_DATABASE_URL=url,
        PORTFOLIO_SECRET_KEY="stateless-test-secret",
        PORTFOLIO_REDIS_URL=REDIS_URL,
        PORTFOLIO_INSTANCE_PATH=str(folder / "instance"),
        PORTFOLIO_FILE_STORE=str(folder / "files"),
        PORTFOLIO_WARM_SUGGESTIONS="false",
        PORTFOLIO_LOGIN_FAILURE_LIMIT="3 per minute",
        PORTFOLIO_LOG_FORMAT="text",
    )
    return env


@contextmanager
def _process(args: list[str], env: dict[str, str], folder: Path) -> Iterator[subprocess.Popen]:
    log = (folder / f"{args[0]}-{len(list(folder.iterdir()))}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "delivery.cli.main", *args],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120  # a loaded machine imports slowly
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{base} never became ready")


def _token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=30).text
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found, url
    return found.group(1)


def _log_in(browser: requests.Session, base: str, email: str, password: str) -> int:
    token = _token(browser, f"{base}/login")
    answer = browser.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


@pytest.fixture
def centre(backend, tmp_path) -> Iterator[tuple[str, str, dict[str, str], Path, object]]:
    with redis_held(REDIS_URL), fresh_database(backend, tmp_path) as url:
        Redis.from_url(REDIS_URL).flushdb()
        seeded = seed(url, learners=1)
        env = _environment(url, tmp_path)
        ports = [_free_port(), _free_port()]
        with (
            _process(["serve", "--port", str(ports[0]), "--threads", "4"], env, tmp_path) as a,
            _process(["serve", "--port", str(ports[1]), "--threads", "4"], env, tmp_path) as b,
        ):
            bases = [f"http://127.0.0.1:{p}" for p in ports]
            _ready(bases[0], a)
            _ready(bases[1], b)
            yield bases[0], bases[1], env, tmp_path, seeded
        Redis.from_url(REDIS_URL).flushdb()


def test_a_session_a_rate_limit_and_a_job_cross_the_processes(centre) -> None:
    first, second, env, folder, seeded = centre
    # a log-in on the first process is a log-in on the second; a log-out there ends it here
    assessor = requests.Session()
    assert _log_in(assessor, first, seeded.assessor, PASSWORD) == 302
    marking = assessor.get(f"{second}/marking", allow_redirects=False, timeout=30)
    assert marking.status_code == 200 and "Learner 0" in marking.text
    token = _token(assessor, f"{second}/account")
    assert assessor.post(f"{second}/logout", data={"csrf_token": token}, timeout=30).ok
    assert assessor.get(f"{first}/marking", allow_redirects=False, timeout=30).status_code == 302

    # a file attached through the first process is read by the worker, and shows so on the second
    learner = requests.Session()
    assert _log_in(learner, first, seeded.learners[0], PASSWORD) == 302
    page = f"/evidence/{seeded.draft_id}"
    token = _token(learner, f"{first}{page}")
    attached = learner.post(
        f"{first}{page}/attachments",
        data={"csrf_token": token},
        files={"file": ("notes.txt", b"I helped a job seeker write a CV.\n", "text/plain")},
        timeout=30,
    )
    assert attached.ok
    assert 'id="reading-note"' in learner.get(f"{second}{page}", timeout=30).text
    worker = subprocess.run(
        [sys.executable, "-m", "delivery.cli.main", "worker", "--burst"],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    shown = learner.get(f"{second}{page}", timeout=30).text
    assert 'id="reading-note"' not in shown and "reading-done" in shown

    # failed log-ins from one address count together, whichever process answers (last: the
    # address may then not log in for a minute)
    stranger = requests.Session()
    answers = [
        _log_in(stranger, base, f"nobody{n}@live.example", "wrong-password")
        for n, base in enumerate((first, second, first, second))
    ]
    assert answers[:3] == [200, 200, 200] and answers[3] == 429, answers
