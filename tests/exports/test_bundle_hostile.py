"""Bundles from outside that are wrong in ways a hash cannot catch: the importer refuses each
with words naming the record, and writes nothing (a bundle's hashes are not a secret: whoever
changes a record can compute them again)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from exports.bundle import MANIFEST, import_bundle
from exports.bundle.check import stated_hashes
from framework.export_json import framework_from_json
from mappings.assessment.models import Decision
from portfolio.errors import Invalid
from portfolio.models import Evidence, Framework, Person
from portfolio.services.evidence import version_hash
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import migrated_database
from tests.exports.test_bundle import KEY, OLD_BUNDLE, _rewrite, signed


@pytest.fixture
def empty_db(backend: str, tmp_path: Path) -> Any:
    with migrated_database(backend, tmp_path) as eng:
        yield eng


def _rehashed(m: dict[str, Any]) -> None:
    """Every version's hash made again for its changed content, as anyone can."""
    for item in m["evidence"]:
        for v in item["versions"]:
            v["sha256"] = version_hash(
                item["kind"],
                v["title"],
                date.fromisoformat(v["activity_date"]),
                v["body"],
                v["fields"],
                [a["sha256"] for a in v["attachments"]],
            )


def refused(tmp_path: Path, engine: Engine, change: Any) -> str:
    """The refusal of the earlier bundle changed by ``change``, after checking that nothing
    was written."""

    def edit(body: bytes) -> bytes:
        m = json.loads(body)
        change(m)
        _rehashed(m)
        return json.dumps(m).encode()

    path = tmp_path / "changed.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    store = FileStore(tmp_path / "files2")
    with Session(engine) as s2:
        with pytest.raises(Invalid) as caught:
            import_bundle(s2, store, path, SYSTEM)
        s2.rollback()
        assert s2.exec(select(func.count()).select_from(Person)).one() == 0
        assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
    assert not store.root.exists() or not any(store.root.rglob("*"))
    message = str(caught.value)
    assert message.startswith("Bundle refused: manifest.json"), message
    return message


def test_a_time_without_its_zone_or_out_of_range_is_refused_naming_the_record(
    tmp_path, empty_db
) -> None:
    old = json.loads(Path(OLD_BUNDLE.with_name("bundle_v1_manifest.json")).read_bytes())
    first = old["evidence"][0]["id"]

    def naive(m: dict[str, Any]) -> None:
        m["evidence"][0]["created_at"] = "2020-01-01T00:00:00"

    def past_the_calendar(m: dict[str, Any]) -> None:
        m["evidence"][0]["created_at"] = "9999-12-31T23:59:59-05:00"

    assert f"evidence {first}: created_at: " in refused(tmp_path, empty_db, naive)
    assert "time zone" in refused(tmp_path, empty_db, naive)
    assert f"evidence {first}: created_at: " in refused(tmp_path, empty_db, past_the_calendar)


def test_a_record_given_twice_is_refused_naming_it(tmp_path, empty_db) -> None:
    """Ids link records inside the manifest: one given to two records cannot be followed, and
    a version number or a claim twice could not be stored."""

    def evidence_twice(m: dict[str, Any]) -> None:
        m["evidence"].append({**m["evidence"][0], "title": "Another item"})

    def version_twice(m: dict[str, Any]) -> None:
        m["evidence"][1]["versions"][0]["number"] = 2

    def claim_twice(m: dict[str, Any]) -> None:
        m["claims"].append({**m["claims"][0], "id": 99})

    def registration_twice(m: dict[str, Any]) -> None:
        m["registrations"].append(m["registrations"][0])

    assert "evidence 1 is given twice" in refused(tmp_path, empty_db, evidence_twice)
    assert "evidence 2: version 2 is given twice" in refused(tmp_path, empty_db, version_twice)
    assert "claim 99: evidence 1 is claimed against SE03 P1 twice" in refused(
        tmp_path, empty_db, claim_twice
    )
    assert "registration 1 is given twice" in refused(tmp_path, empty_db, registration_twice)


