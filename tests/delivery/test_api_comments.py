# ruff: noqa: F811 - the erased learner's case comes from the erased-learner tests
"""The conversation on an evidence item through the API (``GET`` and ``POST
/api/v1/evidence/{id}/comments``): read by whoever may read the item, a page at a time by keyset
in the same statements however long it is; written by the learner and their assessor through the
page's service (its audit entry, its notification, its refusals in words), the author always the
token's person; nothing written on any refusal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from mappings.assessment.discard import discard
from portfolio.models import AuditEntry, EvidenceComment, Notification, Registration
from portfolio.services import comments
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_completed import case  # noqa: F401 - the fixture, used by erased
from tests.delivery.test_erased_learner_work import REFUSED, erased  # noqa: F401

PROBLEM = "application/problem+json"


@pytest.fixture
def talk(session: Session, make_person, make_registration, make_evidence) -> dict[str, Any]:
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    make_registration(learner=learner, assessor=assessor, iqa=iqa)
    item = make_evidence(learner, title="Profile meeting")
    return {"learner": learner, "assessor": assessor, "iqa": iqa, "item": item}


def _say(session: Session, who: Any, item_id: int, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        comments.add(session, actor=actor_of(who), evidence_id=item_id, body=f"Comment {i}")
    session.commit()


def _written(session: Session) -> tuple[int, ...]:
    """How many comments, notifications and audit entries there are, the test's savepoint
    ended after reading (committed, not rolled back: a rollback would take a request's work
    made inside it with it, and would expire the test's objects)."""
    found = tuple(
        session.exec(select(func.count()).select_from(m)).one()
        for m in (EvidenceComment, Notification, AuditEntry)
    )
    session.commit()
    return found


def _headers(session: Session, person: Any, scopes: tuple[str, ...] = ("read", "evidence")):
    return bearer(token_for(session, person.id, scopes))


def test_every_reader_reads_the_conversation_a_page_at_a_time(client, session, talk) -> None:
    item = talk["item"]
    for i in range(5):
        _say(session, talk["learner"] if i % 2 == 0 else talk["assessor"], item.id, 1, i)
    for reader in ("learner", "assessor", "iqa"):
        headers = _headers(session, talk[reader], ("read",))
        url, seen = f"/api/v1/evidence/{item.id}/comments?limit=2", []
        while url:
            r = client.get(url, headers=headers)
            assert r.status_code == 200, r.get_data(as_text=True)
            body = r.get_json()
            assert len(body["items"]) <= 2
            seen += body["items"]
            url = body["next"]
        assert [c["text"] for c in seen] == [f"Comment {i}" for i in range(5)]
        assert [c["by_learner"] for c in seen] == [True, False, True, False, True]
        assert seen[1]["author"] == talk["assessor"].name
        assert seen[0]["author_id"] == talk["learner"].id


def test_strangers_read_nothing_and_a_cursor_of_another_item_is_refused(
    client, session, talk, make_person, make_evidence
) -> None:
    item = talk["item"]
    _say(session, talk["learner"], item.id, 3)
    for stranger in (make_person("learner"), make_person("assessor")):
        r = client.get(f"/api/v1/evidence/{item.id}/comments", headers=_headers(session, stranger))
        assert r.status_code == 404 and r.content_type == PROBLEM
        assert "Comment" not in r.get_data(as_text=True)
    other = make_evidence(talk["learner"], title="Another")
    _say(session, talk["learner"], other.id, 3)
    headers = _headers(session, talk["learner"], ("read",))
    first = client.get(f"/api/v1/evidence/{item.id}/comments?limit=1", headers=headers).get_json()
    cursor = first["next_cursor"]
    assert cursor
    wrong = client.get(
        f"/api/v1/evidence/{other.id}/comments?limit=1&cursor={cursor}", headers=headers
    )
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.get_json()["errors"]] == ["cursor"]


def test_the_list_takes_the_same_statements_for_3_comments_and_60(
    client, session, talk, count_queries
) -> None:
    item = talk["item"]
    headers = _headers(session, talk["assessor"], ("read",))
    url = f"/api/v1/evidence/{item.id}/comments"
    assert client.get(url, headers=headers).status_code == 200  # "last used" written
    counts: list[tuple[int, int]] = []
    for start, n in ((0, 3), (3, 57)):
        _say(session, talk["learner"], item.id, n, start)
        with count_queries() as whole:
            r = client.get(f"{url}?limit=200", headers=headers)
        assert len(r.get_json()["items"]) == start + n
        first = client.get(f"{url}?limit=2", headers=headers).get_json()
        with count_queries() as second:
            r = client.get(first["next"], headers=headers)
        assert r.status_code == 200 and len(r.get_json()["items"]) == min(2, start + n - 2)
        counts.append((whole.count, second.count))
    assert counts[0] == counts[1], counts


