"""Discarding a draft through the API (``POST /api/v1/evidence/{id}/discard``): the same service
as the page, its author only, the same refusals in words, nothing written when refused."""

from __future__ import annotations

from sqlmodel import Session, func, select

from portfolio.models import AuditEntry, Evidence
from portfolio.services import evidence as evidence_service
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for

PROBLEM = "application/problem+json"


def _entries(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


def test_the_author_discards_a_draft_and_a_second_call_finds_nothing(
    client, session: Session, make_person, make_evidence
) -> None:
    learner = make_person("learner")
    item_id = make_evidence(learner, title="Half a thought", submit=False).id
    secret = token_for(session, learner.id, ("read", "evidence"))
    r = client.post(f"/api/v1/evidence/{item_id}/discard", headers=bearer(secret))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json() == {
        "id": item_id, "learner_id": learner.id, "title": "Half a thought", "files": 0,
        "detail": "Draft “Half a thought” discarded.",
    }  # fmt: skip
    session.expire_all()
    assert session.get(Evidence, item_id) is None
    again = client.post(f"/api/v1/evidence/{item_id}/discard", headers=bearer(secret))
    assert again.status_code == 404 and again.content_type == PROBLEM


def test_a_submitted_item_is_refused_in_the_pages_words_and_nothing_is_written(
    client, session: Session, make_person, make_evidence
) -> None:
    learner = make_person("learner")
    item = make_evidence(learner, title="Menu", submit=True)
    secret = token_for(session, learner.id, ("read", "evidence"))
    before = _entries(session)
    r = client.post(f"/api/v1/evidence/{item.id}/discard", headers=bearer(secret))
    assert r.status_code == 409 and r.content_type == PROBLEM
    assert r.get_json()["detail"] == (
        "“Menu” has been submitted, so it is part of the learner's record and cannot be "
        "discarded: edit it to make a new version instead."
    )
    session.expire_all()
    assert session.get(Evidence, item.id) is not None and _entries(session) == before


def test_others_and_a_token_without_the_evidence_scope_are_refused(
    client, session: Session, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    item = make_evidence(learner, title="Mine", submit=False)
    url = f"/api/v1/evidence/{item.id}/discard"
    reader = token_for(session, learner.id, ("read",))
    r = client.post(url, headers=bearer(reader))
    assert r.status_code == 403 and 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    r = client.post(url, headers=bearer(token_for(session, assessor.id)))
    assert r.status_code == 403 and r.get_json()["detail"] == (
        "Only the author may change this evidence."
    )
    stranger = make_person("learner")
    assert client.post(url, headers=bearer(token_for(session, stranger.id))).status_code == 404
    obs = evidence_service.create(
        session, actor=actor_of(assessor), learner_id=learner.id,
        draft=evidence_service.Draft(kind="observation_record", title="Watched",
                                     activity_date=item.activity_date, body="notes"),
    )  # fmt: skip
    session.commit()
    r = client.post(
        f"/api/v1/evidence/{obs.id}/discard", headers=bearer(token_for(session, learner.id))
    )
    assert r.status_code == 404  # the assessor's record is not the learner's to see yet
    session.expire_all()
    assert session.get(Evidence, item.id) is not None and session.get(Evidence, obs.id)
