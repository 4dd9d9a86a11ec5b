"""A subject-access archive holds the newer records about a person too: the assessment plans set
them (or that they set), the witness confirmations of their testimonies, and where each of their
claims came from; its README.txt says what every file in it holds."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

from sqlmodel import select

from exports.subject_access import write_subject_access
from mappings.assessment import claims, plans
from mappings.assessment.models import Claim
from portfolio.services import witness
from portfolio.services.actors import SYSTEM
from tests.conftest import actor_of


def _archive(session, store, person_id) -> dict[str, bytes]:
    out = io.BytesIO()
    names = write_subject_access(session, store, person_id, out, actor=SYSTEM, centre="C")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert sorted(zf.namelist()) == sorted(names)
        return {name: zf.read(name) for name in names}


def _plan(session, case):
    criteria = [
        c.criterion_id
        for c in claims.claimable_criteria(session, case.learner.id)
        if c.standard_code == "SE01"
    ][:2]
    plan = plans.set_plan(
        session,
        actor=actor_of(case.assessor),
        registration_id=case.registration.id,
        title="Reflect on the job-match visit",
        body="Write about what the employer asked.",
        criterion_ids=criteria,
        due_on=date.today() + timedelta(days=14),
        evidence_kind="reflective_account",
    )
    plans.link_evidence(
        session, actor=actor_of(case.learner), plan_id=plan.id, evidence_id=case.note_id
    )
    session.commit()
    return plan, criteria


def test_the_plans_set_the_learner_are_in_their_archive_and_the_assessors(session, case, store):
    plan, criteria = _plan(session, case)
    for person in (case.learner, case.assessor):
        found = json.loads(_archive(session, store, person.id)["plans.json"])
        assert [p["id"] for p in found] == [plan.id]
        (row,) = found
        assert row["title"] == "Reflect on the job-match visit"
        assert row["body"] == "Write about what the employer asked."
        assert row["evidence_kind"] == "reflective_account"  # the kind of evidence asked for
        assert sorted(row["criterion_ids"]) == sorted(criteria)
        assert [e["evidence_id"] for e in row["evidence"]] == [case.note_id]
    # the IQA neither set nor was set a plan
    assert json.loads(_archive(session, store, case.iqa.id)["plans.json"]) == []


def test_the_witness_confirmations_of_the_learners_testimonies_are_in_it(
    session, case, store, make_evidence
):
    item = make_evidence(case.learner, kind="witness_testimony", title="Profile meeting")
    asked = witness.request(
        session, actor=actor_of(case.learner), evidence_id=item.id, email="j.smith@employer.org"
    )
    row, token = asked.row, asked.token
    witness.answer(session, token=token, accurate=False, comment="She led half of it.")
    session.commit()
    files = _archive(session, store, case.learner.id)
    (found,) = json.loads(files["witness_confirmations.json"])
    assert found["id"] == row.id and found["evidence_id"] == item.id
    assert found["witness_email"] == "j.smith@employer.org"
    assert (found["answer"], found["comment"]) == ("not_accurate", "She led half of it.")
    assert found["requested_at"] and found["answered_at"] and found["version_number"] == 1
    assert "token_hash" not in found
    assert row.token_hash.encode() not in b"".join(files.values())
    # nobody else's archive holds it: the assessor did not ask
    assert (
        json.loads(_archive(session, store, case.assessor.id)["witness_confirmations.json"]) == []
    )


def test_the_claims_say_where_they_came_from(session, case, store):
    claim = session.exec(select(Claim).where(Claim.evidence_id == case.account_id)).first()
    claim.suggested_engine, claim.suggested_score, claim.suggested_strong = "v7", 0.8125, True
    session.add(claim)
    session.commit()
    found = json.loads(_archive(session, store, case.learner.id)["claims.json"])
    ours = {c["id"]: c for c in found}
    assert set(ours) == set(
        session.exec(select(Claim.id).where(Claim.evidence_id.in_([case.account_id, case.note_id])))
    )
    mine = ours[claim.id]
    assert (mine["suggested_engine"], mine["suggested_score"], mine["suggested_strong"]) == (
        "v7",
        0.8125,
        True,
    )
    assert mine["criterion_id"] == claim.criterion_id and mine["status"] == "accepted"


def test_the_readme_says_what_every_file_holds(session, case, store):
    _plan(session, case)
    files = _archive(session, store, case.learner.id)
    readme = files["README.txt"].decode()
    described = {line.split()[0] for line in readme.splitlines()[1:] if line.strip()}
    assert set(files) <= described | {"README.txt"}


def test_the_claims_of_an_assessors_record_not_yet_submitted_stay_theirs(
    session, case, store, make_evidence
):
    record = make_evidence(
        case.learner, author=case.assessor, kind="observation_record",
        title="Observation half written", body="First thoughts", submit=False,
    )  # fmt: skip
    found = [c.criterion_id for c in claims.claimable_criteria(session, case.learner.id)][:1]
    claims.set_claims(
        session, actor=actor_of(case.assessor), evidence_id=record.id, criterion_ids=found
    )
    session.commit()
    assert session.exec(select(Claim).where(Claim.evidence_id == record.id)).all()
    learners = json.loads(_archive(session, store, case.learner.id)["claims.json"])
    assert record.id not in {c["evidence_id"] for c in learners}
    assert case.account_id in {c["evidence_id"] for c in learners}
    # the assessor made them: in the assessor's archive
    theirs = json.loads(_archive(session, store, case.assessor.id)["claims.json"])
    assert record.id in {c["evidence_id"] for c in theirs}
