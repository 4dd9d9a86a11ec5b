"""The portable portfolio bundle: contents, round trip between two databases, tampering refused.

Bundles are signed by the exporting centre (tests/exports/test_bundle_signing.py covers what an
unverified one may and may not do); a round trip here trusts the exporting key."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from exports.bundle import MANIFEST, SIGNATURE, import_bundle, signature_json, write_bundle
from mappings.assessment.models import Claim, Decision, Judgement, ReceivedRecord, SignOff
from mappings.assessment.signoff import frozen_evidence_intact
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import Evidence, Person
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from portfolio.services.registration_standards import CENTRE
from portfolio.words import local
from tests.conftest import actor_of, migrated_database
from tests.exports.export_case import build_case


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def case(session, store, make_person, make_registration, make_evidence):
    return build_case(session, store, make_person, make_registration, make_evidence)


KEY = Ed25519PrivateKey.generate()  # the exporting centre's, in these tests


def _bundle(session: Session, store: FileStore, learner_id: int, **kw: Any) -> bytes:
    out = io.BytesIO()
    write_bundle(session, store, learner_id, out, centre="Northfield", signing_key=KEY, **kw)
    return out.getvalue()


def signed(data: bytes, key: Ed25519PrivateKey = KEY) -> bytes:
    """The bundle ``data`` with its manifest (as it is in the zip) signed by ``key``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != SIGNATURE:
                dst.writestr(info, src.read(info.filename))
        dst.writestr(SIGNATURE, signature_json(key, src.read(MANIFEST)))
    return out.getvalue()


