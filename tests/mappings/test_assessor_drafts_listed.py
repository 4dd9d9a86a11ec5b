"""An assessor's observation record or professional discussion never submitted is theirs alone:
the learner's evidence list and home page do not show it (its author still finds it)."""

from __future__ import annotations

import io

from portfolio.models import Person
from portfolio.services import evidence as service
from tests.conftest import actor_of
from tests.mappings.test_discard import _draft


def test_an_assessors_unsubmitted_record_is_not_in_the_learners_list(
    client, auth, session, make_person, make_registration
) -> None:
    assessor = make_person("assessor")
    reg = make_registration(assessor=assessor)
    learner = session.get(Person, reg.learner_id)
    draft = _draft(session, assessor, learner, kind="observation_record", title="Abandoned obs")
    done = _draft(session, assessor, learner, kind="professional_discussion", title="Talked")
    service.submit(session, actor=actor_of(assessor), evidence_id=done.id, declaration=True)
    session.commit()
    auth.login(learner)
    for url in ("/evidence", "/evidence?status=draft", "/"):
        page = client.get(url).get_data(as_text=True)
        assert "Abandoned obs" not in page, url
    assert "Talked" in client.get("/evidence").get_data(as_text=True)
    auth.logout()
    auth.login(assessor)  # its author still finds it in the learner's list, and discards it
    page = client.get(f"/learners/{learner.id}/evidence").get_data(as_text=True)
    assert "Abandoned obs" in page
    r = client.post(f"/evidence/{draft.id}/discard", data={"sure": "y", "discard": "Discard"})
    assert r.headers["Location"].endswith(f"/learners/{learner.id}/evidence")


def test_the_learner_cannot_open_an_assessors_unsubmitted_record_by_its_address(
    client, auth, session, make_person, make_registration, tmp_path
) -> None:
    """Left out of the list, it is not found by its address either: its page, its versions, its
    files, its comments, claims and witness are answered as another learner's evidence is, by
    the services themselves; its author and the IQA still read it, and once it is submitted
    the learner does too."""
    from sqlalchemy import func
    from sqlmodel import select

    from mappings.assessment import claims
    from mappings.assessment.models import Claim
    from portfolio.errors import NotFound
    from portfolio.models import EvidenceComment
    from portfolio.services import comments, witness
    from portfolio.services.files import FileStore

    assessor, iqa = make_person("assessor"), make_person("iqa")
    reg = make_registration(assessor=assessor, iqa=iqa)
    learner = session.get(Person, reg.learner_id)
    draft = _draft(session, assessor, learner, kind="observation_record", title="Abandoned obs")
    store = FileStore(tmp_path / "files")
    attachment = service.attach(
        session, actor=actor_of(assessor), store=store, evidence_id=draft.id,
        filename="notes.txt", stream=io.BytesIO(b"what I saw"), max_bytes=1000,
    )  # fmt: skip
    session.commit()
    as_learner = actor_of(learner)
    criterion = claims.claimable_criteria(session, learner.id)[0].criterion_id
    refusals = {
        "get_for": lambda: service.get_for(session, as_learner, draft.id),
        "detail": lambda: service.detail(session, actor=as_learner, evidence_id=draft.id),
        "version": lambda: service.detail(
            session, actor=as_learner, evidence_id=draft.id, number=1
        ),
        "file": lambda: service.attachment_for(
            session, actor=as_learner, attachment_id=attachment.id
        ),
        "comments": lambda: comments.comments_on(session, actor=as_learner, evidence_id=draft.id),
        "comment": lambda: comments.add(
            session, actor=as_learner, evidence_id=draft.id, body="What is this?"
        ),
        "claims": lambda: claims.set_claims(
            session, actor=as_learner, evidence_id=draft.id, criterion_ids=[criterion]
        ),
        "witness": lambda: witness.may_ask(session, actor=as_learner, evidence_id=draft.id),
    }
    answered = {}
    for what, call in refusals.items():
        try:
            call()
            answered[what] = "answered"
        except NotFound:
            answered[what] = "not found"
        session.rollback()
    assert answered == dict.fromkeys(refusals, "not found")
    for model in (Claim, EvidenceComment):
        assert session.exec(select(func.count()).select_from(model)).one() == 0
    auth.login(learner)
    for url in (f"/evidence/{draft.id}", f"/evidence/{draft.id}/versions/1"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Abandoned obs" not in r.get_data(as_text=True), url
    assert client.get(f"/files/{attachment.id}").status_code == 404
    r = client.post(f"/evidence/{draft.id}/comments", data={"body": "What is this?"})
    assert r.status_code == 404
    r = client.post(
        f"/evidence/{draft.id}/claims", data={"criterion": [str(criterion)], "on_page": "1"}
    )
    assert r.status_code == 404
    assert session.exec(select(func.count()).select_from(EvidenceComment)).one() == 0
    auth.logout()
    for reader in (assessor, iqa):  # its author, and staff who read the portfolio, still do
        auth.login(reader)
        r = client.get(f"/evidence/{draft.id}")
        assert r.status_code == 200 and "Abandoned obs" in r.get_data(as_text=True)
        auth.logout()
    assert service.detail(session, actor=actor_of(iqa), evidence_id=draft.id).private
    service.submit(session, actor=actor_of(assessor), evidence_id=draft.id, declaration=True)
    session.commit()
    auth.login(learner)  # submitted, it is the learner's record to read
    r = client.get(f"/evidence/{draft.id}")
    assert r.status_code == 200 and "Abandoned obs" in r.get_data(as_text=True)
