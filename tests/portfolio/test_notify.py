"""Notifications in the app and by e-mail through a real SMTP server (aiosmtpd on a local port):
who is told of what, straight away or in one daily digest, the one-click unsubscribe link and
header; comments on evidence; drafts that staff see exist but cannot read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from mappings.assessment import claims
from mappings.assessment.models import Claim
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Notification, Registration
from portfolio.services import comments, notice_mail, notifications, withdrawals
from portfolio.services import evidence as service
from tests.conftest import PASSWORD, actor_of
from tests.delivery.test_password_reset import Inbox, _free_port, wait_for_outbox

SITE = "https://portfolio.centre.example"


@pytest.fixture
def case(make_person, make_registration):
    learner = make_person("learner", name="Lee Learner")
    assessor = make_person("assessor", name="Asha Assessor")
    iqa = make_person("iqa", name="Ira Iqa")
    make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01")
    return learner, assessor, iqa


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a local port, keeping what it receives."""
    from aiosmtpd.controller import Controller

    handler, port = Inbox(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        wait_for_outbox()
        controller.stop()


@pytest.fixture
def ctx(inbox: tuple[Inbox, int]) -> notice_mail.MailContext:
    from portfolio.services.mail import MailSettings

    settings = MailSettings(host="127.0.0.1", port=inbox[1], sender="portfolio@centre.example")
    return notice_mail.MailContext(settings=settings, base_url=SITE, secret="test-secret")


def _factory(session: Session) -> Callable[[], Any]:
    """Sessions on the test's connection, as the worker's would be on its own."""
    from tests.conftest import _session_on

    connection = session.connection()
    return lambda: _session_on(connection)


def _subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def _texts(session: Session, person_id: int) -> list[tuple[str, str]]:
    rows = session.exec(
        select(Notification)
        .where(Notification.person_id == person_id)
        .order_by(col(Notification.id))
    )
    return [(n.kind, n.text) for n in rows]


def _claim(session, learner, item) -> Claim:
    ids = [c.criterion_id for c in claims.claimable_criteria(session, learner.id)][:2]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids)
    return session.exec(select(Claim).where(Claim.evidence_id == item.id)).first()


def test_who_is_told_of_submissions_decisions_and_comments(session, case, make_evidence) -> None:
    learner, assessor, iqa = case
    item = make_evidence(learner, title="Supporting a job seeker", submit=False)
    claim = _claim(session, learner, item)
    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    assert _texts(session, assessor.id) == [
        ("submission", "Lee Learner submitted “Supporting a job seeker” for a decision.")
    ]
    claims.decide(session, actor=actor_of(assessor), claim_id=claim.id, expected_revision=0,
                  decision="referred", method="RA", feedback="Say which code.")  # fmt: skip
    kinds = [k for k, _ in _texts(session, learner.id)]
    assert kinds == ["referral"]
    assert (
        "Asha Assessor referred a claim on “Supporting a job seeker”"
        in _texts(session, learner.id)[0][1]
    )
    # the conversation: each side is told of the other's comment, never of their own
    comments.add(session, actor=actor_of(learner), evidence_id=item.id, body="Which code?")
    comments.add(session, actor=actor_of(assessor), evidence_id=item.id, body="The NCS code.")
    assert [k for k, _ in _texts(session, assessor.id)] == ["submission", "comment"]
    assert [k for k, _ in _texts(session, learner.id)] == ["referral", "comment"]
    seen = comments.comments_on(session, actor=actor_of(iqa), evidence_id=item.id)
    assert [(c.author, c.body, c.by_learner) for c in seen] == [
        ("Lee Learner", "Which code?", True),
        ("Asha Assessor", "The NCS code.", False),
    ]
    with pytest.raises(PermissionDenied):  # the IQA reads the conversation, does not join it
        comments.add(session, actor=actor_of(iqa), evidence_id=item.id, body="Hello")
    with pytest.raises(Invalid):
        comments.add(session, actor=actor_of(learner), evidence_id=item.id, body="   ")
    history = service.detail(session, actor=actor_of(learner), evidence_id=item.id).history
    assert [h.action for h in history].count("evidence.comment") == 2


