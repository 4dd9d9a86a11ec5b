"""Bundles carry authority only under a trusted centre's signature.

A signed export verifies; a trusted key gives the decisions their weight; an untrusted key, a
manifest edited after signing (a decision flipped to accepted, a role set to admin, a local
assessor named as the decider) or no signature at all import the evidence and keep the
decisions only as the sending centre's record: not counted, attributed to nobody here. Roles
are never taken from a bundle, and names are checked as any registration's are.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from exports.bundle import MANIFEST, SIGNATURE, check_signature, import_bundle, write_bundle
from mappings.assessment import relearn
from mappings.assessment.decided import learnt_in
from mappings.assessment.models import Claim, Decision, Judgement, ReceivedRecord, SignOff
from mappings.assessment.standing import load_standings
from portfolio.errors import Conflict, Invalid
from portfolio.models import Evidence, EvidenceVersion, Framework, Person, Registration
from portfolio.services import people
from portfolio.services.files import FileStore
from portfolio.services.keys import ensure_key, fingerprint
from portfolio.services.people import SYSTEM
from tests.conftest import migrated_database
from tests.exports.export_case import build_case
from tests.exports.test_bundle import signed

OURS = Ed25519PrivateKey.generate()  # the exporting centre's key
OTHER = Ed25519PrivateKey.generate()  # some other centre's


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def case(session, store, make_person, make_registration, make_evidence):
    return build_case(session, store, make_person, make_registration, make_evidence)


@pytest.fixture
def target(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """The importing centre: the sample framework, an administrator and an assessor of its own."""
    with migrated_database(backend, tmp_path, sample=True) as eng:
        with Session(eng) as s:
            for role in ("admin", "assessor"):
                people.create_person(
                    s, actor=SYSTEM, name=f"Local {role}", email=f"{role}@here.example", roles=role
                )
            s.commit()
        yield eng


def _bundle(session: Session, store: FileStore, learner_id: int, key: Any = OURS) -> bytes:
    out = io.BytesIO()
    write_bundle(session, store, learner_id, out, centre="Northfield", signing_key=key)
    return out.getvalue()


def _edit_manifest(data: bytes, change: Any) -> bytes:
    """The bundle with its manifest edited (its hashes still hold; the signature is kept)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == MANIFEST:
                m = json.loads(body)
                change(m)
                body = json.dumps(m).encode()
            dst.writestr(info, body)
    return out.getvalue()


def _import(engine: Engine, tmp_path: Path, data: bytes, trusted: list[Any]) -> Any:
    path = tmp_path / "in.zip"
    path.write_bytes(data)
    with Session(engine, expire_on_commit=False) as s:
        report = import_bundle(
            s,
            FileStore(tmp_path / "files2"),
            path,
            SYSTEM,
            trusted=[k.public_key() for k in trusted],
        )
        s.commit()
    return report


def _count(s: Session, table: Any, *where: Any) -> int:
    return s.exec(select(func.count()).select_from(table).where(*where)).one()


def _met(s: Session) -> float:
    """The imported learner's share of criteria met here, by the centre's own coverage."""
    reg = s.exec(select(Registration)).one()
    [standing] = load_standings(s, [reg.id or 0])
    return standing.percent_met


def _nothing_counted(s: Session, learner_email: str) -> None:
    """Evidence imported whole; no decision, judgement or sign-off; nobody made or given a role."""
    assert _count(s, Evidence) == 2 and _count(s, EvidenceVersion) == 3
    assert _count(s, Decision) == _count(s, Judgement) == _count(s, SignOff) == 0
    assert set(s.exec(select(Claim.status))) == {"claimed"}
    assert set(s.exec(select(Claim.decided_by))) == {None}
    assert _met(s) == 0
    assert sorted(s.exec(select(Person.email, Person.roles))) == [
        ("admin@here.example", "admin"),
        ("assessor@here.example", "assessor"),
        (learner_email, "learner"),
    ]
    assert s.exec(select(Registration.assessor_id, Registration.iqa_id)).one() == (None, None)
    assert _count(s, ReceivedRecord) > 0


