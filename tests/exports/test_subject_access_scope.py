"""Review: a subject-access archive holds everything about the person and nothing private to
others (an assessor's record not yet submitted is the assessor's alone)."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from exports.subject_access import write_subject_access
from mappings.assessment.models import Claim
from portfolio.services import comments
from portfolio.services.actors import SYSTEM
from tests.conftest import actor_of


def _everything(data: bytes) -> bytes:
    """Every member's bytes, nested zips opened too."""
    found = b""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            member = zf.read(name)
            found += _everything(member) if name.endswith(".zip") else member
    return found


def _archive(session, store, person_id) -> bytes:
    out = io.BytesIO()
    write_subject_access(session, store, person_id, out, actor=SYSTEM, centre="C")
    return _everything(out.getvalue())


def test_the_archive_leaves_out_the_assessors_unsubmitted_record(
    session, case, store, make_evidence
) -> None:
    make_evidence(
        case.learner, author=case.assessor, kind="observation_record",
        title="Observation half written", body="ASSESSOR-PRIVATE first thoughts", submit=False,
    )  # fmt: skip
    assert b"ASSESSOR-PRIVATE" not in _archive(session, store, case.learner.id)


def test_the_archive_holds_the_comments_the_person_wrote(session, case, store) -> None:
    comments.add(session, actor=actor_of(case.learner), evidence_id=case.note_id,
                 body="LEARNER-COMMENT which code do you mean?")  # fmt: skip
    comments.add(session, actor=actor_of(case.assessor), evidence_id=case.note_id,
                 body="ASSESSOR-COMMENT the NCS code.")  # fmt: skip
    session.commit()
    assert b"LEARNER-COMMENT" in _archive(session, store, case.learner.id)
    assert b"ASSESSOR-COMMENT" in _archive(session, store, case.assessor.id)


def _held_about(session, person):
    """A VLE link, an API token and an e-mail choice of ``person``."""
    from portfolio.models import LtiLink
    from portfolio.services import notifications, tokens

    session.add(LtiLink(issuer="https://moodle.centre.test", subject="VLE-USER-77",
                        person_id=person.id))  # fmt: skip
    made = tokens.create(session, actor=SYSTEM, person_id=person.id, name="My laptop script",
                         scopes=["read"])  # fmt: skip
    notifications.set_preferences(session, actor=actor_of(person), modes={"decision": "digest"})
    session.commit()
    return made


def test_the_archive_holds_the_vle_links_tokens_choices_declarations_and_badges(
    session, case, store
) -> None:
    import json

    made = _held_about(session, case.learner)
    out = io.BytesIO()
    write_subject_access(session, store, case.learner.id, out, actor=SYSTEM, centre="C")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        member = {n: json.loads(zf.read(n)) for n in zf.namelist() if n.endswith(".json")}
        readme = zf.read("README.txt").decode()
    assert [link["subject"] for link in member["lti_links.json"]] == ["VLE-USER-77"]
    [token] = member["api_tokens.json"]
    assert token["name"] == "My laptop script" and "token_hash" not in token
    assert made.secret not in json.dumps(member)
    assert {c["kind"]: c["mode"] for c in member["email_choices.json"]} == {"decision": "digest"}
    assert [d["learner_id"] for d in member["declarations.json"]] == [case.learner.id]
    assert member["badges.json"] == []  # this case issued none; the file is there
    assert "lti_links.json" in readme and "email_choices.json" in readme


def _members(session, store, person_id) -> dict:
    import json

    out = io.BytesIO()
    write_subject_access(session, store, person_id, out, actor=SYSTEM, centre="C")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        return {n: json.loads(zf.read(n)) for n in zf.namelist() if n.endswith(".json")}


def test_the_comments_and_audit_of_an_assessors_unsubmitted_record_stay_theirs(
    session, case, store, make_evidence
) -> None:
    record = make_evidence(
        case.learner, author=case.assessor, kind="observation_record",
        title="Observation half written", body="First thoughts", submit=False,
    )  # fmt: skip
    comments.add(session, actor=actor_of(case.assessor), evidence_id=record.id,
                 body="Ask about the CV workshop")  # fmt: skip
    comments.add(session, actor=actor_of(case.learner), evidence_id=case.note_id,
                 body="Which code?")  # fmt: skip
    session.commit()

    def about(files: dict, name: str) -> set:
        if name == "audit.json":
            return {a["subject_id"] for a in files[name] if a["subject_type"] == "evidence"}
        return {row["evidence_id"] for row in files[name]}

    learners = _members(session, store, case.learner.id)
    for name in ("comments.json", "audit.json"):
        assert record.id not in about(learners, name), name
    assert case.note_id in about(learners, "comments.json")
    assert case.note_id in about(learners, "audit.json")
    theirs = _members(session, store, case.assessor.id)
    for name in ("comments.json", "audit.json"):
        assert record.id in about(theirs, name), name


