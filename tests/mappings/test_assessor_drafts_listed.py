"""An assessor's observation record or professional discussion never submitted is theirs alone:
the learner's evidence list and home page do not show it (its author still finds it)."""

from __future__ import annotations

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
