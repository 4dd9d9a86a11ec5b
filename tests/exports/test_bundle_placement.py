"""Where an imported learner is placed here: never in a cohort by the sending centre's name, and
an unverified bundle never adds standards to a registration this centre already made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from exports.bundle import MANIFEST, import_bundle
from mappings.assessment.models import Claim
from mappings.assessment.standing import load_standings
from portfolio.models import (
    AuditEntry,
    Cohort,
    Criterion,
    Evidence,
    Registration,
    RegistrationStandard,
    Standard,
)
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.exports.test_bundle import OLD_BUNDLE, _rewrite

LEARNER = "learner1-c68e4b@test.example"  # the learner of the earlier bundle (SE01 and SE03)


def _with_cohort(tmp_path: Path, name: str) -> Path:
    def edit(body: bytes) -> bytes:
        m: dict[str, Any] = json.loads(body)
        m["registrations"][0]["cohort"] = name
        return json.dumps(m).encode()

    path = tmp_path / "cohort.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    return path


def test_a_sending_centres_cohort_name_joins_or_makes_no_cohort_here(
    session: Session, tmp_path: Path
) -> None:
    """A cohort of this centre that happens to have the sending centre's cohort's name is not
    the learner's: the import places them in no cohort and says an administrator does."""
    ours = Cohort(name="Group A", site="North site")
    session.add(ours)
    session.commit()
    report = import_bundle(
        session, FileStore(tmp_path / "f"), _with_cohort(tmp_path, "Group A"), SYSTEM
    )
    session.commit()
    reg = session.exec(
        select(Registration).where(Registration.learner_id == report.learner_id)
    ).one()
    assert reg.cohort_id is None
    assert session.exec(select(func.count()).select_from(Cohort)).one() == 1
    assert report.cohorts == ["Group A"]
    assert "in the cohort “Group A” at the sending centre" in report.message
    assert "an administrator places the learner in a cohort here" in report.message
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "bundle.import")).one()
    assert "Group A" in json.dumps(entry.data)


def test_a_cohort_name_no_cohort_here_has_creates_none(session: Session, tmp_path: Path) -> None:
    report = import_bundle(
        session, FileStore(tmp_path / "f"), _with_cohort(tmp_path, "Evening class"), SYSTEM
    )
    session.commit()
    assert session.exec(select(func.count()).select_from(Cohort)).one() == 0
    assert session.exec(select(Registration.cohort_id)).all() == [None]
    assert "in the cohort “Evening class” at the sending centre" in report.message


def _codes(session: Session, registration_id: int) -> set[str]:
    rows = session.exec(
        select(RegistrationStandard.standard_id).where(
            RegistrationStandard.registration_id == registration_id
        )
    )
    return {s.code for s in session.exec(select(Standard).where(col(Standard.id).in_(list(rows))))}


def test_an_unverified_bundle_adds_no_standard_to_a_registration_made_here(
    session: Session, tmp_path: Path, make_person, make_registration, client, auth
) -> None:
    """The learner is registered here on SE01 only; the unsigned bundle's registration holds
    SE01 and SE03. The registration keeps SE01 alone (an administrator decides what a learner
    is registered on); the claims against SE03 come back awaiting a decision, and every page
    showing the learner's coverage still shows."""
    learner = make_person("learner", email=LEARNER)
    assessor = make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01")
    report = import_bundle(session, FileStore(tmp_path / "f"), OLD_BUNDLE, SYSTEM)
    session.commit()
    assert session.exec(select(Registration.id)).all() == [reg.id]
    assert _codes(session, reg.id or 0) == {"SE01"}
    assert report.standards_not_added == ["SE v1: SE03"]
    assert "Not added to the learner's registration on SE v1: SE03" in report.message
    assert "an administrator adds a standard" in report.message
    se03 = session.exec(
        select(Claim.status)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(Standard.code == "SE03")
    ).all()
    assert se03 and set(se03) == {"claimed"}
    [standing] = load_standings(session, [reg.id or 0])
    assert standing.percent_met == 0 and standing.standard("SE03") is None
    before = standing.awaiting_claims
    for who in (learner, assessor):
        auth.login(who)
        for url in (
            f"/learners/{learner.id}/progress",
            f"/learners/{learner.id}/standards/SE01",
            f"/learners/{learner.id}/standards/SE03",
            f"/learners/{learner.id}/evidence",
            f"/api/learners/{learner.id}/coverage",
            "/",
            *(f"/evidence/{i}" for i in session.exec(select(Evidence.id))),
        ):
            assert client.get(url).status_code < 500, url
    # an administrator adds SE03: the bundle's claims against it then await this centre's decision
    se03_id = session.exec(
        select(Standard.id).where(
            Standard.code == "SE03", Standard.framework_id == reg.framework_id
        )
    ).one()
    session.add(RegistrationStandard(registration_id=reg.id or 0, standard_id=se03_id or 0))
    session.commit()
    [standing] = load_standings(session, [reg.id or 0])
    assert standing.awaiting_claims == before + len(se03) and standing.percent_met == 0


