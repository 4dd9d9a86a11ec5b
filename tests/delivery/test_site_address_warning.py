"""In production without PORTFOLIO_BASE_URL, each Open Badge made at a sign-off names (and is signed
with) the address of the request that made it, for good, and no e-mail with a link is sent. Sign-offs
go on; ``portfolio serve``, the app's start-up log and the administrators' home and Centre pages say
so, naming the setting."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from delivery.web.app import create_app

SAID = "Without PORTFOLIO_BASE_URL"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and SAID in r.getMessage()
    ]


@pytest.mark.parametrize(
    ("env", "base", "warned"),
    [
        ("production", None, True),
        ("production", "https://portfolio.example.org", False),
        ("development", None, False),  # the request's address is all a test server has
    ],
)
def test_the_app_warns_as_it_starts_in_production_without_the_sites_address(
    engine, tmp_path: Path, caplog, monkeypatch, env: str, base: str | None, warned: bool
) -> None:
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    caplog.set_level(logging.WARNING)
    create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "a-long-test-secret-for-production",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "ENV": env,
            "BASE_URL": base,
        }
    )
    said = _warnings(caplog)
    assert len(said) == int(warned), said
    if warned:
        assert "Open Badge" in said[0] and "address of the request" in said[0]
        assert "Set PORTFOLIO_BASE_URL to the site's address" in said[0]


def test_serve_says_badges_take_the_requests_address_in_production(cli, monkeypatch) -> None:
    import gc

    import waitress

    monkeypatch.setattr(waitress, "serve", lambda app, **_kw: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setenv("PORTFOLIO_ENV", "production")
    monkeypatch.setenv("PORTFOLIO_SECRET_KEY", "a-long-test-secret-for-production")
    monkeypatch.setenv("PORTFOLIO_CENTRE_NAME", "Northfield Training")
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    said = cli("serve", "--port", "5127").output
    assert SAID in said and "Open Badge" in said and "address of the request" in said
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "https://portfolio.example.org")
    assert SAID not in cli("serve", "--port", "5127").output
    monkeypatch.setenv("PORTFOLIO_ENV", "development")  # serve lends its own address there
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    assert SAID not in cli("serve", "--port", "5127").output


def test_administrators_are_told_when_the_site_has_no_address(app, client, auth) -> None:
    said = "PORTFOLIO_BASE_URL"
    auth.login("admin")
    app.config.update(ENV="production", BASE_URL=None)
    try:
        for path in ("/", "/admin"):
            page = client.get(path).get_data(as_text=True)
            assert said in page and "This site's address is not set" in page, path
            assert "Open Badge" in page
        app.config["BASE_URL"] = "https://portfolio.example.org"
        for path in ("/", "/admin"):
            assert said not in client.get(path).get_data(as_text=True), path
        app.config["BASE_URL"] = None
        auth.login("assessor")  # only administrators can do something about it
        assert said not in client.get("/").get_data(as_text=True)
    finally:
        app.config.update(ENV="development", BASE_URL=None)