def test_a_kind_or_status_this_program_does_not_have_is_refused_naming_the_record(
    tmp_path, empty_db
) -> None:
    """Imported, such an item broke every page showing it (its kind has no name here)."""

    def kind(m: dict[str, Any]) -> None:
        m["evidence"][0]["kind"] = "blog_post"

    def status(m: dict[str, Any]) -> None:
        m["evidence"][0]["status"] = "approved"

    def current(m: dict[str, Any]) -> None:
        m["evidence"][0]["current_version"] = 7

    def claim(m: dict[str, Any]) -> None:
        m["claims"][0]["status"] = "signed off"

    def decision(m: dict[str, Any]) -> None:
        m["claims"][0]["decisions"][0]["new_status"] = "great"

    def signoff(m: dict[str, Any]) -> None:
        m["signoffs"][0]["status"] = "final"

    assert "evidence 1: kind: “blog_post” is not a kind of evidence" in refused(
        tmp_path, empty_db, kind
    )
    assert "evidence 1: status: “approved” is not draft or submitted" in refused(
        tmp_path, empty_db, status
    )
    assert "evidence 1: current_version: 7 is not one of its versions" in refused(
        tmp_path, empty_db, current
    )
    assert "claim 1: status: “signed off” is not one of claimed, accepted, referred" in refused(
        tmp_path, empty_db, claim
    )
    assert "claim 1, decision #1: new_status: “great” is not one of" in refused(
        tmp_path, empty_db, decision
    )
    assert "status: “final” is not signed or reopened" in refused(tmp_path, empty_db, signoff)


def test_an_attachment_whose_size_is_not_its_files_is_refused_naming_it(tmp_path, empty_db) -> None:
    """The size is what a download says it sends: it must be the file's."""
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    [item] = [e for e in old["evidence"] if e["versions"][0]["attachments"]]
    name = item["versions"][0]["attachments"][0]["filename"]
    for size in (1, -5, 10**9):

        def resize(m: dict[str, Any], size: int = size) -> None:
            for e in m["evidence"]:
                for v in e["versions"]:
                    for a in v["attachments"]:
                        a["size"] = size

        message = refused(tmp_path, empty_db, resize)
        assert f"the file {name} of E{item['id']}v1 is not {size} bytes" in message, message


def test_a_trusted_bundle_cannot_make_decisions_by_a_person_of_this_centre(
    tmp_path, empty_db
) -> None:
    """The sending centre's key vouches for its own people, not for ours: a bundle naming an
    assessor of this centre as the author of its decisions is refused, and nothing written."""
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    theirs = old["claims"][0]["decisions"][0]["actor"]
    with Session(empty_db) as s:
        s.add(Person(name="Our Assessor", email=theirs, roles="assessor"))
        s.commit()
    path = tmp_path / "signed.zip"
    path.write_bytes(signed(OLD_BUNDLE.read_bytes()))
    with Session(empty_db) as s2:
        with pytest.raises(Invalid) as caught:
            import_bundle(s2, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()])
        s2.rollback()
        assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
        assert s2.exec(select(func.count()).select_from(Decision)).one() == 0
        assert s2.exec(select(func.count()).select_from(Person)).one() == 1
    message = str(caught.value)
    assert f"{theirs} is someone of this centre" in message, message
    assert "Nothing was imported." in message


def test_a_date_or_time_in_the_future_is_refused_naming_the_record(tmp_path, empty_db) -> None:
    """Nothing here can have happened after today: no activity, decision or sign-off."""
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    first, document = old["evidence"][0]["id"], old["signoffs"][0]["document_id"]

    def activity(m: dict[str, Any]) -> None:
        m["evidence"][0]["activity_date"] = "2999-01-01"
        for v in m["evidence"][0]["versions"]:
            v["activity_date"] = "2999-01-01"

    def signed_off(m: dict[str, Any]) -> None:
        m["signoffs"][0]["signed_at"] = "2999-01-01T09:00:00+00:00"

    message = refused(tmp_path, empty_db, activity)
    assert f"evidence {first}: activity_date: 2999-01-01 is in the future" in message, message
    message = refused(tmp_path, empty_db, signed_off)
    assert (
        f"sign-off {document}: signed_at: the time 2999-01-01T09:00:00+00:00 is in the future"
        in (message)
    ), message


