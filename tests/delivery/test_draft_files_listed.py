"""A draft is its author's alone until submitted: the evidence lists tell others that it exists
(title, "Draft", dates), not how many files it has. Staff read the files of what was last
submitted, as the item's own page shows them; of a draft never submitted, nothing."""

from __future__ import annotations

import io
import re
from typing import Any

from portfolio.models import Person
from portfolio.services import evidence as service
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for


def _attach(session: Any, store: Any, who: Person, evidence_id: int, name: str) -> None:
    service.attach(
        session, actor=actor_of(who), store=store, evidence_id=evidence_id,
        filename=name, stream=io.BytesIO(f"Notes in {name}.\n".encode()), max_bytes=1024,
    )  # fmt: skip
    session.commit()


def _files(session: Any, reader: Person, learner: Person) -> dict[str, int | None]:
    """Each item's file count in every list the reader may be given."""
    actor = actor_of(reader)
    paged = service.page_for_learner(session, actor=actor, learner_id=learner.id or 0)
    keyset, _ = service.page_after(session, actor=actor, learner_id=learner.id or 0, after=None)
    latest, drafts = service.latest_and_drafts(
        session, actor=actor, learner_id=learner.id or 0, latest=10, drafts=10
    )
    found = {r.title: r.attachments for r in paged.rows}
    assert {r.title: r.attachments for r in keyset} == found
    assert {r.title: r.attachments for r in latest.rows} == found
    assert {r.title: r.attachments for r in drafts.rows} == found  # both are drafts now
    return found


def test_staff_see_no_files_of_a_draft(
    session: Any, store: Any, client: Any, auth: Any, make_person: Any, make_registration: Any,
    make_evidence: Any,
) -> None:  # fmt: skip
    learner, assessor = make_person("learner"), make_person("assessor")
    iqa = make_person("iqa")
    make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01")
    never = make_evidence(learner, title="Never submitted", submit=False)
    _attach(session, store, learner, never.id, "plan.txt")
    _attach(session, store, learner, never.id, "letter.txt")
    again = make_evidence(learner, title="Submitted once", submit=False)
    _attach(session, store, learner, again.id, "first.txt")
    service.submit(session, actor=actor_of(learner), evidence_id=again.id, declaration=True)
    session.commit()
    version = service.current_version(session, again).number
    service.update(
        session, actor=actor_of(learner), evidence_id=again.id, expected_version=version,
        draft=service.Draft(kind=again.kind, title="Submitted once", body="Changed.",
                            activity_date=again.activity_date),
    )  # fmt: skip
    session.commit()
    _attach(session, store, learner, again.id, "second.txt")
    _attach(session, store, learner, again.id, "third.txt")
    mine = {"Never submitted": 2, "Submitted once": 3}
    assert _files(session, learner, learner) == mine
    for reader in (assessor, iqa):
        assert _files(session, reader, learner) == {"Never submitted": None, "Submitted once": 1}

    auth.login(assessor)
    page = client.get(f"/learners/{learner.id}/evidence").get_data(as_text=True)
    cells = re.findall(r'<td data-label="Files">(.*?)</td>', page, re.S)
    assert len(cells) == 2 and "1" in cells and "Not shown until submitted" in "".join(cells)
    assert "2" not in "".join(cells) and "3" not in "".join(cells)
    headers = bearer(token_for(session, assessor.id, ("read",)))
    body = client.get(f"/api/v1/learners/{learner.id}/evidence", headers=headers).get_json()
    assert {r["title"]: r["attachments"] for r in body["items"]} == {
        "Never submitted": None, "Submitted once": 1
    }  # fmt: skip
    headers = bearer(token_for(session, learner.id, ("read",)))
    body = client.get(f"/api/v1/learners/{learner.id}/evidence", headers=headers).get_json()
    assert {r["title"]: r["attachments"] for r in body["items"]} == mine
