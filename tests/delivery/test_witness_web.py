# ruff: noqa: F811 - the mail fixtures come from the password-reset tests
"""The witness confirms their testimony through the web, with real mail through a local SMTP
server (aiosmtpd): the learner asks on the evidence page, the e-mail's link opens a public page
showing the exact version, one answer is recorded and shown to every reader in words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from portfolio.errors import Invalid
from portfolio.models import AuditEntry, WitnessConfirmation
from portfolio.services import evidence as evidence_service
from portfolio.services import witness
from portfolio.services.evidence import Draft
from tests.conftest import PASSWORD, actor_of
from tests.delivery.test_password_reset import Inbox, inbox, mail_app  # noqa: F401 - fixtures

TEXT = "The learner led the vocational profile meeting and checked what the job seeker wanted."


@pytest.fixture
def case(session: Session, make_person, make_registration, make_evidence):
    learner = make_person("learner")
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    make_registration(learner, assessor, iqa)
    item = make_evidence(learner, kind="witness_testimony", title="Profile meeting", body=TEXT)
    return {"learner": learner, "assessor": assessor, "iqa": iqa, "item": item}


def _client(app: Flask, person: Any = None) -> Any:
    client = app.test_client()
    if person is not None:
        r = client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert r.status_code == 302
    return client


def _link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"https://portfolio\.centre\.example(/witness/\S+)", body)
    assert found, body
    return found.group(1)


def _ask(app: Flask, who: Any, item: Any, email: str = "j.smith@employer.org") -> Any:
    return _client(app, who).post(f"/evidence/{item.id}/witness", data={"email": email})


def _page(app: Flask, who: Any, item: Any) -> str:
    r = _client(app, who).get(f"/evidence/{item.id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_witness_confirms_by_the_mailed_link_and_everyone_reads_it(
    mail_app, inbox, case
) -> None:
    handler: Inbox = inbox[0]
    item = case["item"]
    asked = _ask(mail_app, case["learner"], item)
    assert asked.status_code == 302 and asked.headers["Location"].endswith("#witness")
    recipients, message = handler.next()
    assert recipients == ["j.smith@employer.org"]
    assert case["learner"].name in message["Subject"]
    path = _link(message)
    assert "not answered" in _page(mail_app, case["assessor"], item)

    witness_browser = mail_app.test_client()  # nobody logged in
    shown = witness_browser.get(path)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert TEXT in html and "Manager" in html and "Profile meeting" in html
    assert "I confirm this is an accurate account" in html and "This is not accurate" in html
    done = witness_browser.post(path, data={"answer": "accurate", "comment": ""})
    assert done.status_code == 200 and "answer is recorded" in done.get_data(as_text=True)

    for reader in ("learner", "assessor", "iqa"):
        page = _page(mail_app, case[reader], item)
        assert "Confirmed by the witness (j.smith@employer.org) on " in page, reader
        assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split('id="witness"')[1][:2000])
    again = witness_browser.post(path, data={"answer": "not_accurate", "comment": "Changed"})
    assert again.status_code == 410 and "already answered" in again.get_data(as_text=True)
    assert witness_browser.get(path).status_code == 410


def test_a_refusal_with_its_comment_is_shown_and_is_no_persons_act(
    mail_app, inbox, case, session: Session
) -> None:
    handler: Inbox = inbox[0]
    assert _ask(mail_app, case["assessor"], case["item"]).status_code == 302
    path = _link(handler.next()[1])
    # the learner, logged in, opens the link: the answer is still not recorded as theirs
    learner_browser = _client(mail_app, case["learner"])
    r = learner_browser.post(path, data={"answer": "not_accurate", "comment": "I was not there."})
    assert r.status_code == 200
    page = _page(mail_app, case["assessor"], case["item"])
    assert "Witness said it is not accurate (j.smith@employer.org, " in page
    assert "I was not there." in page
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "witness.answer")).one()
    assert entry.actor_id is None


def test_unknown_expired_and_superseded_links_give_a_clear_page(
    mail_app, inbox, case, session: Session, monkeypatch
) -> None:
    handler: Inbox = inbox[0]
    anon = mail_app.test_client()
    unknown = anon.get("/witness/not-a-real-link")
    assert unknown.status_code == 404 and "not known here" in unknown.get_data(as_text=True)
    assert anon.post("/witness/not-a-real-link", data={"answer": "accurate"}).status_code == 404

    _ask(mail_app, case["learner"], case["item"])
    path = _link(handler.next()[1])
    later = datetime.now(UTC) + timedelta(days=15)
    monkeypatch.setattr(witness, "utcnow", lambda: later)
    expired = anon.post(path, data={"answer": "accurate"})
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    monkeypatch.undo()

    _ask(mail_app, case["learner"], case["item"])
    path = _link(handler.next()[1])
    assert anon.post(path, data={"answer": "accurate"}).status_code == 200
    _resubmit(session, case)  # version 2 (version 1, confirmed, is not asked about again)
    _ask(mail_app, case["learner"], case["item"])
    superseded = _link(handler.next()[1])
    _resubmit(session, case, " Even more.")  # version 3
    gone = anon.get(superseded)
    assert gone.status_code == 410 and "testimony has changed" in gone.get_data(as_text=True)
    page = _page(mail_app, case["assessor"], case["item"])
    assert "confirmed an earlier version (version 1)" in page
    assert "this version is not confirmed" in page
    assert "Confirmed by the witness" not in page


def _resubmit(session: Session, case: dict[str, Any], more: str = " More.") -> None:
    actor, item = actor_of(case["learner"]), case["item"]
    version = evidence_service.current_version(session, item)
    evidence_service.update(
        session,
        actor=actor,
        evidence_id=item.id,
        expected_version=version.number,
        draft=Draft(item.kind, item.title, item.activity_date, TEXT + more, version.fields),
    )
    evidence_service.submit(session, actor=actor, evidence_id=item.id, declaration=True)
    session.commit()


def test_bad_answers_are_refused_and_the_link_still_works(
    mail_app, inbox, case, session: Session
) -> None:
    handler: Inbox = inbox[0]
    _ask(mail_app, case["learner"], case["item"])
    path = _link(handler.next()[1])
    anon = mail_app.test_client()
    for data in ({}, {"answer": "maybe"}, {"answer": "not_accurate", "comment": "x" * 2001}):
        r = anon.post(path, data=data)
        assert r.status_code == 422, data
        html = r.get_data(as_text=True)
        assert "There is a problem" in html
        if "comment" not in data:  # the summary's link leads to the answer buttons
            assert 'href="#answer"' in html and 'id="answer"' in html
    assert session.exec(select(WitnessConfirmation)).one().answered_at is None
    assert anon.get(path).status_code == 200


def test_asking_needs_a_real_address_mail_and_the_right_person(
    mail_app, inbox, case, make_person, app: Flask
) -> None:
    bad = _ask(mail_app, case["learner"], case["item"], email="j.smith at employer")
    assert bad.status_code == 422
    assert 'id="witness-email-error"' in bad.get_data(as_text=True) or "not an e-mail" in (
        bad.get_data(as_text=True)
    )
    assert _ask(mail_app, case["iqa"], case["item"]).status_code == 403
    assert _ask(mail_app, make_person("assessor"), case["item"]).status_code == 404
    iqa_page = _page(mail_app, case["iqa"], case["item"])
    assert "E-mail the witness" not in iqa_page
    assert "E-mail the witness" in _page(mail_app, case["learner"], case["item"])
    app.config["MAIL_HOST"] = None
    no_mail = _ask(app, case["learner"], case["item"])
    assert no_mail.status_code == 422 and "cannot send e-mail" in no_mail.get_data(as_text=True)
    # a learner has no setting to pass on: who can help is named instead
    assert "PORTFOLIO_MAIL_HOST" not in no_mail.get_data(as_text=True)
    assert "tell your centre&#39;s administrator" in no_mail.get_data(as_text=True)
    assert inbox[0].received.empty()


def test_other_kinds_have_no_witness_part(mail_app, case, make_evidence) -> None:
    account = make_evidence(case["learner"], kind="reflective_account")
    assert 'id="witness"' not in _page(mail_app, case["learner"], account)
    assert _ask(mail_app, case["learner"], account).status_code == 422


def test_asking_and_answering_are_rate_limited(mail_app, inbox, case) -> None:
    mail_app.config["WITNESS_RATE_LIMIT"] = "2 per hour"
    answers = [_ask(mail_app, case["learner"], case["item"]).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    anon = mail_app.test_client()
    tries = [anon.post("/witness/not-a-real-link", data={}).status_code for _ in range(3)]
    assert tries == [404, 404, 429]


def test_the_answer_form_needs_a_csrf_token(engine, connection, tmp_path, session, case) -> None:
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app({"ENGINE": engine, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    token = witness.request(
        session, actor=actor_of(case["learner"]), evidence_id=case["item"].id, email="w@e.org"
    ).token
    session.commit()
    client = app.test_client()
    assert client.post(f"/witness/{token}", data={"answer": "accurate"}).status_code == 400
    page = client.get(f"/witness/{token}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = client.post(f"/witness/{token}", data={"answer": "accurate", "csrf_token": csrf})
    assert r.status_code == 200


def test_asking_again_replaces_the_earlier_link_which_says_so(
    mail_app, inbox, case, session: Session
) -> None:
    handler: Inbox = inbox[0]
    assert _ask(mail_app, case["learner"], case["item"]).status_code == 302
    old = _link(handler.next()[1])
    assert _ask(mail_app, case["assessor"], case["item"]).status_code == 302
    new = _link(handler.next()[1])
    anon = mail_app.test_client()
    for r in (anon.get(old), anon.post(old, data={"answer": "not_accurate", "comment": "Old"})):
        html = r.get_data(as_text=True)
        assert r.status_code == 410
        assert "This request was replaced by a later one; use the newest e-mail" in html
    rows = session.exec(select(WitnessConfirmation).order_by(WitnessConfirmation.id)).all()
    assert [(r.answer, r.answered_at) for r in rows] == [("", None), ("", None)]
    assert rows[0].replaced_by == rows[1].id
    page = _page(mail_app, case["learner"], case["item"]).split('id="witness"')[1][:3000]
    assert page.count("replaced by a later request on ") == 1
    assert anon.get(new).status_code == 200


def test_the_ask_form_says_which_version_the_witness_will_see(
    mail_app, inbox, case, session: Session, make_evidence
) -> None:
    handler: Inbox = inbox[0]
    item = case["item"]
    version = evidence_service.current_version(session, item)
    evidence_service.update(
        session,
        actor=actor_of(case["learner"]),
        evidence_id=item.id,
        expected_version=version.number,
        draft=Draft(item.kind, item.title, item.activity_date, TEXT + " Draft.", version.fields),
    )
    session.commit()
    said = "The witness will see the version you submitted on "
    page = _page(mail_app, case["learner"], item)
    assert said in page and "not your draft changes" in page
    assessor_page = _page(mail_app, case["assessor"], item)
    assert f"The witness will see the version {case['learner'].name} submitted on " in (
        assessor_page
    )
    client = _client(mail_app, case["learner"])
    done = client.post(f"/evidence/{item.id}/witness", data={"email": "w@employer.org"})
    assert done.status_code == 302
    assert "not your draft changes" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert TEXT + " Draft." not in _link_page(mail_app, handler)

    never = make_evidence(case["learner"], kind="witness_testimony", body=TEXT, submit=False)
    refused = _ask(mail_app, case["learner"], never)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "no version of it was ever submitted" in html
    assert evidence_service.current_version(session, never).body == TEXT
    assert inbox[0].received.empty()


def _link_page(app: Flask, handler: Inbox) -> str:
    r = app.test_client().get(_link(handler.next()[1]))
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _confirmed(session: Session, case: dict[str, Any]) -> WitnessConfirmation:
    """The learner asked and the witness confirmed the submitted version."""
    asked = witness.request(
        session, actor=actor_of(case["learner"]), evidence_id=case["item"].id,
        email="j.smith@employer.org",
    )  # fmt: skip
    row = witness.answer(session, token=asked.token, accurate=True)
    session.commit()
    return row


def test_a_confirmed_version_is_not_asked_about_again_by_the_service(
    session: Session, case
) -> None:
    _confirmed(session, case)
    before = session.exec(select(WitnessConfirmation)).all()
    for who in ("learner", "assessor"):
        with pytest.raises(Invalid) as refused:
            witness.request(
                session, actor=actor_of(case[who]), evidence_id=case["item"].id,
                email="other@employer.org",
            )  # fmt: skip
        said = str(refused.value)
        assert "the witness, W (j.smith@employer.org), confirmed the version" in said
        assert "is not asked again about a version they confirmed: nothing was sent." in said
        assert "the new version" in said
        session.rollback()
    assert session.exec(select(WitnessConfirmation)).all() == before
    _resubmit(session, case)  # a new version: the witness may be asked about it
    asked = witness.request(
        session, actor=actor_of(case["learner"]), evidence_id=case["item"].id,
        email="j.smith@employer.org",
    )  # fmt: skip
    assert asked.row.version_number == 2


def test_the_page_says_who_confirmed_and_when_and_offers_no_ask_form(
    mail_app, inbox, case, session: Session
) -> None:
    _confirmed(session, case)
    for who, next_step in (
        ("learner", "If you change the testimony and submit it again, you can ask the witness "
         "to confirm the new version."),
        ("assessor", f"If {case['learner'].name} changes the testimony and submits it again, the "
         "witness can be asked to confirm the new version."),
    ):  # fmt: skip
        page = (
            _page(mail_app, case[who], case["item"]).split('id="witness"')[1].split("</section")[0]
        )
        page = page.replace("&#39;", "'")
        assert re.search(
            r"On \d{1,2} [A-Z][a-z]{2} \d{4} the witness, W \(j\.smith@employer\.org\), "
            r"confirmed the version (you|\w[\w ]*) submitted on \d{1,2} [A-Z][a-z]{2} \d{4}\.",
            page,
        ), page
        assert "is not asked again about a version they confirmed" in page
        assert next_step in page
        assert "<form" not in page and "E-mail the witness a link" not in page
    refused = _ask(mail_app, case["learner"], case["item"], email="other@employer.org")
    html = refused.get_data(as_text=True).replace("&#39;", "'")
    assert refused.status_code == 422
    assert "is not asked again about a version they confirmed: nothing was sent." in html
    assert inbox[0].received.empty()
    assert len(session.exec(select(WitnessConfirmation)).all()) == 1


def test_a_draft_after_the_confirmation_says_to_submit_it_first(
    mail_app, inbox, case, session: Session
) -> None:
    _confirmed(session, case)
    item = case["item"]
    version = evidence_service.current_version(session, item)
    evidence_service.update(
        session,
        actor=actor_of(case["learner"]),
        evidence_id=item.id,
        expected_version=version.number,
        draft=Draft(item.kind, item.title, item.activity_date, TEXT + " Draft.", version.fields),
    )
    session.commit()
    page = _page(mail_app, case["learner"], item).replace("&#39;", "'")
    assert "If you submit your draft changes, you can then ask the witness to confirm the new " in (
        page
    )
    assessor = _page(mail_app, case["assessor"], item).replace("&#39;", "'")
    assert f"If {case['learner'].name} submits the draft changes made since, the witness can " in (
        assessor
    )


def test_after_not_accurate_the_witness_may_be_asked_again(session: Session, case) -> None:
    learner = actor_of(case["learner"])
    asked = witness.request(
        session, actor=learner, evidence_id=case["item"].id, email="j.smith@employer.org"
    )
    witness.answer(session, token=asked.token, accurate=False, comment="Wrong date.")
    session.commit()
    again = witness.request(
        session, actor=learner, evidence_id=case["item"].id, email="j.smith@employer.org"
    )
    assert again.row.version_number == 1 and again.replaced == []