def _flagged(data: bytes, name: str, *, encrypted: bool = True, method: int | None = None) -> bytes:
    """``data`` with the member ``name`` marked encrypted (or compressed by ``method``) in its
    local and central headers, as another program may write it."""
    out = bytearray(data)
    for signature, flags_at, name_len_at, name_at in (
        (b"PK\x03\x04", 6, 26, 30),
        (b"PK\x01\x02", 8, 28, 46),
    ):
        at = out.find(signature)
        while at >= 0:
            length = int.from_bytes(out[at + name_len_at : at + name_len_at + 2], "little")
            if out[at + name_at : at + name_at + length] == name.encode():
                flags = int.from_bytes(out[at + flags_at : at + flags_at + 2], "little")
                out[at + flags_at : at + flags_at + 2] = (flags | encrypted).to_bytes(2, "little")
                if method is not None:
                    out[at + flags_at + 2 : at + flags_at + 4] = method.to_bytes(2, "little")
            at = out.find(signature, at + 4)
    return bytes(out)


def test_an_encrypted_or_unreadable_member_is_refused_naming_it(tmp_path, empty_db) -> None:
    data = signed(OLD_BUNDLE.read_bytes())
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    attachment = next(n for n in old["files"] if n.startswith("attachments/"))
    cases = {
        MANIFEST: _flagged(data, MANIFEST),
        "manifest.json ": _flagged(data, MANIFEST, encrypted=False, method=77),
        attachment: _flagged(data, attachment),
    }
    for name, changed in cases.items():
        path = tmp_path / "unreadable.zip"
        path.write_bytes(changed)
        with Session(empty_db) as s2:
            with pytest.raises(Invalid) as caught:
                import_bundle(
                    s2, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()]
                )
            s2.rollback()
            assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
        message = str(caught.value)
        assert f"{name.strip()} cannot be read" in message and "Nothing was imported" in message, (
            message
        )

    path = tmp_path / "unreadable-signature.zip"
    path.write_bytes(_flagged(data, "signature.json"))
    with Session(empty_db) as s2:  # a signature that cannot be read verifies nothing
        report = import_bundle(
            s2, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()]
        )
        assert report.signature.state == "invalid" and report.counts["decisions"] == 0
        assert "Signature not verified: signature.json cannot be read." in report.message
        s2.rollback()


def _signed_import(tmp_path: Path, engine: Engine, change: Any) -> Invalid:
    """The refusal of the earlier bundle changed by ``change`` and signed by a trusted key,
    after checking that nothing was written."""

    def edit(body: bytes) -> bytes:
        m = json.loads(body)
        change(m)
        _rehashed(m)
        return json.dumps(m).encode()

    path = tmp_path / "changed-signed.zip"
    path.write_bytes(signed(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit)))
    with Session(engine) as s2:
        with pytest.raises(Invalid) as caught:
            import_bundle(s2, FileStore(tmp_path / "f"), path, SYSTEM, trusted=[KEY.public_key()])
        s2.rollback()
        assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
        assert s2.exec(select(func.count()).select_from(Decision)).one() == 0
    return caught.value


