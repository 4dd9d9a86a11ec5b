"""Conventions a script relies on: ``--version``, ``--json`` on the commands that change
records, ``-o -`` for files, and every accepted role named in the help."""

from __future__ import annotations

import json

from click.testing import CliRunner

from delivery.cli.main import main
from portfolio.models.people import ROLES


def test_version_prints_the_installed_version() -> None:
    r = CliRunner().invoke(main, ["--version"])
    assert r.exit_code == 0
    name, version = r.output.split()
    assert name == "portfolio" and version[0].isdigit()


def test_help_of_people_add_names_every_accepted_role() -> None:
    r = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["people", "add", "--help"])
    assert r.exit_code == 0
    assert all(role in r.output for role in ROLES)


def test_people_cohort_and_register_report_in_json(cli, tmp_path) -> None:
    password = tmp_path / "pw"
    password.write_text("a-long-enough-password\n")
    made = {}
    for role in ("learner", "assessor", "iqa"):
        r = cli(
            "people", "add", "--name", f"Json {role.title()}", "--email", f"json-{role}@t.example",
            "--role", role, "--password-file", str(password), "--json",
        )  # fmt: skip
        assert r.exit_code == 0, r.output
        made[role] = json.loads(r.output)
        assert made[role]["roles"] == [role] and made[role]["email"] == f"json-{role}@t.example"
    r = cli("cohort", "add", "--name", "Json cohort", "--json")
    cohort = json.loads(r.output)
    assert cohort["name"] == "Json cohort" and isinstance(cohort["id"], int)
    r = cli(
        "register", "--learner", str(made["learner"]["id"]), "--framework", "SE",
        "--standards", "SE01,SE02", "--assessor", str(made["assessor"]["id"]),
        "--iqa", str(made["iqa"]["id"]), "--cohort", str(cohort["id"]),
        "--start", "2026-01-05", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    registration = json.loads(r.output)
    assert registration["standards"] == ["SE01", "SE02"]
    assert registration["planned_end"] == "2027-01-04"
    # a refusal is still one line on standard error and exit 1, never half a JSON document
    r = cli(
        "people", "add", "--name", "Again", "--email", "json-learner@t.example",
        "--role", "learner", "--password-file", str(password), "--json",
    )  # fmt: skip
    assert r.exit_code == 1 and not r.stdout.strip().startswith("{")


def test_audit_verify_reports_in_json(cli) -> None:
    r = cli("audit", "verify", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["ok"] is True and report["breaks"] == [] and report["entries"] > 0


def test_framework_export_to_standard_output(cli) -> None:
    r = cli("framework", "export", "SE", "--format", "json", "-o", "-")
    assert r.exit_code == 0, r.output
    exported = json.loads(r.stdout_bytes)
    assert exported["code"] == "SE"
    assert "bytes" in r.stderr


def test_framework_import_reports_in_json_with_its_warnings(cli, tmp_path) -> None:
    from tests.conftest import ROOT

    source = ROOT / "tests" / "mappings" / "data" / "management-leadership.csv"
    r = cli("framework", "import", str(source), "--dry-run", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["status"].startswith("would_") and report["criteria"] > 0
    assert isinstance(report["warnings"], list) and isinstance(report["diff"], list)
