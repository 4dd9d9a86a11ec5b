"""The export and import commands of the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from delivery.cli.main import main
from mappings.assessment import relearn
from mappings.assessment.models import Decision
from portfolio.models import Framework
from portfolio.services import registrations
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import fresh_database
from tests.exports.export_case import (
    build_case,
    docx_text,
    records_in,
    signed_off_at_the_edge_of_a_day,
    signed_on,
)


@pytest.fixture
def case(session, tmp_path, monkeypatch, make_person, make_registration, make_evidence):
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(tmp_path / "files"))
    monkeypatch.setenv("PORTFOLIO_CENTRE_NAME", "Command Line Centre")
    case = build_case(
        session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
    )
    cohort = registrations.create_cohort(session, actor=SYSTEM, name="CLI cohort")
    case.registration.cohort_id = cohort.id
    session.add(case.registration)
    session.commit()
    case.cohort_id = cohort.id  # type: ignore[attr-defined]
    return case


def test_export_signoff(cli, case, tmp_path) -> None:
    out = tmp_path / "record.docx"
    r = cli(
        "export",
        "signoff",
        "--candidate",
        str(case.learner.id),
        "--standard",
        "SE03",
        "-o",
        str(out),
    )
    assert r.exit_code == 0, r.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert case.signoff.document_id in text and "Command Line Centre" in text
    r = cli(
        "export",
        "signoff",
        "--candidate",
        str(case.learner.id),
        "--standard",
        "SE01",
        "-o",
        str(tmp_path / "no.docx"),
    )
    assert r.exit_code == 1 and "not signed off" in r.output
    assert not (tmp_path / "no.docx").exists()
    r = cli(
        "export",
        "signoff",
        "--candidate",
        str(case.learner.id),
        "--standard",
        "SE07",
        "-o",
        str(tmp_path / "no.docx"),
    )
    assert r.exit_code == 1 and "not registered" in r.output


def test_export_reports(cli, case, tmp_path) -> None:
    out = tmp_path / "coverage.csv"
    r = cli("export", "coverage", "--cohort", str(case.cohort_id), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert {row["Standard"] for row in rows} == {"SE01", "SE03"}
    xlsx = tmp_path / "coverage.xlsx"
    assert (
        cli("export", "coverage", "--cohort", str(case.cohort_id), "-o", str(xlsx)).exit_code == 0
    )
    assert load_workbook(xlsx).active.max_row == 3
    r = cli("export", "coverage", "--cohort", str(case.cohort_id), "-o", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2 and ".csv or .xlsx" in r.output
    today = signed_on(case).isoformat()  # the centre's day
    reg = tmp_path / "register.xlsx"
    r = cli("export", "register", "--from", today, "--to", today, "-o", str(reg))
    assert r.exit_code == 0, r.output
    values = [row for row in load_workbook(reg).active.iter_rows(values_only=True)]
    assert any(case.signoff.document_id in row for row in values)


def test_export_bundle_then_import_it_elsewhere_and_again(
    cli, case, tmp_path, backend, monkeypatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "sender"))
    out = tmp_path / "bundle.zip"
    r = cli("export", "bundle", "--candidate", str(case.learner.id), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "2 evidence items, 1 sign-off, " in r.output  # in words, not "1 sign-offs"
    # the sending centre's key (made on first export if `init` did not make it) and its PEM
    assert (tmp_path / "sender" / "centre-signing-key.pem").exists()
    shown = cli("key", "show", "--json")
    sender = json.loads(shown.output)
    assert f"signed with the key {sender['fingerprint']}" in r.output
    trusted = tmp_path / "sender.pem"
    trusted.write_text(cli("key", "show").output)
    assert trusted.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("manifest.json"))["learner"]["email"] == case.learner.email
        assert json.loads(zf.read("signature.json"))["key_fingerprint"] == sender["fingerprint"]
    # into the same database: refused, already there
    r = cli("import", "bundle", str(out))
    assert r.exit_code == 1 and "already imported" in r.output
    # into a fresh database, through the real command line (its own context and file store)
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(tmp_path / "files2"))
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "receiver"))
    with fresh_database(backend, tmp_path) as url:
        runner = CliRunner()
        r = runner.invoke(main, ["--db", url, "init"])
        assert r.exit_code == 0 and "Made the centre's signing key sha256:" in r.output
        receiver = json.loads(runner.invoke(main, ["key", "show", "--json"]).output)
        assert receiver["fingerprint"] != sender["fingerprint"]
        r = runner.invoke(
            main, ["--db", url, "import", "bundle", str(out), "--trust", str(trusted)]
        )
        assert r.exit_code == 0, r.output
        assert "Imported the bundle of" in r.output and "new learner" in r.output
        assert f"Signature verified with the trusted key {sender['fingerprint']}." in r.output
        assert "framework imported: SE v1" in r.output
        assert any((tmp_path / "files2").rglob("*"))
        r = runner.invoke(main, ["--db", url, "import", "bundle", str(out)])
        assert r.exit_code == 1 and "already imported" in r.output
        r = runner.invoke(main, ["--db", url, "import", "bundle", str(out), "--trust", str(out)])
        assert r.exit_code == 2 and "is not a PEM public key" in r.output
        from portfolio.db import make_engine

        make_engine(url).dispose()


def test_a_trusted_import_relearns_its_frameworks_once_it_has_committed(
    cli, case, tmp_path, backend, monkeypatch
) -> None:
    """Decisions the command recreates teach the engine as a decision on the web does: once the
    import has committed (without Redis, here and now; a command has no background thread), the
    suggestions of evidence awaiting a decision in their framework are worked out again."""
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "sender"))
    out = tmp_path / "bundle.zip"
    assert (
        cli("export", "bundle", "--candidate", str(case.learner.id), "-o", str(out)).exit_code == 0
    )
    trusted = tmp_path / "sender.pem"
    trusted.write_text(cli("key", "show").output)
    monkeypatch.setenv("PORTFOLIO_FILE_STORE", str(tmp_path / "files2"))
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "receiver"))
    monkeypatch.delenv("PORTFOLIO_REDIS_URL", raising=False)
    ran: list[tuple[list[int], int]] = []
    with fresh_database(backend, tmp_path) as url:
        from portfolio.db import make_engine

        elsewhere = make_engine(url)

        def relearnt(_factory, framework_ids, **_kw) -> int:
            with Session(elsewhere) as s:  # another connection: sees only what has committed
                ran.append((list(framework_ids), s.exec(select(func.count(Decision.id))).one()))
            return 0

        monkeypatch.setattr(relearn, "relearn", relearnt)
        runner = CliRunner()
        assert runner.invoke(main, ["--db", url, "init"]).exit_code == 0
        r = runner.invoke(
            main, ["--db", url, "import", "bundle", str(out), "--trust", str(trusted)]
        )
        assert r.exit_code == 0, r.output
        with Session(elsewhere) as s:
            se = s.exec(select(Framework.id).where(Framework.code == "SE")).one()
            decisions = s.exec(select(func.count(Decision.id))).one()
        assert decisions > 1 and ran == [([se], decisions)]
        elsewhere.dispose()
        make_engine(url).dispose()


def test_init_makes_the_centre_key_once_and_key_show_prints_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    r = runner.invoke(main, ["key", "show"])
    assert r.exit_code == 1 and "run `portfolio init`" in r.output
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = runner.invoke(main, ["--db", url, "init"])
    assert first.exit_code == 0 and "Made the centre's signing key" in first.output
    key = tmp_path / "instance" / "centre-signing-key.pem"
    pem = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600 and b"PRIVATE KEY" in pem
    again = runner.invoke(main, ["--db", url, "init"])
    assert again.exit_code == 0 and "The centre's signing key is sha256:" in again.output
    assert key.read_bytes() == pem
    shown = runner.invoke(main, ["key", "show", "--json"])
    data = json.loads(shown.output)
    assert data["algorithm"] == "Ed25519" and data["fingerprint"] in again.output
    text = runner.invoke(main, ["key", "show"]).output
    assert text == data["public_key"] and "PRIVATE" not in text


def test_worker_explains_without_redis(cli, monkeypatch) -> None:
    monkeypatch.delenv("PORTFOLIO_REDIS_URL", raising=False)
    r = cli("worker")
    assert r.exit_code == 0 and "PORTFOLIO_REDIS_URL is not set" in r.output


def test_exports_write_to_standard_output_with_dash_and_report_in_json(cli, case) -> None:
    """``-o -`` puts the file itself on standard output (the report goes to standard error), and
    ``--json`` makes the report a JSON object a script can read."""
    r = cli("export", "coverage", "--cohort", str(case.cohort_id), "-o", "-", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout_bytes.decode("utf-8-sig"))))
    assert {row["Standard"] for row in rows} == {"SE01", "SE03"}
    assert "Wrote -: 2 rows." in r.stderr
    r = cli("export", "coverage", "--cohort", str(case.cohort_id), "-o", "-")
    assert r.exit_code == 2 and "--format csv" in r.output
    r = cli(
        "export", "signoff", "--candidate", str(case.learner.id), "--standard", "SE03",
        "-o", "-", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    document = docx.Document(io.BytesIO(r.stdout_bytes))
    assert case.signoff.document_id in "\n".join(p.text for p in document.paragraphs)
    assert json.loads(r.stderr)["record"] == case.signoff.document_id
    r = cli("export", "bundle", "--candidate", str(case.learner.id), "-o", "-", "--json")
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(io.BytesIO(r.stdout_bytes)) as zf:
        assert json.loads(zf.read("manifest.json"))["learner"]["email"] == case.learner.email
    assert json.loads(r.stderr)["evidence"] == 2


def test_export_to_a_file_with_json_prints_the_report_on_standard_output(
    cli, case, tmp_path
) -> None:
    today = signed_on(case).isoformat()  # the centre's day
    out = tmp_path / "register.csv"
    r = cli("export", "register", "--from", today, "--to", today, "-o", str(out), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"output": str(out), "signoffs": 1}
    assert case.signoff.document_id in out.read_text("utf-8-sig")


def test_the_bundle_and_the_subject_access_archive_judge_on_the_centres_day(
    cli, case, session, tmp_path, monkeypatch
) -> None:
    """A centre in New York (PORTFOLIO_TIME_ZONE): its standard signed off at 19:30 on 6 Jun
    there (23:30 UTC) on evidence of 7 Jun. The record in the bundle written from the command
    line, and in the bundle inside the subject-access archive, lists the evidence as dated after
    sign-off, as the record written alone does: not judged on London's day (7 Jun, when it
    counted)."""
    monkeypatch.setenv("PORTFOLIO_TIME_ZONE", "America/New_York")
    signed_off_at_the_edge_of_a_day(session, case)
    late = "the activity is dated after sign-off."
    alone = tmp_path / "record.docx"
    args = ("--candidate", str(case.learner.id), "--standard", "SE03", "-o", str(alone))
    assert cli("export", "signoff", *args).exit_code == 0
    assert late in docx_text(alone.read_bytes())
    out = tmp_path / "bundle.zip"
    assert (
        cli("export", "bundle", "--candidate", str(case.learner.id), "-o", str(out)).exit_code == 0
    )
    [record] = records_in(out.read_bytes(), "signoffs/")
    assert late in record
    sar = tmp_path / "sar.zip"
    assert cli("privacy", "subject-access", case.learner.email, "-o", str(sar)).exit_code == 0
    with zipfile.ZipFile(sar) as zf:
        [record] = records_in(zf.read("portfolio-bundle.zip"), "signoffs/")
    assert late in record