def test_a_signed_export_verifies_against_its_key_only(session, store, case) -> None:
    data = _bundle(session, store, case.learner.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = zf.read(MANIFEST)
        signature = json.loads(zf.read(SIGNATURE))
        assert SIGNATURE not in json.loads(manifest)["files"]
        ours = check_signature(zf, manifest, [OTHER.public_key(), OURS.public_key()])
        theirs = check_signature(zf, manifest, [OTHER.public_key()])
        nobody = check_signature(zf, manifest, [])
    assert signature["key_fingerprint"] == fingerprint(OURS.public_key())
    assert ours.verified and ours.key == fingerprint(OURS.public_key())
    assert ours.message == f"Signature verified with the trusted key {ours.key}."
    assert theirs.state == nobody.state == "untrusted" and not theirs.verified
    assert f"made by the key {fingerprint(OURS.public_key())}, not trusted here" in theirs.message


def test_trusted_key_decisions_count_and_nobody_gains_a_role(
    session, store, case, tmp_path, target
) -> None:
    report = _import(target, tmp_path, _bundle(session, store, case.learner.id), [OTHER, OURS])
    assert report.signature.verified and report.received == 0
    assert f"Signature verified with the trusted key {fingerprint(OURS.public_key())}" in (
        report.message
    )
    with Session(target) as s:
        assert _count(s, Decision) == report.counts["decisions"] > 0
        assert _count(s, Judgement) == _count(s, SignOff) == 1
        assert _count(s, Claim, Claim.status == "accepted") > 0
        assert _met(s) > 0
        assert _count(s, ReceivedRecord) == 0
        # the sending centre's assessor is the author of its decisions, without any role here
        assessor = s.exec(select(Person).where(Person.email == case.assessor.email)).one()
        assert assessor.roles == "" and not assessor.active and not assessor.password_hash
        assert _count(s, Decision, Decision.actor_id == assessor.id) == report.counts["decisions"]
        learner = s.exec(select(Person).where(Person.email == case.learner.email)).one()
        assert learner.roles == "learner"


@pytest.mark.parametrize("who", ["untrusted key", "unsigned"])
def test_untrusted_or_unsigned_decisions_are_recorded_not_counted_not_attributed(
    session, store, case, tmp_path, target, who
) -> None:
    key = OTHER if who == "untrusted key" else None
    report = _import(target, tmp_path, _bundle(session, store, case.learner.id, key), [OURS])
    assert report.signature.state == ("untrusted" if key else "unsigned")
    assert "not counted here" in report.message
    assert report.people_created == [case.learner.email]
    with Session(target) as s:
        _nothing_counted(s, case.learner.email)
        kept = s.exec(select(ReceivedRecord).order_by(ReceivedRecord.id)).all()
        assert {r.kind for r in kept} == {"decision", "judgement", "sign-off"}
        assert len(kept) == report.received
        decisions = [r for r in kept if r.kind == "decision"]
        assert {(r.by_name, r.by_email) for r in decisions} == {
            (case.assessor.name, case.assessor.email)
        }
        assert {r.outcome for r in decisions} == {"accepted", "referred"}
        assert "Say more about the employer." in {r.note for r in decisions}
        assert {r.centre for r in kept} == {"Northfield"}
        assert {r.key_fingerprint for r in kept} == {
            fingerprint(OTHER.public_key()) if key else None
        }


def test_an_edited_manifest_under_a_trusted_key_counts_nothing_and_gives_no_role(
    session, store, case, tmp_path, target
) -> None:
    """A referral flipped to accepted, the learner made admin, a local assessor named as the
    decider: the signature no longer verifies, so none of it takes effect."""

    def forge(m: dict[str, Any]) -> None:
        m["learner"]["roles"] = ["admin", "assessor"]
        for p in m["people"]:
            p["roles"] = ["admin"]
        m["people"].append(
            {"email": "assessor@here.example", "name": "Local assessor", "roles": ["admin"]}
        )
        for c in m["claims"]:
            c["status"] = "accepted"
            for d in c["decisions"]:
                d["new_status"] = "accepted"
                d["actor"] = "assessor@here.example"

    data = _edit_manifest(_bundle(session, store, case.learner.id), forge)
    report = _import(target, tmp_path, data, [OURS])
    assert report.signature.state == "invalid" and not report.signature.verified
    assert "the manifest was changed after signing" in report.message
    with Session(target) as s:
        _nothing_counted(s, case.learner.email)
        local = s.exec(select(Person).where(Person.email == "assessor@here.example")).one()
        assert local.roles == "assessor"
        assert _count(s, Decision, Decision.actor_id == local.id) == 0
        forged = s.exec(select(ReceivedRecord).where(ReceivedRecord.kind == "decision")).all()
        # kept as the bundle says, as text: the name is the bundle's, not a link to the person
        assert {(r.by_email, r.outcome, r.signature) for r in forged} == {
            ("assessor@here.example", "accepted", "invalid")
        }


@pytest.mark.parametrize("key", [None, "ours"])
def test_a_bundle_never_makes_its_learner_their_own_assessor_or_iqa(
    session, store, case, tmp_path, target, key
) -> None:
    """Unsigned, or signed by a trusted key after the edit: the registration it makes has nobody
    allocated rather than the learner."""

    def forge(m: dict[str, Any]) -> None:
        for r in m["registrations"]:
            r["assessor"] = r["iqa"] = m["learner"]["email"]

    data = _edit_manifest(_bundle(session, store, case.learner.id, None), forge)
    if key:
        data = signed(data, OURS)
    report = _import(target, tmp_path, data, [OURS])
    assert report.signature.state == ("verified" if key else "unsigned")
    with Session(target) as s:
        learner = s.exec(select(Person).where(Person.email == case.learner.email)).one()
        [reg] = s.exec(select(Registration).where(Registration.learner_id == learner.id)).all()
        assert (reg.assessor_id, reg.iqa_id) == (None, None)


def test_hashes_that_fail_are_refused_whatever_the_signature(
    session, store, case, tmp_path, target
) -> None:
    def edit_body(m: dict[str, Any]) -> None:
        m["evidence"][0]["versions"][0]["body"] += " (edited)"

    data = _edit_manifest(_bundle(session, store, case.learner.id), edit_body)
    with pytest.raises(Invalid, match="does not match its SHA-256"):
        _import(target, tmp_path, data, [OURS])
    with Session(target) as s:
        assert _count(s, Evidence) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Mallory\u202eknup", "control characters"),
        ("Line\nbreak", "control characters"),
        ("x" * 201, "at most 200 characters"),
        ("   ", "A name is required"),
    ],
)
def test_names_in_a_bundle_are_checked_like_any_registration(
    session, store, case, tmp_path, target, name, message
) -> None:
    def rename(m: dict[str, Any]) -> None:
        m["people"][0]["name"] = name

    data = _edit_manifest(_bundle(session, store, case.learner.id), rename)
    with pytest.raises(Invalid, match=message) as refused:
        _import(target, tmp_path, data, [OURS])
    assert str(refused.value).startswith("Bundle refused: manifest.json, person")
    with Session(target) as s:
        assert _count(s, Person) == 2 and _count(s, Evidence) == 0