@pytest.fixture
def second_db(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


@pytest.fixture
def empty_db(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with migrated_database(backend, tmp_path) as eng:
        yield eng


def test_bundle_holds_pages_files_documents_and_a_complete_manifest(session, store, case) -> None:
    data = _bundle(session, store, case.learner.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read(MANIFEST))
        signature = json.loads(zf.read(SIGNATURE))
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
        index = zf.read("index.html").decode()
        page = zf.read(f"evidence/E{case.note_id}.html").decode()
        account = zf.read(f"evidence/E{case.account_id}.html").decode()
    assert names == set(manifest["files"]) | {MANIFEST, SIGNATURE}
    assert signature["algorithm"] == "Ed25519" and signature["key_fingerprint"].startswith(
        "sha256:"
    )
    assert "<script" not in index and "<script" not in page
    assert "My account of job coaching" in index and "SE03" in index
    assert case.signoff.document_id in index
    assert "<em>Reviewed</em> again." in page and "<em>Reviewed</em>." in page  # both versions
    assert 'href="../attachments/' in account and "notes.txt" in account
    assert manifest["schema_version"] == 1
    assert manifest["learner"]["email"] == case.learner.email
    [fw] = manifest["frameworks"]
    assert fw["code"] == "SE" and len(fw["content_hash"]) == 64
    assert fw["spec"]["format"] == "competence-framework"
    by_id = {e["id"]: e for e in manifest["evidence"]}
    assert [v["number"] for v in by_id[case.note_id]["versions"]] == [1, 2]
    [att] = by_id[case.account_id]["versions"][0]["attachments"]
    assert att["filename"] == "notes.txt" and att["size"] > 0
    assert manifest["files"][att["path"]] == att["sha256"]
    assert any(len(c["decisions"]) == 2 for c in manifest["claims"])
    assert len(manifest["judgements"]) == 1
    [so] = manifest["signoffs"]
    assert so["evidence_set_sha256"] == case.signoff.evidence_set_sha256
    assert so["document"] in names and so["evidence"][0]["ref"] == f"E{case.account_id}v1"


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _words(day: date) -> str:
    return f"{day.day} {day:%b} {day.year}"  # "6 Dec 2026"


def test_the_pages_speak_in_words_and_the_manifest_keeps_its_values(session, store, case) -> None:
    """The learner reads the pages: days in words, no ids or hashes; ``manifest.json`` keeps the
    machine values (ISO times, ids, hashes) that an importing centre reads."""
    data = _bundle(session, store, case.learner.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        index = zf.read("index.html").decode()
        pages = [zf.read(f"evidence/E{i}.html").decode() for i in (case.note_id, case.account_id)]
    [reg] = manifest["registrations"]
    [so] = manifest["signoffs"]
    signed_at = datetime.fromisoformat(so["signed_at"])
    assert ISO_DAY.match(so["signed_at"]) and ISO_DAY.fullmatch(reg["start_date"])
    for page in (index, *pages):
        assert not ISO_DAY.search(page), ISO_DAY.findall(page)
        assert so["evidence_set_sha256"] not in page
        assert "text/plain" not in page
    assert f"registration {reg['id']}" not in index
    assert f"registered from {_words(date.fromisoformat(reg['start_date']))}" in index
    signed_on = local(signed_at, CENTRE).date()  # the centre's day (the tests' TIME_ZONE)
    assert f">{_words(signed_on)}</a>" in index  # the standard's sign-off, a day
    there = local(signed_at, CENTRE)  # its time on the centre's clock, named by the zone
    assert f"{_words(there.date())}, {there:%H:%M %Z}" in index and " UTC" not in index
    [account] = [e for e in manifest["evidence"] if e["id"] == case.account_id]
    activity = date.fromisoformat(account["activity_date"])
    assert f"<td>{_words(activity)}</td>" in index
    assert f"activity on {_words(activity)}" in pages[1]
    declared = datetime.fromisoformat(account["versions"][0]["declared_at"])
    declared = local(declared, CENTRE)
    assert f"own work {_words(declared.date())}, {declared:%H:%M %Z}" in pages[1]
    assert "(text, " in pages[1]


def test_who_may_export_a_bundle(session, store, case, make_person) -> None:
    for who in (case.learner, case.assessor):
        assert _bundle(session, store, case.learner.id, actor=actor_of(who))
    for who in (case.iqa, make_person("learner"), make_person("assessor")):
        with pytest.raises(NotFound):
            _bundle(session, store, case.learner.id, actor=actor_of(who))


def test_the_learners_own_bundle_leaves_out_their_assessors_draft(
    session, store, case, make_evidence
) -> None:
    """A version not yet submitted is its author's alone, whoever exports: the learner's bundle
    leaves out the assessor's observation record still in draft, and keeps the learner's own."""
    make_evidence(
        case.learner,
        kind="observation_record",
        title="Unsent",
        body="PRIVATE NOTES",
        submit=False,
        author=case.assessor,
    )
    make_evidence(case.learner, title="Mine", body="MY OWN DRAFT", submit=False)
    for who, shown in ((case.learner, "MY OWN DRAFT"), (case.assessor, "PRIVATE NOTES")):
        data = _bundle(session, store, case.learner.id, actor=actor_of(who))
        manifest = zipfile.ZipFile(io.BytesIO(data)).read(MANIFEST).decode()
        hidden = {"MY OWN DRAFT", "PRIVATE NOTES"} - {shown}
        assert shown in manifest and not any(text in manifest for text in hidden)


def _normalise(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest without generated times, database ids and id-derived names, nor roles
    (never taken from a bundle: its assessor is imported as a person without one)."""
    m = json.loads(json.dumps(manifest))
    for p in [m["learner"], *m["people"]]:
        p.pop("roles")
    ev = {e["id"]: i for i, e in enumerate(m["evidence"])}
    regs = {r["id"]: i for i, r in enumerate(m["registrations"])}
    for key in ("generated_at", "files"):
        m.pop(key)
    for e in m["evidence"]:
        e["id"] = ev[e["id"]]
        e.pop("page")
    for c in m["claims"]:
        c.pop("id")
        c["evidence_id"] = ev[c["evidence_id"]]
    for j in m["judgements"]:
        j["evidence_id"] = ev[j["evidence_id"]]
    for r in m["registrations"]:
        r["id"] = regs[r["id"]]
    for s in m["signoffs"]:
        s.pop("id")
        s.pop("document")
        s["registration_id"] = regs[s["registration_id"]]
        for e in s["evidence"]:
            e["evidence_id"] = ev[e["evidence_id"]]
            e.pop("ref")
    return m


def _attachments(manifest: dict[str, Any]) -> list[str]:
    return sorted(v for k, v in manifest["files"].items() if k.startswith("attachments/"))


@pytest.mark.parametrize("target", ["second_db", "empty_db"])
def test_round_trip_between_two_databases_loses_nothing(
    request, session, store, case, tmp_path, target
) -> None:
    engine2: Engine = request.getfixturevalue(target)
    out1 = io.BytesIO()
    first = write_bundle(
        session, store, case.learner.id, out1, centre="Northfield", signing_key=KEY
    )
    path = tmp_path / "bundle.zip"
    path.write_bytes(out1.getvalue())
    store2 = FileStore(tmp_path / "files2")
    with Session(engine2, expire_on_commit=False) as s2:
        report = import_bundle(s2, store2, path, SYSTEM, trusted=[KEY.public_key()])
        s2.commit()
        assert report.signature.verified and report.received == 0
        assert report.learner_created and report.counts["evidence"] == 2
        # one claim undecided, one decided twice (referred, then accepted)
        assert report.counts["decisions"] == report.counts["claims"]
        assert report.frameworks_imported == ([] if target == "second_db" else ["SE v1"])
        record = s2.exec(select(SignOff)).one()
        assert frozen_evidence_intact(s2, record.id) == []
        # both declarations as made: the words, and who made the learner's
        original = session.get(SignOff, case.signoff.id)
        assert original.learner_wording and original.assessor_wording
        assert (record.learner_wording, record.assessor_wording) == (
            original.learner_wording,
            original.assessor_wording,
        )
        assert record.learner_id == report.learner_id
        out2 = io.BytesIO()
        second = write_bundle(s2, store2, report.learner_id, out2, centre="Northfield")
    assert _normalise(second) == _normalise(first)
    assert _attachments(second) == _attachments(first)
    assert len(second["files"]) == len(first["files"])

    # the same bundle again is refused, and nothing more is written
    with Session(engine2) as s2:
        with pytest.raises(Conflict, match="already imported"):
            import_bundle(s2, store2, path, SYSTEM, trusted=[KEY.public_key()])
        s2.rollback()
        assert s2.exec(select(func.count()).select_from(Evidence)).one() == 2


def _rewrite(data: bytes, name: str, change: Any) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, change(body) if info.filename == name else body)
    return out.getvalue()


def _flip(body: bytes) -> bytes:
    return bytes([body[0] ^ 1]) + body[1:]


def test_tampered_attachment_refuses_the_whole_bundle(
    session, store, case, tmp_path, second_db
) -> None:
    data = _bundle(session, store, case.learner.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    target = next(n for n in manifest["files"] if n.startswith("attachments/"))
    store2 = FileStore(tmp_path / "files2")
    cases = {
        "changed": (_rewrite(data, target, _flip), f"{target} does not match"),
        "missing": (_drop(data, target), "missing"),
        "unlisted": (_add(data, "evil.html", b"<p>hi</p>"), "evil.html is not listed"),
    }
    for label, (blob, message) in cases.items():
        path = tmp_path / f"{label}.zip"
        path.write_bytes(blob)
        with Session(second_db) as s2:
            with pytest.raises(Invalid, match=message):
                import_bundle(s2, store2, path, SYSTEM)
            s2.rollback()
            assert s2.exec(select(Person).where(Person.email == case.learner.email)).first() is None
            assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
    assert not (tmp_path / "files2").exists() or not any((tmp_path / "files2").rglob("*"))


def test_one_raw_byte_changed_in_the_zip_is_refused(session, store, case, tmp_path, second_db):
    data = bytearray(_bundle(session, store, case.learner.id))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = next(i for i in zf.infolist() if i.filename.startswith("attachments/"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path = tmp_path / "raw.zip"
    path.write_bytes(bytes(data))
    with Session(second_db) as s2, pytest.raises(Invalid, match=info.filename):
        import_bundle(s2, FileStore(tmp_path / "f"), path, SYSTEM)


def test_changed_evidence_text_in_the_manifest_is_refused(
    session, store, case, tmp_path, second_db
) -> None:
    data = _bundle(session, store, case.learner.id)

    def change(body: bytes) -> bytes:
        m = json.loads(body)
        m["evidence"][0]["versions"][0]["body"] += " (edited)"
        return json.dumps(m).encode()

    path = tmp_path / "m.zip"
    path.write_bytes(_rewrite(data, MANIFEST, change))
    with Session(second_db) as s2, pytest.raises(Invalid, match="does not match its SHA-256"):
        import_bundle(s2, FileStore(tmp_path / "f"), path, SYSTEM)


def test_only_administrators_import(session, store, case, tmp_path, second_db) -> None:
    path = tmp_path / "b.zip"
    path.write_bytes(_bundle(session, store, case.learner.id))
    with Session(second_db) as s2, pytest.raises(PermissionDenied):
        import_bundle(s2, FileStore(tmp_path / "f"), path, actor_of(case.assessor))
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"hello")
    with Session(second_db) as s2, pytest.raises(Invalid, match="not a zip"):
        import_bundle(s2, FileStore(tmp_path / "f"), not_zip, SYSTEM)


def _drop(data: bytes, name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def _add(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr(name, body)
    return out.getvalue()


DATA = Path(__file__).parent / "data"
OLD_BUNDLE = DATA / "bundle_v1.zip"  # written by the code of f70ef13, before the manifest model


def _count(session: Session, table: Any) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.mark.parametrize("target", ["second_db", "empty_db"])
def test_an_unsigned_bundle_of_the_earlier_code_imports_without_authority(
    request, backend, tmp_path, target
) -> None:
    """Its evidence, versions, files and hashes come in; its decisions are the sending centre's
    record, counted nowhere; nobody but its learner is created, and as a learner."""
    engine2: Engine = request.getfixturevalue(target)
    old = json.loads((DATA / "bundle_v1_manifest.json").read_bytes())
    store2 = FileStore(tmp_path / "files2")
    with Session(engine2, expire_on_commit=False) as s2:
        report = import_bundle(s2, store2, OLD_BUNDLE, SYSTEM, trusted=[KEY.public_key()])
        s2.commit()
        assert report.signature.state == "unsigned" and not report.signature.verified
        assert "Signature not verified: the bundle is not signed." in report.message
        assert report.counts == {
            "registrations": 1,
            "evidence": 2,
            "versions": 3,
            "attachments": 1,
            "claims": len(old["claims"]),
            "decisions": 0,
            "judgements": 0,
            "sign-offs": 0,
        }
        decisions = sum(len(c["decisions"]) for c in old["claims"])
        assert report.received == decisions + 1 + 1  # and the judgement and the sign-off
        assert report.people_created == [old["learner"]["email"]]
        assert _count(s2, Decision) == _count(s2, Judgement) == _count(s2, SignOff) == 0
        assert set(s2.exec(select(Claim.status))) == {"claimed"}
        assert s2.exec(select(Person.email, Person.roles)).all() == [
            (old["learner"]["email"], "learner")
        ]
        kept = s2.exec(select(ReceivedRecord).where(ReceivedRecord.kind == "decision")).all()
        assert {(r.by_name, r.by_email) for r in kept} == {
            ("Assessor 2", "assessor2-52f538@test.example")
        }
        assert {r.signature for r in kept} == {"unsigned"} and kept[0].centre == "Northfield"
        assert "Say more about the employer." in {r.note for r in kept}


@pytest.mark.parametrize("target", ["second_db", "empty_db"])
def test_a_bundle_written_by_the_earlier_code_still_imports(
    request, backend, tmp_path, target
) -> None:
    """Signed afterwards by a trusted key, the earlier bundle comes back whole."""
    engine2: Engine = request.getfixturevalue(target)
    old = json.loads((DATA / "bundle_v1_manifest.json").read_bytes())
    with zipfile.ZipFile(OLD_BUNDLE) as zf:
        assert json.loads(zf.read(MANIFEST)) == old
    path = tmp_path / "signed.zip"
    path.write_bytes(signed(OLD_BUNDLE.read_bytes()))
    store2 = FileStore(tmp_path / "files2")
    with Session(engine2, expire_on_commit=False) as s2:
        report = import_bundle(s2, store2, path, SYSTEM, trusted=[KEY.public_key()])
        s2.commit()
        assert report.signature.verified
        assert report.learner_email == old["learner"]["email"] and report.learner_created
        assert report.counts == {
            "registrations": 1,
            "evidence": 2,
            "versions": 3,
            "attachments": 1,
            "claims": len(old["claims"]),
            "decisions": sum(len(c["decisions"]) for c in old["claims"]),
            "judgements": 1,
            "sign-offs": 1,
        }
        record = s2.exec(select(SignOff)).one()
        assert frozen_evidence_intact(s2, record.id) == []
        again = write_bundle(s2, store2, report.learner_id, io.BytesIO(), centre="Northfield")
    # written again by this code, it is the same manifest: same keys, same value formats
    assert _normalise(again) == _normalise(old)
    assert _attachments(again) == _attachments(old)


def _import_changed(tmp_path: Path, engine2: Engine, change: Any) -> Invalid:
    """Import the earlier bundle with its manifest changed; the refusal, after checking that
    nothing was written."""

    def edit(body: bytes) -> bytes:
        m = json.loads(body)
        change(m)
        return json.dumps(m).encode()

    path = tmp_path / "changed.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    store2 = FileStore(tmp_path / "files2")
    with Session(engine2) as s2:
        with pytest.raises(Invalid) as refused:
            import_bundle(s2, store2, path, SYSTEM)
        s2.rollback()
        assert s2.exec(select(func.count()).select_from(Person)).one() == 0
        assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
    assert not store2.root.exists() or not any(store2.root.rglob("*"))
    return refused.value


def test_bad_or_missing_fields_refuse_the_bundle_naming_the_record(tmp_path, empty_db) -> None:
    def no_title(m: dict[str, Any]) -> None:
        del m["evidence"][1]["versions"][0]["title"]

    def text_revision(m: dict[str, Any]) -> None:
        m["claims"][2]["revision"] = "2"

    def bad_time(m: dict[str, Any]) -> None:
        m["signoffs"][0]["signed_at"] = "yesterday"

    def stranger(m: dict[str, Any]) -> None:
        m["judgements"][0]["actor"] = "nobody@example.org"

    def lost_version(m: dict[str, Any]) -> None:
        m["signoffs"][0]["evidence"][0]["version"] = 7

    old = json.loads((DATA / "bundle_v1_manifest.json").read_bytes())
    second, claim, so = old["evidence"][1]["id"], old["claims"][2]["id"], old["signoffs"][0]
    frozen = so["evidence"][0]
    cases = {
        no_title: f"evidence {second}, version 1: title is missing",
        text_revision: f"claim {claim}: revision: input should be a valid integer",
        bad_time: f"sign-off {so['document_id']}: signed_at: invalid isoformat string",
        stranger: "judgement #1: actor nobody@example.org is not among the people",
        lost_version: f"sign-off {so['document_id']}: frozen evidence "
        f"E{frozen['evidence_id']}v7 is not in the bundle",
    }
    for change, message in cases.items():
        refused = _import_changed(tmp_path, empty_db, change)
        assert str(refused).startswith(f"Bundle refused: manifest.json, {message}"), refused
        assert str(refused).endswith("Nothing was imported.")


def test_frozen_evidence_is_read_by_its_typed_pair_not_its_ref(tmp_path, empty_db) -> None:
    """``ref`` is written for people reading the JSON; the reader never parses it back."""

    def scramble(body: bytes) -> bytes:
        m = json.loads(body)
        for s in m["signoffs"]:
            for e in s["evidence"]:
                e["ref"] = "not a reference"
        return json.dumps(m).encode()

    path = tmp_path / "refs.zip"
    path.write_bytes(signed(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, scramble)))
    with Session(empty_db, expire_on_commit=False) as s2:
        report = import_bundle(
            s2, FileStore(tmp_path / "files2"), path, SYSTEM, trusted=[KEY.public_key()]
        )
        record = s2.exec(select(SignOff)).one()
        assert frozen_evidence_intact(s2, record.id) == []
        again = write_bundle(s2, FileStore(tmp_path / "files2"), report.learner_id, io.BytesIO())
    [so] = again["signoffs"]
    assert [e["ref"] for e in so["evidence"]] == [
        f"E{e['evidence_id']}v{e['version']}" for e in so["evidence"]
    ]
