# ruff: noqa: F811 - the mail fixtures come from the password-reset tests, the case from others
"""Asking a witness to confirm a testimony through the API (``POST
/api/v1/evidence/{id}/witness``): the page's service, refusals and words, the e-mail sent through
a real SMTP server once the request has committed (its link opens the witness's page), the audit
entry; nothing written or sent on any refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from delivery.web.evidence.witness_asking import NO_LINK, NO_MAIL
from mappings.assessment.discard import discard
from mappings.privacy.requests import erase_person
from portfolio.models import AuditEntry, Evidence, WitnessConfirmation
from portfolio.services import witness
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_completed import case  # noqa: F401 - the erased case
from tests.delivery.test_erased_learner_work import REFUSED, signed_off_testimony
from tests.delivery.test_password_reset import inbox, mail_app  # noqa: F401 - fixtures
from tests.delivery.test_witness_web import TEXT, _link

PROBLEM = "application/problem+json"
WITNESS = "j.smith@employer.org"


@pytest.fixture
def said(session: Session, make_person, make_registration, make_evidence) -> dict[str, Any]:
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    make_registration(learner=learner, assessor=assessor, iqa=iqa)
    item = make_evidence(learner, kind="witness_testimony", title="Profile meeting", body=TEXT)
    return {"learner": learner, "assessor": assessor, "iqa": iqa, "item": item}


def _headers(session: Session, person: Any, scopes: tuple[str, ...] = ("read", "evidence")):
    return bearer(token_for(session, person.id, scopes))


def _written(session: Session) -> tuple[int, ...]:
    """How many witness requests and audit entries there are (the test's savepoint committed
    after reading, so that a request's work is never rolled back with it)."""
    found = tuple(
        session.exec(select(func.count()).select_from(m)).one()
        for m in (WitnessConfirmation, AuditEntry)
    )
    session.commit()
    return found


def _ask(app: Flask, item_id: int, headers: dict[str, str], **sent: Any) -> Any:
    return app.test_client().post(
        f"/api/v1/evidence/{item_id}/witness",
        headers=headers,
        **(sent or {"json": {"email": WITNESS}}),
    )


def test_the_learner_asks_the_witness_is_mailed_and_a_second_ask_replaces_the_link(
    mail_app, inbox, session, said
) -> None:
    handler, _port = inbox
    item, learner = said["item"], said["learner"]
    mine, theirs = _headers(session, learner), _headers(session, said["assessor"])
    before = _written(session)
    r = _ask(mail_app, item.id, mine, json={"email": " J.Smith@Employer.org "})
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["evidence_id"] == item.id and body["witness_email"] == WITNESS
    assert body["version"] == 1 and body["replaced"] == []
    assert "token" not in str(body)  # the link's secret goes to the witness alone
    assert body["detail"].startswith(
        f"We have e-mailed {WITNESS} a link to confirm the testimony; it works once, for 14 days. "
        "The witness will see the version you submitted on "
    )
    assert _written(session) == (before[0] + 1, before[1] + 1)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "witness.request")).one()
    assert entry.actor_id == learner.id and entry.subject_id == item.id
    recipients, message = handler.next()
    assert recipients == [WITNESS]
    assert learner.name in message["Subject"]
    link = _link(message)
    page = mail_app.test_client().get(link)
    assert page.status_code == 200 and "Profile meeting" in page.get_data(as_text=True)
    again = _ask(mail_app, item.id, theirs)
    assert again.status_code == 201
    assert again.get_json()["replaced"] == [body["id"]]
    assert again.get_json()["detail"].endswith(" The earlier link, not answered, no longer works.")
    handler.next()
    gone = mail_app.test_client().get(link)
    assert gone.status_code == 410


def test_refusals_are_in_the_pages_words_and_nothing_is_written_or_sent(
    mail_app, inbox, session, said, make_person, make_evidence
) -> None:
    handler, _port = inbox
    item, learner = said["item"], said["learner"]
    account = make_evidence(learner, title="An account")
    draft = make_evidence(learner, kind="witness_testimony", title="Not yet", submit=False)
    gone = make_evidence(learner, kind="witness_testimony", title="Thrown away", submit=False)
    discard(session, actor=actor_of(learner), evidence_id=gone.id, store=None)
    session.commit()
    tokens = {
        "learner": _headers(session, learner),
        "iqa": _headers(session, said["iqa"], ("read",)),
        "another assessor": _headers(session, make_person("assessor")),
        "another learner": _headers(session, make_person("learner")),
        "read only": _headers(session, learner, ("read",)),
    }
    before = _written(session)
    refusals: list[tuple[str, int, dict[str, Any], int, str, str | None]] = [
        ("iqa", item.id, {}, 403, "", None),  # reads the item, has no evidence scope
        ("another assessor", item.id, {}, 404, "", None),
        ("another learner", item.id, {}, 404, "", None),
        ("read only", item.id, {}, 403, "lacks the scope", None),
        ("learner", gone.id, {}, 404, "No such evidence.", None),
        ("learner", account.id, {}, 422, "Only a witness testimony is confirmed by its witness.",
         None),
        ("learner", draft.id, {}, 422, witness.NEVER_SUBMITTED, None),
        ("learner", item.id, {"json": {"email": "j.smith at employer"}}, 422,
         "is not an e-mail address", "email"),
        ("learner", item.id, {"json": {}}, 422, "", "email"),
        ("learner", item.id, {"json": {"email": ""}}, 422, "", "email"),
        ("learner", item.id, {"json": {"email": 7}}, 422, "", "email"),
        ("learner", item.id, {"json": {"email": WITNESS, "requested_by": 1}}, 422, "",
         "requested_by"),
        ("learner", item.id, {"data": {"email": WITNESS}}, 415, "", "(body)"),
    ]  # fmt: skip
    for who, item_id, sent, status, words, field in refusals:
        r = _ask(mail_app, item_id, tokens[who], **sent)
        case = (who, item_id, sent)
        assert r.status_code == status and r.content_type == PROBLEM, (case, r.get_json())
        assert words in r.get_json()["detail"], (case, r.get_json())
        if field is not None:
            assert [e["field"] for e in r.get_json()["errors"]] == [field], case
    assert _written(session) == before
    assert handler.received.empty()


