"""The foundation: configuration, health, migrations, log-in and the CLI."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import mappings.assessment.models  # noqa: F401 - registers tables
import portfolio.models  # noqa: F401 - registers tables
from delivery.web.app import create_app
from portfolio import config


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models differ from migrations; write a migration: {diff}"


def test_models_and_migrations_agree_on_which_ids_are_never_given_again(engine: Engine) -> None:
    """Alembic's comparison does not look at SQLite's AUTOINCREMENT: the tables whose models say
    ``sqlite_autoincrement`` are the ones the migrations made so (0051, 0053, 0054), and no
    others."""
    if engine.dialect.name != "sqlite":
        pytest.skip("AUTOINCREMENT is SQLite's; PostgreSQL's sequences never give an id twice")
    with engine.connect() as conn:
        made = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
        ).scalars()
        said = {
            t.name
            for t in SQLModel.metadata.tables.values()
            if t.dialect_options["sqlite"]["autoincrement"]
        }
        assert set(made) == said
        assert {"evidence", "iqa_sample", "lti_platform", "api_token", "notification"} <= said


def test_readyz_reports_database_and_schema(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] is True
    assert body["schema"]["up_to_date"] is True
    assert body["schema"]["current"] == body["schema"]["head"]


def test_production_refuses_default_secret(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="default secret key"):
        create_app({"ENV": "production", "INSTANCE_PATH": str(tmp_path)})


def test_config_reads_prefixed_environment() -> None:
    conf = config.from_env({"PORTFOLIO_MAX_UPLOAD_MB": "3", "PORTFOLIO_CENTRE_NAME": "X"})
    assert conf["MAX_UPLOAD_MB"] == 3
    assert conf["CENTRE_NAME"] == "X"
    finished = config.finish({**conf, "INSTANCE_PATH": "/tmp/inst"})
    assert finished["DATABASE_URL"] == "sqlite:////tmp/inst/portfolio.sqlite3"


def test_login_and_logout(client, auth) -> None:
    assert client.get("/").status_code == 302  # anonymous users are sent to log in
    person = auth.login("learner")
    page = client.get("/").get_data(as_text=True)
    assert f"Welcome, {person.name}" in page
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_ignores_offsite_next(client, make_person) -> None:
    person = make_person("learner")
    r = client.post(
        "/login?next=//evil.example/x",
        data={"email": person.email, "password": "correct-horse-battery"},
    )
    assert r.headers["Location"] == "/"


def test_security_headers(client) -> None:
    r = client.get("/login")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    # no page uses a camera, microphone or location (evidence is uploaded as files): refused to
    # this site and to anything it could be made to load
    allowed = dict(
        part.strip().split("=", 1) for part in r.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert allowed[feature] == "()", feature


def test_pages_are_never_kept_by_a_browser_or_proxy(client, auth) -> None:
    """A learner's pages hold personal data: on a shared college computer the next person must
    not read them from the browser's cache (Back after logging out), nor a proxy keep them. A
    download that says how it is cached (attachments, static files) keeps its own rule."""
    auth.login("learner")
    for path in ("/", "/account", "/nothing-here"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/static/site.css").headers["Cache-Control"] != "no-store"


def test_production_asks_browsers_for_https_only(app, client) -> None:
    """Behind the TLS proxy (docs/deploy.md) the site is HTTPS only: production tells browsers
    so (HSTS), so that a first visit by plain HTTP cannot be intercepted again; development,
    served over plain HTTP, does not."""
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["ENV"] = "production"
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_cli_people_and_audit(cli, tmp_path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("a-long-password\n")
    r = cli(
        "people",
        "add",
        "--name",
        "Pat Example",
        "--email",
        "pat@test.example",
        "--role",
        "assessor,iqa",
        "--password-file",
        str(pw),
    )
    assert r.exit_code == 0, r.output
    r = cli("people", "list", "--role", "iqa", "--json")
    assert any(
        p["email"] == "pat@test.example" and p["roles"] == ["assessor", "iqa"]
        for p in __import__("json").loads(r.output)
    )
    r = cli("audit", "verify")
    assert r.exit_code == 0 and "intact" in r.output


def test_cli_rejects_unknown_role(cli) -> None:
    r = cli("people", "add", "--name", "X", "--email", "x@test.example", "--role", "wizard")
    assert r.exit_code != 0
    assert "Unknown role" in r.output