def test_a_bundle_whose_learner_is_a_local_non_learner_is_refused(
    session, store, case, tmp_path, target
) -> None:
    def hijack(m: dict[str, Any]) -> None:
        m["people"] = [p for p in m["people"] if p["email"] != m["learner"]["email"]]
        old = m["learner"]["email"]
        m["learner"]["email"] = "admin@here.example"
        for e in m["evidence"]:
            e["created_by"] = None if e["created_by"] == old else e["created_by"]
            for v in e["versions"]:
                v["created_by"] = None if v["created_by"] == old else v["created_by"]
        for c in m["claims"]:
            c["claimed_by"] = None if c["claimed_by"] == old else c["claimed_by"]

    data = _edit_manifest(_bundle(session, store, case.learner.id), hijack)
    with pytest.raises(Invalid, match="is someone here who is not a learner"):
        _import(target, tmp_path, data, [OURS])


def test_the_centre_key_is_made_once_private_and_never_overwritten(tmp_path) -> None:
    path = tmp_path / "instance" / "centre-signing-key.pem"
    key, made = ensure_key(path)
    assert made and stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    again, made_again = ensure_key(path)
    assert not made_again and path.read_bytes() == before
    assert fingerprint(again.public_key()) == fingerprint(key.public_key())
    path.write_bytes(b"damaged")
    with pytest.raises(Invalid, match="not a readable private key"):
        ensure_key(path)
    assert path.read_bytes() == b"damaged"