def test_a_verified_bundle_reports_the_standards_it_adds_to_a_registration_made_here(
    session: Session, tmp_path: Path, make_person, make_registration
) -> None:
    """Registered here on SE01 only; the bundle, verified by a trusted key, adds SE03, as the
    centre it vouches for registered the learner on it: the report (and audit entry) says so."""
    from tests.exports.test_bundle import KEY, signed

    learner = make_person("learner", email=LEARNER)
    reg = make_registration(learner=learner, codes="SE01")
    path = tmp_path / "signed.zip"
    path.write_bytes(signed(OLD_BUNDLE.read_bytes()))
    report = import_bundle(
        session, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()]
    )
    session.commit()
    assert report.signature.verified
    assert _codes(session, reg.id or 0) == {"SE01", "SE03"}
    assert report.standards_added == ["SE v1: SE03"]
    assert report.standards_not_added == []
    assert "Added to the learner's registration on SE v1: SE03" in report.message
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "bundle.import")).one()
    assert entry.data["standards_added"] == ["SE v1: SE03"]


def test_a_registration_an_unverified_bundle_makes_is_reported_with_its_standards_and_dates(
    session: Session, tmp_path: Path
) -> None:
    """The learner is not registered here: the unsigned bundle's registration is made with its
    standards and dates, and the report (and the audit entry) names them for an administrator
    to check."""
    report = import_bundle(session, FileStore(tmp_path / "f"), OLD_BUNDLE, SYSTEM)
    session.commit()
    reg = session.exec(
        select(Registration).where(Registration.learner_id == report.learner_id)
    ).one()
    assert _codes(session, reg.id or 0) == {"SE01", "SE03"}
    made = f"SE v1 (registration {reg.id}): SE01, SE03, from 4 Oct 2026 to 29 Sep 2027"
    assert report.registrations_made == [made]
    assert f"Registered the learner on {made}, as the bundle gives them" in report.message
    assert "not verified: an administrator checks them" in report.message
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "bundle.import")).one()
    assert entry.data["registrations_made"] == [made]


def _written_standards(session: Session, registration_id: int, codes: set[str]) -> list[Any]:
    return sorted(
        (
            [registration_id, sid, code]
            for sid, code in session.exec(
                select(Standard.id, Standard.code)
                .join(RegistrationStandard, col(RegistrationStandard.standard_id) == Standard.id)
                .where(RegistrationStandard.registration_id == registration_id)
            )
            if code in codes
        ),
        key=lambda row: row[1],
    )


def test_the_import_entry_hashes_the_registration_standard_rows_it_wrote(
    session: Session, tmp_path: Path, make_person, make_registration
) -> None:
    """A registration made holds SE01 and SE03; a registration found here under a verified
    bundle gains SE03 only: the bundle.import entry records exactly the rows written, as
    (registration, standard id, code), and its hash covers them."""
    from portfolio.services import audit
    from tests.exports.test_bundle import KEY, signed

    report = import_bundle(session, FileStore(tmp_path / "f"), OLD_BUNDLE, SYSTEM)
    session.commit()
    [reg_id] = session.exec(select(Registration.id)).all()
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "bundle.import")).one()
    assert entry.data["registration_standards"] == _written_standards(
        session, reg_id or 0, {"SE01", "SE03"}
    )
    assert report.learner_id

    other = make_person("learner", email="someone@here.example")
    reg = make_registration(learner=other, codes="SE01")

    def as_other(body: bytes) -> bytes:
        m: dict[str, Any] = json.loads(body.replace(LEARNER.encode(), b"someone@here.example"))
        m["signoffs"] = []  # their records are the first import's
        return json.dumps(m).encode()

    path = tmp_path / "other.zip"
    path.write_bytes(signed(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, as_other)))
    import_bundle(session, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()])
    session.commit()
    second = session.exec(
        select(AuditEntry).where(AuditEntry.action == "bundle.import").order_by(AuditEntry.id)
    ).all()[-1]
    assert second.data["registration_standards"] == _written_standards(
        session, reg.id or 0, {"SE03"}
    )
    assert audit.verify(session).ok
    # the entry's hash covers them: the rows written left out, it no longer holds
    without = {k: v for k, v in second.data.items() if k != "registration_standards"}
    fields = (second.prev_hash, second.at, second.actor_id, second.action)
    subject = (second.subject_type, second.subject_id)
    assert audit.entry_hash(*fields, *subject, without, second.row_hash) != second.hash
    assert audit.entry_hash(*fields, *subject, second.data, second.row_hash) == second.hash


def test_the_commands_json_names_the_registration_made_and_the_standards_added(
    cli, tmp_path: Path
) -> None:
    result = cli("import", "bundle", str(OLD_BUNDLE), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    [made] = data["registrations_made"]
    assert made.startswith("SE v1 (registration ") and "4 Oct 2026 to 29 Sep 2027" in made
    assert data["standards_added"] == [] and data["standards_not_added"] == []