def test_an_iqa_who_also_assesses_is_refused_in_words(
    mail_app, inbox, session, said, make_person
) -> None:
    from portfolio.models import Registration

    both = make_person("iqa,assessor")  # holds the evidence scope, is only the learner's IQA
    reg = session.exec(
        select(Registration).where(Registration.learner_id == said["learner"].id)
    ).one()
    reg.iqa_id = both.id
    session.add(reg)
    session.commit()
    headers = _headers(session, both)
    before = _written(session)
    r = _ask(mail_app, said["item"].id, headers)
    assert r.status_code == 403
    assert r.get_json()["detail"] == "Only the learner or their assessor may ask the witness."
    assert _written(session) == before and inbox[0].received.empty()


def test_without_mail_or_the_sites_address_nothing_is_written_or_sent(
    mail_app, inbox, session, said
) -> None:
    headers = _headers(session, said["learner"])
    before = _written(session)
    mail_app.config.update(MAIL_HOST="")
    r = _ask(mail_app, said["item"].id, headers)
    assert r.status_code == 422 and r.get_json()["detail"] == NO_MAIL
    assert r.get_json()["title"] == "Cannot do that"
    mail_app.config.update(MAIL_HOST="127.0.0.1", BASE_URL=None, ENV="production")
    r = _ask(mail_app, said["item"].id, headers)
    assert r.status_code == 422 and r.get_json()["detail"] == NO_LINK
    assert "PORTFOLIO_BASE_URL" in NO_LINK
    assert _written(session) == before and inbox[0].received.empty()


def test_asking_through_the_api_is_rate_limited_per_token(mail_app, inbox, session, said) -> None:
    mail_app.config["WITNESS_RATE_LIMIT"] = "2 per hour"
    headers = _headers(session, said["learner"])
    answers = [_ask(mail_app, said["item"].id, headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].content_type == PROBLEM and answers[2].headers.get("Retry-After")
    assert "Only a witness testimony" not in answers[2].get_data(as_text=True)
    other = _headers(session, said["assessor"])  # another token counts on its own
    assert _ask(mail_app, said["item"].id, other).status_code == 201


def test_no_witness_is_asked_about_an_erased_learners_kept_testimony(
    mail_app, inbox, session, case, make_evidence, make_person
) -> None:
    dora, assessor = case["learner"], case["assessor"]
    kept = signed_off_testimony(session, case, make_evidence)
    erase_person(session, actor=actor_of(make_person("admin")), person_id=dora.id, store=None)
    session.commit()
    item = session.get(Evidence, kept.id)
    assert item is not None and item.erased_at is None  # kept behind SE01's sign-off
    headers = _headers(session, assessor)
    before = _written(session)
    r = _ask(mail_app, kept.id, headers)
    assert r.status_code == 422 and r.content_type == PROBLEM
    detail = r.get_json()["detail"]
    assert detail.startswith(REFUSED) and "no witness is asked" in detail
    assert _written(session) == before and inbox[0].received.empty()


def test_a_version_the_witness_confirmed_is_not_asked_about_again(
    mail_app, inbox, session, said
) -> None:
    handler, _port = inbox
    item, learner = said["item"], said["learner"]
    mine = _headers(session, learner)
    assert _ask(mail_app, item.id, mine).status_code == 201
    link = _link(handler.next()[1])
    answered = mail_app.test_client().post(link, data={"answer": "accurate", "comment": ""})
    assert answered.status_code == 200
    before = _written(session)
    r = _ask(mail_app, item.id, mine, json={"email": "other@employer.org"})
    assert r.status_code == 422 and r.content_type == PROBLEM, r.get_json()
    detail = r.get_json()["detail"]
    assert f"the witness, W ({WITNESS}), confirmed the version you submitted on " in detail
    assert "is not asked again about a version they confirmed: nothing was sent." in detail
    assert _written(session) == before
    assert handler.received.empty()
