"""The evidence page asks for an item's files, comments, VACSR judgements and records received in
a bundle only when the item has some (most have none): a page with them shows each, one without
takes fewer statements and shows that there are none."""

from __future__ import annotations

import io
from typing import Any

from sqlmodel import Session

from mappings.assessment import claims
from portfolio.services import comments
from tests.conftest import actor_of


def test_what_an_item_has_is_shown_and_what_it_lacks_is_not_asked_for(
    client: Any,
    auth: Any,
    session: Session,
    make_person: Any,
    make_registration: Any,
    make_evidence: Any,
    count_queries: Any,
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    bare = make_evidence(learner, title="Bare")
    full = make_evidence(learner, title="Full", submit=False)
    auth.login(learner)
    upload = client.post(
        f"/evidence/{full.id}/attachments",
        data={"file": (io.BytesIO(b"Notes of the visit."), "visit-notes.txt")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    client.post(f"/evidence/{full.id}/submit", data={"declaration": "y"})
    comments.add(
        session, actor=actor_of(assessor), evidence_id=full.id, body="Which employer was it?"
    )
    flags = dict.fromkeys(claims.VACSR, True)
    claims.judge(
        session, actor=actor_of(assessor), evidence_id=full.id, flags=flags, note="Clear account."
    )
    session.commit()
    for item in (bare, full):  # their suggestions worked out (in the request, in tests)
        client.get(f"/evidence/{item.id}")

    with count_queries() as without:
        page = client.get(f"/evidence/{bare.id}").get_data(as_text=True)
    assert "No files." in page
    assert 'id="vacsr-heading"' not in page and "comment-meta" not in page
    with count_queries() as having:
        page = client.get(f"/evidence/{full.id}").get_data(as_text=True)
    assert "visit-notes.txt" in page and "No files." not in page
    assert "Which employer was it?" in page
    assert 'id="vacsr-heading"' in page and "Clear account." in page
    # only where there are some: the files (then their readings and texts), the comments and
    # the judgements
    assert having.count == without.count + 5, (having.statements, without.statements)