def test_a_trusted_decision_or_sign_off_by_no_one_or_by_the_learner_is_refused(
    tmp_path, empty_db
) -> None:
    """Signed or not, a learner never decides their own claims nor signs off their own
    standard, and a decision that counts has someone who made it."""
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    learner, document = old["learner"]["email"], old["signoffs"][0]["document_id"]

    def no_one(m: dict[str, Any]) -> None:
        m["claims"][0]["decisions"][0]["actor"] = None

    def by_the_learner(m: dict[str, Any]) -> None:
        m["signoffs"][0]["assessor"] = m["learner"]["email"]

    def judged_by_no_one(m: dict[str, Any]) -> None:
        m["judgements"][0]["actor"] = None

    assert "claim 1, decision #1 names no one who made it" in str(
        _signed_import(tmp_path, empty_db, no_one)
    )
    assert f"sign-off {document} was made by its learner {learner}" in str(
        _signed_import(tmp_path, empty_db, by_the_learner)
    )
    assert "judgement #1 names no one who made it" in str(
        _signed_import(tmp_path, empty_db, judged_by_no_one)
    )


def test_a_trusted_record_its_own_bundle_contradicts_is_refused(tmp_path, empty_db) -> None:
    """An accepted claim with no decision accepting it, a sign-off of a standard the
    registration does not hold, a judgement of a version the item does not have."""
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    so = old["signoffs"][0]
    accepted = next(c for c in old["claims"] if c["status"] == "accepted")

    def undecided(m: dict[str, Any]) -> None:
        claim = next(c for c in m["claims"] if c["id"] == accepted["id"])
        claim["decisions"] = []

    def unregistered(m: dict[str, Any]) -> None:
        for r in m["registrations"]:
            r["standards"] = [code for code in r["standards"] if code != so["standard"]]

    def lost_version(m: dict[str, Any]) -> None:
        m["judgements"][0]["version_number"] = 99

    assert f"claim {accepted['id']} is accepted but no decision of its history accepts it" in str(
        _signed_import(tmp_path, empty_db, undecided)
    )
    assert (
        f"sign-off {so['document_id']}: standard {so['standard']} is not among the standards "
        f"of registration {so['registration_id']}"
    ) in str(_signed_import(tmp_path, empty_db, unregistered))
    evidence = old["judgements"][0]["evidence_id"]
    assert f"judgement #1: version 99 of evidence {evidence} is not in the bundle" in str(
        _signed_import(tmp_path, empty_db, lost_version)
    )


def test_a_frameworks_assessment_strategy_that_is_not_valid_is_refused(tmp_path, empty_db) -> None:
    """Stored unchecked, such rules broke every page that counts coverage on the framework."""

    def bad_rules(m: dict[str, Any]) -> None:
        m["frameworks"][0]["rules"] = {"currency_years": "three", "performance_methods": "O"}

    message = refused(tmp_path, empty_db, bad_rules)
    assert "framework SE: its assessment strategy is not valid: " in message, message


def test_a_manifest_too_large_to_read_is_refused_before_it_is_read(
    tmp_path, empty_db, monkeypatch
) -> None:
    """A zip bomb: a manifest that inflates far past any portfolio's (100 MB; 1 MB here) is
    refused from the size the zip states, then read no further than the limit."""
    from exports.bundle import check

    monkeypatch.setattr(check, "MAX_MANIFEST", 1024 * 1024, raising=False)

    def padded(m: dict[str, Any]) -> None:
        m["centre"] = " " * (2 * 1024 * 1024)

    assert "manifest.json is larger than 1 MB" in refused(tmp_path, empty_db, padded)


def test_text_holding_half_a_utf16_pair_is_refused_with_its_place(tmp_path, empty_db) -> None:
    """Its version hash could not be computed: the import ended in a traceback."""
    path = tmp_path / "half-pair.zip"
    path.write_bytes(
        _rewrite(
            OLD_BUNDLE.read_bytes(),
            MANIFEST,
            lambda body: body.replace(b'"I supported a job seeker.', b'"I supported \\ud800 a', 1),
        )
    )
    assert b"\\ud800" in zipfile.ZipFile(path).read(MANIFEST)
    with Session(empty_db) as s2:
        with pytest.raises(Invalid) as caught:
            import_bundle(s2, FileStore(tmp_path / "f"), path, SYSTEM)
        s2.rollback()
        assert s2.exec(select(func.count()).select_from(Evidence)).one() == 0
    assert "/evidence/0/versions/0/body: text that is not valid Unicode" in str(caught.value)