def test_the_sending_centres_record_is_shown_on_the_evidence_page(
    client, auth, session, tmp_path, make_person
) -> None:
    """Imported unsigned into this database, then given a local assessor: the page shows the
    sending centre's decisions apart, and none of them as a decision here."""
    from tests.exports.test_bundle import OLD_BUNDLE

    report = import_bundle(session, FileStore(tmp_path / "f"), OLD_BUNDLE, SYSTEM)
    session.commit()
    assessor = make_person("assessor")
    reg = session.exec(
        select(Registration).where(Registration.learner_id == report.learner_id)
    ).one()
    reg.assessor_id = assessor.id
    session.add(reg)
    session.commit()
    item = session.exec(
        select(Evidence).where(
            Evidence.learner_id == report.learner_id, Evidence.title == "My account of job coaching"
        )
    ).one()
    auth.login(assessor)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Decisions made at the sending centre (not counted here)" in page
    assert "Assessor 2 &lt;assessor2-52f538@test.example&gt;" in page
    assert "Say more about the employer." in page and "Northfield" in page


def test_an_unverified_bundles_author_other_than_the_learner_is_kept_as_text(
    session, store, case, tmp_path, target
) -> None:
    """An observation record written by the sending centre's assessor: the version is imported
    under the learner's portfolio, and who wrote it is said beside it, attributed to nobody."""

    def by_assessor(m: dict[str, Any]) -> None:
        m["evidence"][0]["versions"][0]["created_by"] = case.assessor.email

    data = _edit_manifest(_bundle(session, store, case.learner.id, None), by_assessor)
    _import(target, tmp_path, data, [OURS])
    with Session(target) as s:
        [author] = s.exec(select(ReceivedRecord).where(ReceivedRecord.kind == "authorship")).all()
        assert (author.by_name, author.by_email, author.subject) == (
            case.assessor.name,
            case.assessor.email,
            "version 1",
        )
        learner = s.exec(select(Person).where(Person.email == case.learner.email)).one()
        assert set(s.exec(select(EvidenceVersion.created_by))) == {learner.id}
        assert _count(s, Person, Person.email == case.assessor.email) == 0


def test_a_damaged_signature_verifies_nothing(session, store, case) -> None:
    data = _bundle(session, store, case.learner.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest, signature = zf.read(MANIFEST), json.loads(zf.read(SIGNATURE))
    for damage, reason in (
        ({"signature": "not base64!"}, "signature.json is damaged"),
        ({"signature": signature["signature"][:-4] + "AAA="}, "changed after signing"),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            dst.writestr(MANIFEST, manifest)
            dst.writestr(SIGNATURE, json.dumps({**signature, **damage}))
        with zipfile.ZipFile(out) as zf:
            found = check_signature(zf, manifest, [OURS.public_key()])
        assert found.state == "invalid" and reason in found.message


@pytest.mark.parametrize("trusted", [True, False])
def test_a_trusted_import_notes_the_frameworks_it_recreated_decisions_in(
    session, store, case, tmp_path, target, trusted
) -> None:
    """Recreated decisions teach the engine as a decision made here does: the import notes their
    framework on the session (relearnt once the caller commits, :mod:`delivery.web.learning`);
    an untrusted import recreates no decision and notes none, and a refused one notes none."""
    data = _bundle(session, store, case.learner.id)
    path = tmp_path / "in.zip"
    path.write_bytes(data)
    keys = [OURS.public_key()] if trusted else []
    with Session(target, expire_on_commit=False) as s:
        import_bundle(s, FileStore(tmp_path / "files2"), path, SYSTEM, trusted=keys)
        se = s.exec(select(Framework.id).where(Framework.code == "SE")).one()
        assert learnt_in(s) == ([se] if trusted else [])
        s.commit()
        # the relearning job starts from the recreated decisions, as from decisions made here
        newest = s.exec(select(func.max(Decision.id))).one() or 0
        assert relearn.newest_in(s, [se]) == newest and (newest > 0) == trusted
    with Session(target, expire_on_commit=False) as s:
        with pytest.raises(Conflict):  # already imported: nothing written, nothing to learn
            import_bundle(s, FileStore(tmp_path / "files2"), path, SYSTEM, trusted=keys)
        assert learnt_in(s) == []