def test_the_learner_and_the_assessor_comment_as_themselves_and_each_other_is_told(
    client, session, talk
) -> None:
    item, learner, assessor = talk["item"], talk["learner"], talk["assessor"]
    mine = _headers(session, learner)
    before = _written(session)
    r = client.post(
        f"/api/v1/evidence/{item.id}/comments",
        headers=mine,
        json={"text": "  Is this enough for SE01?  "},
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    made = r.get_json()
    assert made["text"] == "Is this enough for SE01?" and made["by_learner"] is True
    assert made["author_id"] == learner.id and made["author"] == learner.name
    assert _written(session) == (before[0] + 1, before[1] + 1, before[2] + 1)
    row = session.get(EvidenceComment, made["id"])
    assert row is not None and row.author_id == learner.id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence.comment")).one()
    assert entry.actor_id == learner.id and entry.subject_id == item.id
    told = session.exec(select(Notification).where(Notification.kind == "comment")).one()
    assert told.person_id == assessor.id
    answer = client.post(
        f"/api/v1/evidence/{item.id}/comments",
        headers=_headers(session, assessor),
        json={"text": "Yes: add the date."},
    )
    assert answer.status_code == 201 and answer.get_json()["by_learner"] is False
    listed = client.get(
        f"/api/v1/evidence/{item.id}/comments", headers=_headers(session, talk["iqa"], ("read",))
    ).get_json()["items"]
    assert [c["text"] for c in listed] == ["Is this enough for SE01?", "Yes: add the date."]


def test_bad_bodies_are_refused_naming_the_field_and_write_nothing(client, session, talk) -> None:
    item = talk["item"]
    url = f"/api/v1/evidence/{item.id}/comments"
    headers = _headers(session, talk["learner"])
    before = _written(session)
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"json": {}}, 422, "text", "Missing data for required field."),
        ({"json": {"text": "   "}}, 422, "text", "Write your comment."),
        ({"json": {"text": 5}}, 422, "text", "Not a valid string."),
        (
            {"json": {"text": "x" * (comments.MAX_COMMENT + 1)}},
            422, "text", "A comment may be at most 5,000 characters.",
        ),
        # the author is the token's person: a body cannot name another
        ({"json": {"text": "Hi", "author_id": talk["assessor"].id}}, 422, "author_id",
         "Unknown field."),
        ({"data": {"text": "Hi"}}, 415, "(body)", "this operation reads JSON"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "(body)", "not valid"),
    ]  # fmt: skip
    for sent, status, field, said in cases:
        r = client.post(url, headers=headers, **sent)
        assert r.status_code == status, (sent, r.get_data(as_text=True))
        assert r.content_type == PROBLEM
        errors = r.get_json().get("errors", [])
        assert [e["field"] for e in errors] == [field], errors
        assert said in errors[0]["detail"], errors
        assert _written(session) == before, sent


def test_who_may_not_comment_is_refused_and_nothing_is_written(
    client, session, talk, make_person, make_evidence
) -> None:
    item, learner = talk["item"], talk["learner"]
    url = f"/api/v1/evidence/{item.id}/comments"
    both = make_person("iqa,assessor")  # an IQA who assesses others: holds the evidence scope
    reg = session.exec(select(Registration).where(Registration.learner_id == learner.id)).one()
    reg.iqa_id = both.id
    session.add(reg)
    session.commit()
    refused = {
        "the IQA (read scope only)": (talk["iqa"], ("read",), 403),
        "another learner": (make_person("learner"), ("read", "evidence"), 404),
        "another assessor": (make_person("assessor"), ("read", "evidence"), 404),
        "the learner, read scope only": (learner, ("read",), 403),
        "the IQA who also assesses": (both, ("read", "evidence"), 403),
    }
    tokens = {what: _headers(session, who, scopes) for what, (who, scopes, _) in refused.items()}
    before = _written(session)
    for what, (_who, _scopes, status) in refused.items():
        r = client.post(url, headers=tokens[what], json={"text": "Hi"})
        assert r.status_code == status and r.content_type == PROBLEM, what
    said = client.post(url, headers=tokens["the IQA who also assesses"], json={"text": "Hi"})
    assert said.get_json()["detail"] == (
        "Only the learner and their assessor write comments on evidence."
    )
    assert _written(session) == before
    # a draft once discarded is not found, and nothing is written about it
    draft = make_evidence(learner, title="Half a thought", submit=False)
    discard(session, actor=actor_of(learner), evidence_id=draft.id, store=None)
    session.commit()
    mine = _headers(session, learner)
    before = _written(session)
    gone = client.post(f"/api/v1/evidence/{draft.id}/comments", headers=mine, json={"text": "Hi"})
    assert gone.status_code == 404 and gone.content_type == PROBLEM
    assert _written(session) == before


def test_no_comment_on_an_erased_learners_kept_evidence_but_it_is_read(
    client, session, erased
) -> None:
    kept = erased["kept"][0].id
    _say_before = session.exec(
        select(func.count()).select_from(EvidenceComment).where(EvidenceComment.evidence_id == kept)
    ).one()
    headers = _headers(session, erased["assessor"])
    before = _written(session)
    r = client.post(f"/api/v1/evidence/{kept}/comments", headers=headers, json={"text": "More?"})
    assert r.status_code == 422 and r.content_type == PROBLEM
    detail = r.get_json()["detail"]
    assert detail.startswith(REFUSED) and "no comment is added to it" in detail
    assert r.get_json()["title"] == "Cannot do that"
    assert _written(session) == before
    listed = client.get(f"/api/v1/evidence/{kept}/comments", headers=headers)
    assert listed.status_code == 200 and len(listed.get_json()["items"]) == _say_before
