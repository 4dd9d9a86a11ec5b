"""Issue 19: the centre's own identifiers in the scan, and the back-fill of evidence saved before
evidence was scanned."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portfolio import config
from portfolio.errors import Invalid
from portfolio.models import AuditEntry, PrivacyFinding, PrivacyScan
from portfolio.privacy.scan import parse_identifiers
from portfolio.services import evidence as service
from tests.conftest import actor_of


@pytest.fixture
def centre_ids():
    """The centre configures one identifier; the process goes back to none afterwards."""
    service.scanning.use_identifiers(r"client_ref=CR-\d{6}")
    yield
    service.scanning.use_identifiers(None)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", {}),
        (r"client_ref=CR-\d{6}", {"client_ref": r"CR-\d{6}"}),
        (
            r"client-ref=CR-\d{6}; case_no=CASE/\d{4}",
            {"client_ref": r"CR-\d{6}", "case_no": r"CASE/\d{4}"},
        ),
        ("a=x;y\nb=z", {"a": "x;y", "b": "z"}),  # a ";" inside a pattern stays
    ],
)
def test_identifiers_are_read_from_the_setting(spec: str, expected: dict[str, str]) -> None:
    assert parse_identifiers(spec) == expected


@pytest.mark.parametrize("bad", ["nothing", "phone=\\d+", "x=(", "y=a*"])
def test_a_bad_identifier_stops_the_start(bad: str) -> None:
    with pytest.raises(RuntimeError, match="PORTFOLIO_PRIVACY_IDENTIFIERS"):
        config.finish({"PRIVACY_IDENTIFIERS": bad, "INSTANCE_PATH": "/tmp/x"})
    with pytest.raises(Invalid):
        service.scanning.use_identifiers(bad)


def test_the_app_factory_uses_the_setting(engine, tmp_path) -> None:
    from delivery.web.app import create_app

    try:
        create_app(
            {
                "ENGINE": engine,
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path),
                "PRIVACY_IDENTIFIERS": r"client_ref=CR-\d{6}",
            }
        )
        assert list(service.scanning.identifiers()) == ["client_ref"]
    finally:
        service.scanning.use_identifiers(None)


def test_a_saved_draft_reports_the_centres_identifiers(session, make_person, centre_ids) -> None:
    learner = make_person("learner")
    item = service.create(
        session,
        actor=actor_of(learner),
        learner_id=learner.id,
        draft=service.Draft(
            kind="reflective_account",
            title="Review",
            activity_date=date.today() - timedelta(days=2),
            body="I reviewed the plan of client CR-104233 with my manager.",
        ),
    )
    session.flush()
    version = service.current_version(session, item)
    found = service.scanning.findings_of(session, version.id)
    assert [(f.kind, f.text) for f in found] == [("client_ref", "CR-104233")]
    assert service.scanning.placeholder("client_ref", "CR-104233") == "[client ref]"


def test_the_scan_command_uses_the_setting(cli, monkeypatch) -> None:
    monkeypatch.setenv("PORTFOLIO_PRIVACY_IDENTIFIERS", r"client_ref=CR-\d{6}")
    try:
        out = cli("privacy", "scan", "--no-names", input='{"id": 1, "text": "See CR-000001."}\n')
    finally:
        service.scanning.use_identifiers(None)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["findings"] == [
        {"kind": "client_ref", "start": 4, "end": 13, "text": "CR-000001"}
    ]


def test_backfill_scans_what_was_saved_before_and_is_idempotent(
    session, make_person, make_evidence, cli
) -> None:
    learner = make_person("learner", name="Jo Bloggs")
    old = make_evidence(learner, body="I rang Mr Okafor on 07700 900123.", submit=False)
    clean = make_evidence(learner, body="I supported a job seeker.", submit=False)
    for row in session.exec(select(PrivacyScan)).all():  # as if saved before the scan existed
        session.delete(row)
    for row in session.exec(select(PrivacyFinding)).all():
        session.delete(row)
    session.commit()

    dry = cli("privacy", "backfill", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["bodies"] >= 2
    assert session.exec(select(PrivacyScan)).first() is None  # nothing written

    first = cli("privacy", "backfill", "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    assert report["versions"] >= 2 and report["findings"] >= 2
    mine = {old.id, clean.id}
    scanned = session.exec(select(PrivacyScan)).all()
    versions = {service.current_version(session, session.get(type(old), i)).id for i in mine}
    assert versions <= {s.version_id for s in scanned}
    kinds = {
        f.kind
        for f in session.exec(select(PrivacyFinding)).all()
        if f.version_id == service.current_version(session, old).id
    }
    assert kinds == {"name", "phone"}
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "privacy.backfill")).one()
    assert entry.data["findings"] == report["findings"]

    again = cli("privacy", "backfill")
    assert again.exit_code == 0
    assert (
        "Scanned 0 texts and 0 attachment texts of 0 evidence versions; 0 findings stored."
        in again.output
    )
    assert (
        len(session.exec(select(AuditEntry).where(AuditEntry.action == "privacy.backfill")).all())
        == 1
    )
    assert "intact" in cli("audit", "verify").output


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("RETENTION_FRAMEWORK_YEARS", "SE=five"),
        ("RETENTION_FRAMEWORK_YEARS", "SE"),
        ("RETENTION_EVIDENCE_YEARS", 0),
    ],
)
def test_a_bad_retention_period_stops_the_start(key: str, value: object) -> None:
    with pytest.raises(RuntimeError, match=f"PORTFOLIO_{key}"):
        config.finish({key: value, "INSTANCE_PATH": "/tmp/x"})
    assert config.framework_years("SE=5; ML = 7\nX=1") == {"SE": 5, "ML": 7, "X": 1}