def test_each_notification_is_mailed_once_with_its_unsubscribe_link(
    session,
    case,
    ctx,
    inbox,
) -> None:
    learner, assessor, _ = case
    row = notifications.notify(session, person_id=learner.id, text="Asha accepted a claim.",
                               link="/evidence/7", kind="decision")  # fmt: skip
    assert row is not None and row.mail == "now"
    assert notifications.queued_mail(session) == [row.id]
    session.commit()
    from mappings.assessment import mailing

    mailing.start_thread(_factory(session), [row.id], ctx).result(timeout=30)  # the worker thread
    assert notice_mail.send_now(_factory(session), [row.id], ctx) == 0  # never twice
    to, message = inbox[0].next()
    assert to == [learner.email]
    assert _subject(message) == "Competence Portfolio: Asha accepted a claim."
    body = _body(message)
    assert "Hello Lee Learner," in body and f"{SITE}/evidence/7" in body
    stop = re.search(rf"{SITE}/notifications/unsubscribe/(\S+)", body)
    assert stop is not None
    assert message["List-Unsubscribe"] == f"<{stop.group(0)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the link stops that kind only, and works without logging in (a signed token)
    person, words = notice_mail.unsubscribe(session, secret="test-secret", value=stop.group(1))
    assert person.id == learner.id and words == "e-mail about decisions on your claims"
    assert notifications.preferences(session, actor=actor_of(learner))["decision"] == "off"
    assert notifications.preferences(session, actor=actor_of(learner))["referral"] == "now"
    later = notifications.notify(session, person_id=learner.id, text="Another.", kind="decision")
    assert later is not None and later.mail == "off" and notifications.queued_mail(session) == []
    with pytest.raises(Invalid):  # a token not signed with this site's key
        notice_mail.unsubscribe(session, secret="another-secret", value=stop.group(1))
    forged = stop.group(1).replace(f"{learner.id}.", f"{assessor.id}.", 1)
    with pytest.raises(Invalid):
        notice_mail.unsubscribe(session, secret="test-secret", value=forged)


def test_the_daily_digest_is_one_message_per_person_and_idempotent(
    session,
    case,
    ctx,
    inbox,
    cli,
    monkeypatch,
) -> None:
    learner, assessor, _ = case
    notifications.set_preferences(session, actor=actor_of(learner),
                                  modes={"comment": "digest", "referral": "digest"})  # fmt: skip
    notifications.choose(session, person_id=assessor.id, kind="submission", mode="off")
    for text, kind in (("Asha commented.", "comment"), ("Asha referred a claim.", "referral")):
        notifications.notify(session, person_id=learner.id, text=text, link="/evidence/3",
                             kind=kind)  # fmt: skip
    notifications.notify(session, person_id=assessor.id, text="Lee submitted.", kind="submission")
    assert notifications.queued_mail(session) == []  # nothing straight away
    session.commit()
    monkeypatch.setenv("PORTFOLIO_MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTFOLIO_MAIL_PORT", str(inbox[1]))
    monkeypatch.setenv("PORTFOLIO_BASE_URL", SITE)
    monkeypatch.setenv("PORTFOLIO_SECRET_KEY", "test-secret")
    result = cli("notifications", "digest")
    assert result.output.strip() == "1 digest and 0 single e-mails sent.", result.output
    assert cli("notifications", "digest", "--json").output.count('"digests": 0') == 1
    to, message = inbox[0].next()
    assert inbox[0].received.empty()  # one message, for the learner only
    assert to == [learner.email]
    assert _subject(message) == "Competence Portfolio: your daily digest (2 notifications)"
    body = _body(message)
    assert "- Asha commented." in body and "- Asha referred a claim." in body
    assert body.count(f"{SITE}/notifications/unsubscribe/") == 3  # the digest, and each kind
    token = message["List-Unsubscribe"].rsplit("/", 1)[1].rstrip(">")
    notice_mail.unsubscribe(session, secret="test-secret", value=token)
    chosen = notifications.preferences(session, actor=actor_of(learner))
    assert (chosen["comment"], chosen["referral"], chosen["decision"]) == ("off", "off", "now")


