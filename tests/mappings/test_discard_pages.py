"""Discarding a draft on its pages: a confirmation with a tick box, then the evidence list."""

from __future__ import annotations

from sqlmodel import select

from portfolio.models import Evidence
from portfolio.services import evidence as service
from tests.conftest import actor_of
from tests.mappings.test_discard import _draft


def test_the_learner_discards_a_draft_after_ticking_the_box(client, auth, session) -> None:
    learner = auth.login("learner")
    item = _draft(session, learner, learner, title="Half a thought")
    session.commit()
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert f"/evidence/{item.id}/discard" in page and "Discard this draft" in page
    assert f"/evidence/{item.id}/discard" in client.get(f"/evidence/{item.id}/edit").get_data(
        as_text=True
    )
    confirm = client.get(f"/evidence/{item.id}/discard")
    assert confirm.status_code == 200 and "cannot be brought back" in confirm.get_data(as_text=True)
    unticked = client.post(f"/evidence/{item.id}/discard", data={"discard": "Discard this draft"})
    assert unticked.status_code == 422
    assert "Tick the box to confirm." in unticked.get_data(as_text=True)
    assert session.get(Evidence, item.id) is not None
    done = client.post(
        f"/evidence/{item.id}/discard", data={"sure": "y", "discard": "Discard this draft"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/evidence")
    listing = client.get("/evidence").get_data(as_text=True)
    assert "Draft “Half a thought” discarded." in listing
    assert session.exec(select(Evidence.id).where(Evidence.id == item.id)).all() == []


def test_a_submitted_item_offers_no_discard_and_a_post_is_refused_in_words(
    client, auth, session
) -> None:
    learner = auth.login("learner")
    item = _draft(session, learner, learner, title="Done")
    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    session.commit()
    assert "Discard this draft" not in client.get(f"/evidence/{item.id}").get_data(as_text=True)
    r = client.post(f"/evidence/{item.id}/discard", data={"sure": "y", "discard": "Discard"})
    assert r.status_code == 409
    assert "has been submitted" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(Evidence, item.id) is not None


def test_the_actions_heading_names_only_what_is_offered(client, auth, session) -> None:
    """A submitted item's panel offers only "Edit", so it is headed "Change", not "Change or
    submit"; a draft's, which offers the submit button, keeps "Change or submit"."""
    learner = auth.login("learner")
    draft = _draft(session, learner, learner, title="Still a draft")
    done = _draft(session, learner, learner, title="Done")
    service.submit(session, actor=actor_of(learner), evidence_id=done.id, declaration=True)
    session.commit()
    page = client.get(f"/evidence/{draft.id}").get_data(as_text=True)
    assert '<h2 id="actions-heading">Change or submit</h2>' in page
    page = client.get(f"/evidence/{done.id}").get_data(as_text=True)
    assert '<h2 id="actions-heading">Change</h2>' in page
    assert "Change or submit" not in page
    assert f'href="/evidence/{done.id}/edit">Edit</a>' in page