@pytest.mark.parametrize("stored", ["plain", "sealed"])
def test_the_archive_says_whether_two_step_is_on_never_its_secret(
    session, case, store, stored
) -> None:
    """Neither the secret nor what the database holds of it (a Fernet token, or the secret
    itself in a row stored before encryption came) is in the archive, nor in a bundle."""
    import json

    from portfolio import config, sealing
    from portfolio.models import RecoveryCode, TwoStep
    from portfolio.services import two_step

    secret = two_step.new_secret()
    held_as = secret
    if stored == "sealed":
        held_as = sealing.from_settings(config.from_env()).seal(secret)
    session.add(TwoStep(person_id=case.learner.id, secret=held_as, last_step=7))
    session.add(RecoveryCode(person_id=case.learner.id, code_hash="ab" * 32))
    session.commit()
    out = io.BytesIO()
    write_subject_access(session, store, case.learner.id, out, actor=SYSTEM, centre="C")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        held = json.loads(zf.read("two_step.json"))
        everything = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".json"))
        readme = zf.read("README.txt").decode()
    assert held["on"] is True and held["turned_on_at"]
    assert held["recovery_codes"] == [{"used_at": None}]
    assert secret.encode() not in everything and b"ab" * 32 not in everything
    assert held_as.encode() not in everything
    from exports.bundle.write import write_bundle  # nor is it in the learner's portfolio bundle

    bundle = io.BytesIO()
    write_bundle(session, store, case.learner.id, bundle, centre="C")
    carried = _everything(bundle.getvalue())
    assert secret.encode() not in carried and held_as.encode() not in carried
    assert "two_step.json" in readme


def test_the_archive_holds_the_trail_about_the_learners_claims_and_sign_offs(
    session, case, store, make_evidence
) -> None:
    """Everything the trail records about the learner's things, not only about them, their
    registrations and evidence: the decisions on their claims and the sign-off of their standard
    (found through whom each entry is about). An assessor's record not yet submitted stays the
    assessor's, with its files (here an administrator retrying the reading of its file)."""
    from portfolio.models import Attachment, EvidenceVersion
    from portfolio.services import audit
    from portfolio.services import evidence as evidence_service

    record = make_evidence(
        case.learner, author=case.assessor, kind="observation_record",
        title="Observation half written", body="First thoughts", submit=False,
    )  # fmt: skip
    evidence_service.attach(
        session, actor=actor_of(case.assessor), store=store, evidence_id=record.id,
        filename="photo-notes.txt", stream=io.BytesIO(b"notes"), max_bytes=1024,
    )  # fmt: skip
    session.commit()
    [attachment] = session.exec(
        select(Attachment.id)
        .join(EvidenceVersion, EvidenceVersion.id == Attachment.version_id)
        .where(EvidenceVersion.evidence_id == record.id)
    ).all()
    audit.record(session, actor=SYSTEM, action="reading.retry", subject_type="attachment",
                 subject_id=attachment, data={"attempts": 1})  # fmt: skip
    session.commit()
    trail = _members(session, store, case.learner.id)["audit.json"]
    decided = {a["subject_id"] for a in trail if a["action"] == "claim.decide"}
    claimed = set(session.exec(select(Claim.id).where(Claim.evidence_id == case.account_id)))
    assert decided == claimed and claimed
    assert case.signoff.id in {a["subject_id"] for a in trail if a["subject_type"] == "signoff"}
    assert attachment not in {a["subject_id"] for a in trail if a["subject_type"] == "attachment"}


def test_the_audit_of_an_assessors_record_discarded_unsubmitted_stays_theirs(
    session, case, store, make_evidence
) -> None:
    from mappings.assessment.discard import discard

    record = make_evidence(
        case.learner, author=case.assessor, kind="observation_record",
        title="Observation abandoned", body="First thoughts", submit=False,
    )  # fmt: skip
    record_id = record.id
    discard(session, actor=actor_of(case.assessor), evidence_id=record_id, store=store)
    session.commit()

    def about(files: dict) -> set:
        return {a["subject_id"] for a in files["audit.json"] if a["subject_type"] == "evidence"}

    assert record_id not in about(_members(session, store, case.learner.id))
    assert record_id in about(_members(session, store, case.assessor.id))