def test_registration_dates_every_other_way_in_refuses_are_refused(tmp_path, empty_db) -> None:
    """A planned end before the start, or in the year 9999, as the admin page refuses them."""

    def ends_before(m: dict[str, Any]) -> None:
        m["registrations"][0]["planned_end"] = "1999-01-01"

    def ends_never(m: dict[str, Any]) -> None:
        m["registrations"][0]["planned_end"] = "9999-12-31"

    message = refused(tmp_path, empty_db, ends_before)
    assert "registration 1: the planned end date must be after the start date" in message, message
    message = refused(tmp_path, empty_db, ends_never)
    assert "registration 1: the planned end date" in message and "check the year" in message


def test_a_file_whose_content_is_not_the_type_the_manifest_states_is_refused(
    tmp_path, empty_db
) -> None:
    """A file is checked by its content as an upload is: a text file stated to be a PDF (or
    a program stated to be anything) would be served and read as what it is said to be."""
    old = json.loads(OLD_BUNDLE.with_name("bundle_v1_manifest.json").read_bytes())
    [item] = [e for e in old["evidence"] if e["versions"][0]["attachments"]]
    name = item["versions"][0]["attachments"][0]["filename"]

    def as_pdf(m: dict[str, Any]) -> None:
        for e in m["evidence"]:
            for v in e["versions"]:
                for a in v["attachments"]:
                    a["mime"] = "application/pdf"

    message = refused(tmp_path, empty_db, as_pdf)
    assert f"the file {name} of E{item['id']}v1 is text, not application/pdf" in message, message


@pytest.mark.parametrize(
    ("title", "fault"),
    [
        ("Review\nnote", "a line break"),
        ("Review note\u202etxt.exe", "a direction-changing"),
        ("Review\u200bnote", "a control"),
        ("Review\x00note", "a NUL"),
    ],
)
def test_an_evidence_title_not_on_one_plain_line_is_refused_naming_it(
    tmp_path, empty_db, title, fault
) -> None:
    """A title typed here is kept on one line without marks that reorder or hide what a page
    shows. A bundle's version title is part of the version's hash (and a sign-off's check
    recomputes it), so it cannot be cleaned on the way in: it is refused, naming the record."""

    def version(m: dict[str, Any]) -> None:
        m["evidence"][1]["versions"][1]["title"] = title

    def item(m: dict[str, Any]) -> None:
        m["evidence"][1]["title"] = title

    said = refused(tmp_path, empty_db, version)
    assert "evidence 2, version 2: title: " in said and fault in said, said
    said = refused(tmp_path, empty_db, item)
    assert "evidence 2: title: " in said and fault in said, said


def test_a_title_stored_before_titles_were_cleaned_still_exports(
    session, tmp_path, make_person, make_registration, make_evidence
) -> None:
    """Only a bundle being imported has its titles checked: a portfolio holding a title saved
    on two lines (before titles typed here were cleaned) still exports its bundle."""
    import io

    from exports.bundle import write_bundle
    from portfolio.models import EvidenceVersion
    from tests.exports.export_case import build_case

    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    version = session.exec(select(EvidenceVersion)).first()
    version.title = "Two\nlines"
    session.add(version)
    session.commit()
    out = io.BytesIO()
    write_bundle(session, store, case.learner.id, out, centre="Northfield")
    with zipfile.ZipFile(out) as zf:
        assert "Two\\nlines" in zf.read(MANIFEST).decode()


