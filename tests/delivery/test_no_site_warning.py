"""With mail configured (PORTFOLIO_MAIL_HOST) and no site's address (PORTFOLIO_BASE_URL), no
notification e-mail is sent: the web app and the worker say so once as they start, naming the
setting, rather than only an error per e-mail later."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from delivery.cli import worker as worker_cli
from delivery.web.app import create_app

SAID = "PORTFOLIO_BASE_URL is not set"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and SAID in r.getMessage()
    ]


def _app(engine, tmp_path: Path, **conf: Any) -> None:
    create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "a-long-test-secret-for-production",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "BASE_URL": None,
            **conf,
        }
    )


@pytest.mark.parametrize("env", ["production", "development"])
def test_the_app_warns_once_when_mail_is_set_and_the_sites_address_is_not(
    engine, tmp_path, caplog, monkeypatch, env
) -> None:
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    caplog.set_level(logging.WARNING)
    _app(engine, tmp_path, ENV=env, MAIL_HOST="smtp.example.org")
    (said,) = _warnings(caplog)
    assert "PORTFOLIO_MAIL_HOST is set" in said and "no notification e-mail is sent" in said
    assert "Set PORTFOLIO_BASE_URL to the site's address" in said
    assert "portfolio notifications digest" in said
    assert ("password-reset" in said) == (env == "production")


@pytest.mark.parametrize(
    "conf",
    [
        {"MAIL_HOST": "smtp.example.org", "BASE_URL": "https://portfolio.example.org"},
        {"MAIL_HOST": None},  # no mail: nothing to warn of
    ],
)
def test_no_warning_with_the_address_set_or_without_mail(
    engine, tmp_path, caplog, monkeypatch, conf
) -> None:
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    caplog.set_level(logging.WARNING)
    _app(engine, tmp_path, ENV="production", **conf)
    assert _warnings(caplog) == []


def test_the_worker_warns_as_it_starts(cli, caplog, monkeypatch) -> None:
    worked = []
    monkeypatch.setattr(worker_cli, "run_worker", lambda url, **kw: worked.append(url))
    monkeypatch.setenv("PORTFOLIO_REDIS_URL", "redis://127.0.0.1:6379/11")
    monkeypatch.setenv("PORTFOLIO_MAIL_HOST", "smtp.example.org")
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    caplog.set_level(logging.WARNING)
    cli("worker")
    assert worked and len(_warnings(caplog)) == 1
    caplog.clear()
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "https://portfolio.example.org")
    cli("worker")
    assert _warnings(caplog) == []
