"""A draft never submitted is its author's alone: through the API, as on its page, the people
who may see that it exists (the learner's assessor and IQA, an EQA) read its title and dates, not
what it says: not its text, files, the criteria ticked on it, nor its versions' hashes (a digest
of that text, which would confirm a guess of it and change with every save)."""

from __future__ import annotations

from sqlmodel import Session, select

from portfolio.models import Criterion, Standard
from tests.delivery.api_world import bearer, token_for


def test_a_drafts_ticked_criteria_and_hashes_are_its_authors_alone(
    client, session: Session, make_person, make_registration, make_evidence
) -> None:
    assessor = make_person("assessor")
    learner = make_person("learner")
    reg = make_registration(learner=learner, assessor=assessor)
    criterion = session.exec(
        select(Criterion.id)
        .join(Standard)
        .where(Standard.framework_id == reg.framework_id, Standard.code == "SE01")
    ).first()
    draft = make_evidence(learner, title="My plan", body="Secret words", submit=False)
    mine = bearer(token_for(session, learner.id or 0))
    staff = bearer(token_for(session, assessor.id or 0))
    put = client.put(
        f"/api/v1/evidence/{draft.id}/claims", headers=mine, json={"criterion_ids": [criterion]}
    )
    assert put.status_code == 200, put.get_data(as_text=True)

    # the learner reads all of it
    assert len(client.get(f"/api/v1/evidence/{draft.id}/claims", headers=mine).json["items"]) == 1
    theirs = client.get(f"/api/v1/evidence/{draft.id}", headers=mine).json
    assert theirs["body"] == "Secret words" and theirs["versions"][0]["sha256"]

    # the assessor reads that it exists, not what it says
    seen = client.get(f"/api/v1/evidence/{draft.id}", headers=staff)
    assert seen.status_code == 200 and seen.json["title"] == "My plan"
    assert seen.json["body"] == "" and seen.json["current_hash"] == ""
    assert [v["sha256"] for v in seen.json["versions"]] == [""]
    claims = client.get(f"/api/v1/evidence/{draft.id}/claims", headers=staff)
    assert claims.status_code == 200 and claims.json["items"] == []
    # nor do they map it, unseen, taking away or adding to the learner's ticks
    mapped = client.put(
        f"/api/v1/evidence/{draft.id}/claims", headers=staff, json={"criterion_ids": []}
    )
    assert mapped.status_code == 403
    assert "until it is submitted" in mapped.json["detail"]
    assert len(client.get(f"/api/v1/evidence/{draft.id}/claims", headers=mine).json["items"]) == 1

    # once submitted, the assessor reads it all, as on its page
    submitted = client.post(
        f"/api/v1/evidence/{draft.id}/submit", headers=mine, json={"declaration": True}
    )
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    assert len(client.get(f"/api/v1/evidence/{draft.id}/claims", headers=staff).json["items"]) == 1
    read = client.get(f"/api/v1/evidence/{draft.id}", headers=staff).json
    assert read["body"] == "Secret words" and read["versions"][0]["sha256"]
