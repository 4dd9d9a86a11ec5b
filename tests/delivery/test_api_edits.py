"""Changing records through the API: an edit from an older read is refused, a claim decided
before keeps its history when it is unmapped, and strangers are not told which claims exist."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlmodel import Session, func, select

from mappings.assessment import claims
from mappings.assessment.models import Claim, Decision
from portfolio.models import Evidence
from portfolio.services import evidence as evidence_service
from tests.conftest import actor_of
from tests.delivery.api_world import api_world, bearer, token_for, world  # noqa: F401 - fixtures

PROBLEM = "application/problem+json"


def test_an_edit_of_a_draft_from_an_older_read_is_refused_not_overwriting(
    client, session: Session, make_person, make_evidence
) -> None:
    """A draft changes in place, so its version stays 1: the hash read tells two edits apart."""
    learner = make_person("learner")
    item = make_evidence(learner, title="Plan", submit=False)
    secret = token_for(session, learner.id, ("read", "evidence"))
    read = client.get(f"/api/v1/evidence/{item.id}", headers=bearer(secret)).get_json()
    when = (date.today() - timedelta(days=2)).isoformat()
    edit = {"title": "Plan", "activity_date": when, "current_version": read["current_version"],
            "current_hash": read["current_hash"]}  # fmt: skip
    first = client.put(f"/api/v1/evidence/{item.id}", headers=bearer(secret),
                       json={**edit, "body": "Important paragraph A."})  # fmt: skip
    assert first.status_code == 200
    assert first.get_json()["current_hash"] != read["current_hash"]
    stale = client.put(f"/api/v1/evidence/{item.id}", headers=bearer(secret),
                       json={**edit, "body": "Paragraph B."})  # fmt: skip
    assert stale.status_code == 409 and stale.content_type == PROBLEM
    told = stale.get_json(force=True)["detail"]
    assert "changed elsewhere" in told and "nothing was saved" in told
    assert "below" not in told  # the page's "your text is below" means nothing in an answer
    now = client.get(f"/api/v1/evidence/{item.id}", headers=bearer(secret)).get_json()
    assert now["body"] == "Important paragraph A."
    again = client.put(f"/api/v1/evidence/{item.id}", headers=bearer(secret),
                       json={**edit, "current_hash": now["current_hash"], "body": "B, read anew."})  # fmt: skip
    assert again.status_code == 200 and again.get_json()["body"] == "B, read anew."
    without = {k: v for k, v in edit.items() if k != "current_hash"}
    assert client.put(f"/api/v1/evidence/{item.id}", headers=bearer(secret),
                      json={**without, "body": "C"}).status_code == 422  # fmt: skip


def test_unmapping_a_claim_decided_before_keeps_it_and_its_history(
    app: Flask, client, session: Session, make_person, make_registration, make_evidence
) -> None:
    """Accepted, then awaiting a decision again because the learner submitted a new version: the
    claim has a decision history, so taking it off the item keeps it (as a decided claim is
    kept) instead of failing on the history (a server error before)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    item = make_evidence(learner, title="Account")
    found = [c for c in claims.claimable_criteria(session, learner.id) if c.standard_code == "SE01"]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id,
                      criterion_ids=[found[0].criterion_id, found[1].criterion_id])  # fmt: skip
    session.commit()
    kept, fresh = session.exec(
        select(Claim).where(Claim.evidence_id == item.id).order_by(Claim.criterion_id)
    ).all()
    claims.decide(session, actor=actor_of(assessor), claim_id=kept.id,
                  expected_revision=kept.revision, decision="accepted", method="PD")  # fmt: skip
    session.commit()
    evidence_service.update(
        session, actor=actor_of(learner), evidence_id=item.id, expected_version=1,
        draft=evidence_service.Draft(kind="reflective_account", title="Account, second go",
                                     activity_date=date.today() - timedelta(days=3),
                                     body="More detail."),
    )  # fmt: skip
    evidence_service.submit(session, actor=actor_of(learner), evidence_id=item.id,
                            declaration=True)  # fmt: skip
    session.commit()
    session.refresh(kept)
    assert kept.status == "claimed"  # awaiting a decision again, its decision kept
    secret = token_for(session, learner.id)
    answer = client.put(f"/api/v1/evidence/{item.id}/claims", headers=bearer(secret),
                        json={"criterion_ids": []})  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    left = session.exec(select(Claim.id).where(Claim.evidence_id == item.id)).all()
    assert left == [kept.id]  # the never-decided claim went; the decided one stays
    history = select(func.count()).select_from(Decision).where(Decision.claim_id == kept.id)
    assert session.exec(history).one() == 1
    assert session.get(Evidence, item.id) is not None


def test_deciding_a_strangers_claim_does_not_confirm_that_it_exists(
    client,
    api_world,  # noqa: F811
) -> None:
    """404 for a claim one may not see, real or made up: ids are not confirmed to strangers."""
    walk, values = api_world
    stranger = bearer(walk["tokens"]["other_assessor"])
    decision = {"decision": "referred", "method": "O", "feedback": "x", "revision": 0}
    made_up = client.post("/api/v1/claims/999999/decision", headers=stranger, json=decision)
    real = client.post(f"/api/v1/claims/{values['claim_id']}/decision", headers=stranger,
                       json=decision)  # fmt: skip
    assert made_up.status_code == real.status_code == 404, real.get_data(as_text=True)
