"""A version an unverified bundle says someone other than its learner wrote (an assessor's
observation record, say) is attributed to nobody here: every page and document that names a
version's author says it was recorded at the sending centre, by the name the bundle gives, as
text, rather than naming the learner."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from exports.bundle import MANIFEST, import_bundle, write_bundle
from exports.leap2a.collect import collect_items
from exports.signoff import build_signoff_docx
from exports.signoff_view import signoff_view
from mappings.assessment.models import ReceivedRecord
from portfolio.errors import PermissionDenied
from portfolio.models import Evidence, EvidenceVersion, Registration
from portfolio.services import evidence
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of, migrated_database
from tests.delivery.api_world import bearer, token_for
from tests.exports.export_case import build_case
from tests.exports.test_bundle import KEY, OLD_BUNDLE, _rewrite, signed
from tests.exports.test_signoff_view import _text

ASSESSOR = "assessor2-52f538@test.example"  # "Assessor 2" of the earlier bundle's people
SAID = f"recorded at Northfield by Assessor 2 &lt;{ASSESSOR}&gt;"


@pytest.fixture
def second_db(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


def _observed(tmp_path: Path) -> Path:
    """The earlier (unsigned) bundle, its first item (one version) written by its assessor."""

    def edit(body: bytes) -> bytes:
        m: dict[str, Any] = json.loads(body)
        m["centre"] = "Northfield"
        m["evidence"][0]["created_by"] = ASSESSOR
        m["evidence"][0]["versions"][0]["created_by"] = ASSESSOR
        return json.dumps(m).encode()

    path = tmp_path / "observed.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    return path


def test_pages_and_exports_name_the_sending_centres_author_not_the_learner(
    session: Session, tmp_path: Path, make_person, client, auth, second_db: Engine
) -> None:
    report = import_bundle(session, FileStore(tmp_path / "f"), _observed(tmp_path), SYSTEM)
    session.commit()
    assessor = make_person("assessor")
    reg = session.exec(select(Registration)).one()
    reg.assessor_id = assessor.id
    session.add(reg)
    session.commit()
    item, other = (
        session.exec(select(Evidence).where(Evidence.title == title)).one()
        for title in ("My account of job coaching", "Review note (edited)")
    )
    auth.login(assessor)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert f"This version was {SAID}" in page
    assert 'Version 1</a><br><span class="muted">' + SAID in page
    learners = client.get(f"/evidence/{other.id}").get_data(as_text=True)
    assert "This version was recorded" not in learners and SAID not in learners

    # Leap2A: the entry's author is the sending centre's, as text
    [leap] = [i for i in collect_items(session, report.learner_id) if i.id == item.id]
    assert leap.author == "Assessor 2, recorded at Northfield"

    # the learner's bundle, exported from here: nobody here is its author; the text travels
    out = io.BytesIO()
    store = FileStore(tmp_path / "f")
    write_bundle(session, store, report.learner_id, out, centre="Southfield")
    with zipfile.ZipFile(out) as zf:
        m = json.loads(zf.read(MANIFEST))
        [e, learners] = m["evidence"]
        assert learners["versions"][0]["created_by"] == m["learner"]["email"]
        assert learners["versions"][0].get("recorded_by") is None
        [v1] = e["versions"]
        assert v1["created_by"] is None
        assert v1["recorded_by"] == {
            "name": "Assessor 2",
            "email": ASSESSOR,
            "centre": "Northfield",
        }
        html = zf.read(e["page"]).decode()
        assert SAID.replace("recorded", "Recorded") in html
    again = tmp_path / "again.zip"
    again.write_bytes(out.getvalue())
    with Session(second_db) as s2:
        import_bundle(s2, FileStore(tmp_path / "f2"), again, SYSTEM)
        s2.commit()
        [kept] = s2.exec(select(ReceivedRecord).where(ReceivedRecord.kind == "authorship"))
        assert (kept.by_name, kept.by_email, kept.centre, kept.subject) == (
            "Assessor 2",
            ASSESSOR,
            "Northfield",
            "version 1",
        )


def test_the_sign_off_record_says_a_version_was_recorded_at_the_sending_centre(
    session, tmp_path, make_person, make_registration, make_evidence
) -> None:
    case = build_case(
        session, FileStore(tmp_path / "files"), make_person, make_registration, make_evidence
    )
    session.add(
        ReceivedRecord(
            learner_id=case.learner.id,
            evidence_id=case.account_id,
            kind="authorship",
            subject="version 1",
            outcome="written",
            at=case.signoff.signed_at,
            by_name="Assessor 2",
            by_email=ASSESSOR,
            centre="Northfield",
            signature="unsigned",
        )
    )
    session.commit()
    view = signoff_view(session, case.signoff.id, centre="Here")
    rows = [e for c in view.criteria for e in c.evidence]
    assert rows and {e.recorded for e in rows} == {
        f"recorded at Northfield by Assessor 2 <{ASSESSOR}>, as the bundle it came in states"
    }
    text = _text(build_signoff_docx(view))
    assert f"Recorded at Northfield by Assessor 2 <{ASSESSOR}>" in text


def test_a_draft_recorded_at_the_sending_centre_is_not_called_the_learners(
    session: Session, tmp_path: Path, make_person, client, auth
) -> None:
    """A version never submitted, written by the sending centre's assessor: the page telling
    staff it is a draft does not name the learner as whose it is."""

    def edit(body: bytes) -> bytes:
        m: dict[str, Any] = json.loads(body)
        item = m["evidence"][0]
        item["created_by"] = item["versions"][0]["created_by"] = ASSESSOR
        item["status"], item["submitted_at"] = "draft", None
        item["versions"][0]["declared_at"] = None
        m["signoffs"] = []
        return json.dumps(m).encode()

    path = tmp_path / "draft.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    import_bundle(session, FileStore(tmp_path / "f"), path, SYSTEM)
    session.commit()
    assessor = make_person("assessor")
    reg = session.exec(select(Registration)).one()
    reg.assessor_id = assessor.id
    session.add(reg)
    session.commit()
    item = session.exec(
        select(Evidence).where(Evidence.title == "My account of job coaching")
    ).one()
    auth.login(assessor)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert 'id="private-note"' in page
    assert "it is Learner 1’s" not in page
    assert SAID in page


def test_an_item_recorded_at_the_sending_centre_is_not_the_learners_to_change(
    session: Session, tmp_path: Path, make_person, client, auth
) -> None:
    """Stored with the learner as its author (someone must be), an item the bundle says its
    assessor wrote is still not the learner's: they may not edit it or submit it again under
    their own declaration, in the service, on its page or through the API."""
    path = _observed(tmp_path)
    with zipfile.ZipFile(path) as zf:
        email = json.loads(zf.read(MANIFEST))["learner"]["email"]
    learner = make_person("learner", email=email)  # known here, with a password to log in
    report = import_bundle(session, FileStore(tmp_path / "f"), path, SYSTEM)
    session.commit()
    assert report.learner_id == learner.id
    item, own = (
        session.exec(select(Evidence).where(Evidence.title == title)).one()
        for title in ("My account of job coaching", "Review note (edited)")
    )
    assert item.created_by == learner.id  # as stored: the learner is its author of record
    me = actor_of(learner)
    draft = evidence.Draft(kind=item.kind, title="Mine now", activity_date=item.activity_date)
    with pytest.raises(PermissionDenied, match="recorded at Northfield by Assessor 2"):
        evidence.update(session, actor=me, evidence_id=item.id, expected_version=1, draft=draft)
    with pytest.raises(PermissionDenied):
        evidence.submit(session, actor=me, evidence_id=item.id, declaration=True)
    session.rollback()

    auth.login(learner)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert f"/evidence/{item.id}/edit" not in page
    assert "cannot be changed here" in page
    assert client.get(f"/evidence/{item.id}/edit").status_code == 403
    mine = client.get(f"/evidence/{own.id}").get_data(as_text=True)
    assert f"/evidence/{own.id}/edit" in mine and "cannot be changed here" not in mine

    secret = token_for(session, learner.id)
    current = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id)
    ).one()
    edit = {"title": "Mine now", "activity_date": item.activity_date.isoformat(), "body": "",
            "fields": {}, "current_version": 1, "current_hash": current.sha256}  # fmt: skip
    put = client.put(f"/api/v1/evidence/{item.id}", json=edit, headers=bearer(secret))
    assert put.status_code == 403, put.get_data(as_text=True)
    session.expire_all()
    assert session.get(Evidence, item.id).title == "My account of job coaching"


def test_a_verified_bundles_third_centre_author_is_not_said_to_be_unverified(
    session: Session, tmp_path: Path, make_person, client, auth
) -> None:
    """A verified bundle whose version was written at a third centre (``recorded_by``): the page
    lists that author apart without saying the bundle was not verified."""

    def edit(body: bytes) -> bytes:
        m: dict[str, Any] = json.loads(body)
        m["centre"] = "Northfield"
        v = m["evidence"][0]["versions"][0]
        v["created_by"] = None
        v["recorded_by"] = {"name": "Observer 9", "email": "o9@east.example", "centre": "Eastfield"}
        return json.dumps(m).encode()

    path = tmp_path / "verified.zip"
    path.write_bytes(signed(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit), KEY))
    with zipfile.ZipFile(path) as zf:
        email = json.loads(zf.read(MANIFEST))["learner"]["email"]
    learner = make_person("learner", email=email)
    report = import_bundle(
        session, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()]
    )
    session.commit()
    assert report.signature.state == "verified"
    item = session.exec(
        select(Evidence).where(Evidence.title == "My account of job coaching")
    ).one()
    auth.login(learner)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "recorded at Eastfield by Observer 9" in page
    assert "no key trusted here verified" not in page
    assert "Decisions made at the sending centre" not in page
    assert "verified by a key trusted here" in page
