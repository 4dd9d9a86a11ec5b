"""A JSON body of the wrong types is refused (422, naming the field), as the OpenAPI document
says: a number sent as text, a declaration sent as "yes", and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from mappings.assessment.claims import claimable_criteria
from mappings.assessment.models import Claim
from portfolio.models import Evidence, Registration
from portfolio.services import breaks
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    return [e["field"] for e in response.get_json()["errors"]]


def test_numbers_and_yes_or_no_sent_as_text_are_refused(
    client, session: Session, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    mine, theirs = bearer(token_for(session, learner.id)), bearer(token_for(session, assessor.id))
    item = make_evidence(learner, title="Travel training", submit=False)
    criterion = claimable_criteria(session, learner.id)[0].criterion_id

    as_text = client.put(f"/api/v1/evidence/{item.id}/claims", headers=mine,
                         json={"criterion_ids": [str(criterion)]})  # fmt: skip
    assert _fields(as_text) == ["criterion_ids.0"]
    assert session.exec(select(Claim).where(Claim.evidence_id == item.id)).all() == []
    for said in ("yes", 1, "true"):
        declared = client.post(f"/api/v1/evidence/{item.id}/submit", headers=mine,
                               json={"declaration": said})  # fmt: skip
        assert _fields(declared) == ["declaration"]
    session.expire_all()
    assert session.get(Evidence, item.id).status == "draft"

    mapped = client.put(f"/api/v1/evidence/{item.id}/claims", headers=mine,
                        json={"criterion_ids": [criterion]})  # fmt: skip
    claim = mapped.get_json()["items"][0]
    decided = client.post(f"/api/v1/claims/{claim['id']}/decision", headers=theirs,
                          json={"decision": "accepted", "method": "O", "revision": "0"})  # fmt: skip
    assert _fields(decided) == ["revision"]
    session.expire_all()
    assert session.get(Claim, claim["id"]).status == "claimed"


def test_text_holding_half_a_utf16_pair_is_refused_naming_the_field(
    client, session: Session, make_person, make_registration
) -> None:
    """JSON may write "\\ud800" alone; Python reads it as a character no database or hash can
    encode: it was a server error."""
    learner = make_person("learner")
    make_registration(learner=learner)
    mine = bearer(token_for(session, learner.id))
    body = (
        '{"kind": "reflective_account", "title": "Job search \\ud800", '
        '"activity_date": "2026-01-01", "body": "b", "fields": {"situation": "\\udc00"}}'
    )
    made = client.post(f"/api/v1/learners/{learner.id}/evidence", data=body,
                       headers={**mine, "Content-Type": "application/json"})  # fmt: skip
    assert sorted(_fields(made)) == ["fields.situation", "title"]
    assert "not valid Unicode" in made.get_data(as_text=True)
    assert session.exec(select(Evidence)).all() == []


@pytest.mark.parametrize("nested", ["[" * 5000 + "]" * 5000, '{"a": ' * 5000 + "1" + "}" * 5000])
def test_json_nested_too_deeply_is_refused_in_words(
    client, session: Session, make_person, make_registration, nested
) -> None:
    """A body nested thousands deep made Python's JSON reader give up (RecursionError): a
    server error. It is a body that cannot be read (400), said so, and nothing is written."""
    learner = make_person("learner")
    make_registration(learner=learner)
    mine = bearer(token_for(session, learner.id))
    body = (
        '{"kind": "reflective_account", "title": "Deep", "activity_date": "2026-01-01", '
        f'"body": "b", "fields": {nested}}}'
    )
    made = client.post(f"/api/v1/learners/{learner.id}/evidence", data=body,
                       headers={**mine, "Content-Type": "application/json"})  # fmt: skip
    assert made.status_code == 400, made.get_data(as_text=True)
    said = made.get_json()
    assert "nested too deeply" in said["detail"] and said["errors"][0]["field"] == "(body)"
    assert session.exec(select(Evidence)).all() == []


def test_a_registration_on_a_break_says_since_when_and_until_when_in_its_types(
    client, session: Session, make_person, make_registration
) -> None:
    """``on_break_since`` and ``expected_return_on``: dates or null, always present, described
    in the OpenAPI document (every answer is checked against it in tests), never the reason,
    and not something a client may set."""
    admin = make_person("admin")
    said, unsaid = make_registration(), make_registration()
    session.commit()
    headers = bearer(token_for(session, admin.id, scopes=("read", "admin")))
    url = f"/api/v1/registrations/{said.id}"
    before = client.get(url, headers=headers).get_json()
    assert (before["on_break_since"], before["expected_return_on"]) == (None, None)
    today, back = date.today(), date.today() + timedelta(days=60)
    breaks.start_break(session, actor=actor_of(admin), registration_id=said.id,
                       reason="Caring for a relative", until=back)  # fmt: skip
    breaks.start_break(session, actor=actor_of(admin), registration_id=unsaid.id,
                       reason="Caring for a relative")  # fmt: skip
    session.commit()
    shown = client.get(url, headers=headers)
    assert shown.get_json()["on_break_since"] == today.isoformat()
    assert shown.get_json()["expected_return_on"] == back.isoformat()
    assert "Caring for a relative" not in shown.get_data(as_text=True)
    listed = client.get("/api/v1/registrations?limit=200", headers=headers).get_json()["items"]
    found = {r["id"]: (r["on_break_since"], r["expected_return_on"]) for r in listed}
    assert found[said.id] == (today.isoformat(), back.isoformat())
    assert found[unsaid.id] == (today.isoformat(), None)

    document = client.get("/api/v1/openapi.json").get_json()
    registration = document["components"]["schemas"]["Registration"]
    for name in ("withdrawn_on", "on_break_since", "expected_return_on"):
        described = registration["properties"][name]
        assert described["type"] == ["string", "null"] and described["format"] == "date", name
        assert described.get("description"), name
        assert name in registration["required"], name
    assert not any("reason" in name for name in registration["properties"])
    for sent in ({"on_break_since": today.isoformat()}, {"expected_return_on": "soon"}):
        assert _fields(client.patch(url, headers=headers, json=sent)) == list(sent)
    session.expire_all()
    assert session.get(Registration, said.id).break_until == back