def test_a_bundle_never_changes_the_rules_of_a_framework_loaded_here(backend, tmp_path) -> None:
    """A bundle whose framework is one loaded here, stated under another hash its content gives
    (a framework with CASE identifiers, loaded where they counted in its hash), finds it by its
    content: the centre's assessment strategy stays as it is. A bundle's rules come only with a
    framework it loads."""

    def edit(body: bytes) -> bytes:
        m = json.loads(body)
        [fw] = m["frameworks"]
        fw["spec"]["case"] = {"document": {"identifier": "c0ffee00-0000-4000-8000-000000000001"}}
        spec = framework_from_json(json.dumps(fw["spec"]), source=MANIFEST)
        [legacy] = stated_hashes(spec) - {spec.content_hash()}
        _stated(m, legacy)
        fw["rules"] = {"performance_methods": ["WT"]}
        return json.dumps(m).encode()

    path = tmp_path / "stated.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    with migrated_database(backend, tmp_path, sample=True) as engine, Session(engine) as s:
        se = s.exec(select(Framework).where(Framework.code == "SE")).one()
        before = dict(se.rules or {})
        import_bundle(s, FileStore(tmp_path / "files"), path, SYSTEM)
        s.commit()
        s.refresh(se)
        assert se.rules == before
        assert len(s.exec(select(Framework).where(Framework.code == "SE")).all()) == 1


def _stated(m: dict[str, Any], stated: str) -> None:
    """The bundle's framework (and what names it) stated under the hash ``stated``."""
    [fw] = m["frameworks"]
    fw["content_hash"] = stated
    for r in m["registrations"]:
        r["framework"]["content_hash"] = stated
    for c in m["claims"]:
        c["criterion"]["framework_hash"] = stated


def test_a_framework_whose_content_is_not_its_stated_hash_is_refused(tmp_path, empty_db) -> None:
    """As a version or a file that does not match its hash: the framework is named."""
    message = refused(tmp_path, empty_db, lambda m: _stated(m, "0" * 64))
    assert "framework SE: its content does not match its content_hash" in message, message

    def renamed(m: dict[str, Any]) -> None:  # its content changed, its hash kept
        m["frameworks"][0]["spec"]["title"] += " (edited)"

    message = refused(tmp_path, empty_db, renamed)
    assert "framework SE: its content does not match its content_hash" in message, message


@pytest.mark.parametrize("legacy", [False, True], ids=["its-hash", "hash-counting-case-ids"])
def test_a_bundle_never_changes_the_vocabulary_of_a_framework_loaded_here(
    backend, tmp_path, legacy
) -> None:
    """The vocabulary for suggestions is the centre's: a bundle whose framework is loaded here
    (found by its hash, or by its content under another hash it may state) leaves it, and its
    CASE identifiers, as they are, and the report says its vocabulary was not applied."""

    def edit(body: bytes) -> bytes:
        m = json.loads(body)
        [fw] = m["frameworks"]
        fw["spec"]["vocabulary"] = "coach\tjob coach\n"  # not the one loaded here
        if legacy:
            fw["spec"]["case"] = {"document": {"identifier": "c0ffee00-0000-4000-8000-0000000002"}}
            spec = framework_from_json(json.dumps(fw["spec"]), source=MANIFEST)
            [stated] = stated_hashes(spec) - {spec.content_hash()}
            _stated(m, stated)
        return json.dumps(m).encode()

    path = tmp_path / "vocabulary.zip"
    path.write_bytes(_rewrite(OLD_BUNDLE.read_bytes(), MANIFEST, edit))
    with migrated_database(backend, tmp_path, sample=True) as engine, Session(engine) as s:
        se = s.exec(select(Framework).where(Framework.code == "SE")).one()
        before = dict(se.extra or {})
        assert before.get("vocabulary")  # the sample comes with its own
        report = import_bundle(s, FileStore(tmp_path / "files"), path, SYSTEM)
        s.commit()
        s.refresh(se)
        assert (se.extra or {}) == before
        assert len(s.exec(select(Framework).where(Framework.code == "SE")).all()) == 1
        assert (
            f"The bundle's vocabulary for suggestions on SE v{se.version} was not applied"
            in report.message
        ), report.message