def test_staff_see_that_a_draft_exists_not_what_it_says(
    session, case, make_evidence, app: Flask
) -> None:
    learner, assessor, iqa = case
    from portfolio.services.files import FileStore

    store = FileStore(app.config["FILE_STORE"])
    item = make_evidence(learner, title="My plan", body="Secret first thoughts", submit=False)
    import io

    file = service.attach(session, actor=actor_of(learner), store=store, evidence_id=item.id,
                          filename="notes.txt", stream=io.BytesIO(b"draft notes"),
                          max_bytes=10_000)  # fmt: skip
    session.commit()
    for staff in (assessor, iqa):
        seen = service.detail(session, actor=actor_of(staff), evidence_id=item.id)
        assert seen.private and seen.version.title == "My plan"
        assert seen.version.body == "" and seen.attachments == []
        with pytest.raises(PermissionDenied):
            service.attachment_for(session, actor=actor_of(staff), attachment_id=file.id)
        found = service.page_for_learner(
            session, actor=actor_of(staff), learner_id=learner.id, query="secret"
        )
        assert found.total == 0  # a draft's text is not searched for others
        listed = service.page_for_learner(session, actor=actor_of(staff), learner_id=learner.id)
        assert [(r.title, r.status) for r in listed.rows] == [("My plan", "draft")]
    mine = service.detail(session, actor=actor_of(learner), evidence_id=item.id)
    assert not mine.private and mine.version.body == "Secret first thoughts"
    assert service.page_for_learner(session, actor=actor_of(learner), learner_id=learner.id,
                                    query="secret").total == 1  # fmt: skip
    # submitted: readable; a new draft of it: staff go on reading what was submitted
    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    assert service.attachment_for(session, actor=actor_of(assessor), attachment_id=file.id)
    service.update(session, actor=actor_of(learner), evidence_id=item.id, expected_version=1,
                   draft=service.Draft(kind="reflective_account", title="My plan",
                                       activity_date=item.activity_date,
                                       body="Half-written second go"))  # fmt: skip
    later = service.attach(session, actor=actor_of(learner), store=store, evidence_id=item.id,
                           filename="second thoughts.txt", stream=io.BytesIO(b"more notes"),
                           max_bytes=10_000)  # fmt: skip
    seen = service.detail(session, actor=actor_of(assessor), evidence_id=item.id)
    assert not seen.private and seen.version.number == 1
    assert seen.hidden_files == {later.sha256}  # its name stays out of the history they read
    assert seen.version.body == "Secret first thoughts"
    hidden = service.detail(session, actor=actor_of(assessor), evidence_id=item.id, number=2)
    assert hidden.private and hidden.version.body == ""
    with pytest.raises(NotFound):
        service.detail(session, actor=actor_of(assessor), evidence_id=item.id, number=3)


def _login(client, person) -> None:
    r = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 302


def test_pages_bell_comments_choices_and_unsubscribe(
    app: Flask,
    session,
    case,
    make_evidence,
    inbox,
) -> None:
    learner, assessor, iqa = case
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox[1], BASE_URL=SITE)
    item = make_evidence(learner, title="Helping at the desk", body="Plain text")
    draft = make_evidence(learner, title="Unfinished", body="Not for eyes yet", submit=False)
    client = app.test_client()
    _login(client, learner)
    r = client.post(f"/evidence/{item.id}/comments", data={"body": "Is this enough?"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/evidence/{item.id}#comments")
    to, message = inbox[0].next()  # the assessor is e-mailed, after the commit
    assert to == [assessor.email]
    assert (
        _subject(message) == "Competence Portfolio: Lee Learner commented on “Helping at the desk”."
    )
    assert f"{SITE}/evidence/{item.id}#comments" in _body(message)
    r = client.post(f"/evidence/{item.id}/comments", data={"body": ""})
    assert r.status_code == 422 and "Write your comment." in r.get_data(as_text=True)
    r = client.post("/account/notifications", data={"mail-comment": "digest",
                                                    "mail-decision": "off"})  # fmt: skip
    assert r.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'name="mail-comment" value="digest" checked' in page
    assert 'name="mail-decision" value="off" checked' in page
    assert "mail-submission" not in page  # a learner is not offered an assessor's kinds

    staff = app.test_client()
    _login(staff, assessor)
    page = staff.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Is this enough?" in page and "Lee Learner" in page
    assert '<span class="visually-hidden">(2 unread)</span>' in page  # the bell, in words
    assert 'class="badge bell-count" aria-hidden="true">2<' in page
    page = staff.get(f"/evidence/{draft.id}").get_data(as_text=True)
    assert "Unfinished" in page and "Draft" in page and "Not for eyes yet" not in page
    assert "Add comment" in page  # the conversation goes on about a draft too

    reader = app.test_client()
    _login(reader, iqa)
    page = reader.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Is this enough?" in page and "Add comment" not in page
    assert reader.post(f"/evidence/{item.id}/comments", data={"body": "x"}).status_code == 403

    token = notice_mail.token("test-secret", assessor.id, "comment")
    anonymous = app.test_client()
    asked = anonymous.get(f"/notifications/unsubscribe/{token}")
    assert asked.status_code == 200 and "stop e-mail about comments on evidence" in asked.get_data(
        as_text=True
    )
    assert notifications.mode_of(session, assessor.id, "comment") == "now"  # GET changes nothing
    done = anonymous.post(f"/notifications/unsubscribe/{token}")
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert notifications.mode_of(session, assessor.id, "comment") == "off"
    assert anonymous.get("/notifications/unsubscribe/1.comment.0000").status_code == 404


def test_one_click_unsubscribe_needs_no_csrf_token(
    engine, connection, tmp_path, session, make_person
) -> None:
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app({"ENGINE": engine, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    person = make_person("assessor")
    client = app.test_client()
    token = notice_mail.token("x", person.id, "submission")
    # what a mail program sends for List-Unsubscribe-Post: no cookie, no CSRF token
    r = client.post(f"/notifications/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
                    content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert r.status_code == 200
    assert notifications.mode_of(session, person.id, "submission") == "off"


def test_an_assessors_bundle_leaves_out_the_learners_drafts(
    session, case, make_evidence, tmp_path
) -> None:
    import io
    import zipfile

    from exports.bundle import write_bundle
    from exports.bundle.check import verify_bundle
    from portfolio.services.files import FileStore

    learner, assessor, _ = case
    store = FileStore(tmp_path / "files")
    make_evidence(learner, title="Never submitted", body="Private musings", submit=False)
    item = make_evidence(learner, title="Submitted once", body="What was submitted")
    service.update(session, actor=actor_of(learner), evidence_id=item.id, expected_version=1,
                   draft=service.Draft(kind="reflective_account", title="Submitted once",
                                       activity_date=item.activity_date,
                                       body="A second go, half written"))  # fmt: skip
    session.commit()

    def manifest(who) -> tuple[Any, bytes]:
        out = io.BytesIO()
        write_bundle(session, store, learner.id, out, actor=actor_of(who))
        with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
            every = b"".join(zf.read(name) for name in zf.namelist())
            return verify_bundle(zf), every  # every hash checks

    theirs, data = manifest(assessor)
    assert [(e.title, e.status, e.current_version) for e in theirs.evidence] == [
        ("Submitted once", "submitted", 1)
    ]
    assert [v.body for v in theirs.evidence[0].versions] == ["What was submitted"]
    assert b"Private musings" not in data and b"half written" not in data
    own, _ = manifest(learner)  # the learner's own bundle holds everything
    assert [(e.title, e.current_version) for e in own.evidence] == [
        ("Never submitted", 1),
        ("Submitted once", 2),
    ]


def test_the_assessor_is_not_told_of_a_withdrawn_learners_submission(
    session, case, make_evidence, make_person
) -> None:
    learner, assessor, _iqa = case
    [reg] = session.exec(select(Registration).where(Registration.learner_id == learner.id))
    admin = actor_of(make_person("admin"))
    withdrawals.withdraw(
        session, actor=admin, registration_id=reg.id, on=reg.start_date, reason="Moved away"
    )
    item = make_evidence(learner, title="After leaving", submit=False)
    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    assert _texts(session, assessor.id) == []
    withdrawals.reinstate(session, actor=admin, registration_id=reg.id)
    again = make_evidence(learner, title="Back again", submit=False)
    service.submit(session, actor=actor_of(learner), evidence_id=again.id, declaration=True)
    assert _texts(session, assessor.id) == [
        ("submission", "Lee Learner submitted “Back again” for a decision.")
    ]


def test_nobody_is_told_of_a_comment_on_an_item_they_cannot_read_yet(
    session, case, make_evidence
) -> None:
    """A draft is its author's alone: a comment on an assessor's unsubmitted record tells the
    learner nothing (not even its title), nor one on the learner's draft their assessor."""
    learner, assessor, _ = case
    record = make_evidence(
        learner, author=assessor, kind="observation_record",
        title="ASSESSOR-DRAFT observation", submit=False,
    )  # fmt: skip
    comments.add(session, actor=actor_of(assessor), evidence_id=record.id, body="Ask about CVs")
    draft = make_evidence(learner, title="LEARNER-DRAFT notes", submit=False)
    comments.add(session, actor=actor_of(learner), evidence_id=draft.id, body="Note to self")
    assert _texts(session, learner.id) == []
    assert _texts(session, assessor.id) == []
    service.submit(session, actor=actor_of(learner), evidence_id=draft.id, declaration=True)
    comments.add(session, actor=actor_of(learner), evidence_id=draft.id, body="Which code?")
    assert [k for k, _ in _texts(session, assessor.id)] == ["submission", "comment"]
