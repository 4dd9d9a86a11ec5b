"""Review: once a person stops an e-mail (the link in yesterday's digest, or "No e-mail" on the
account page), nothing more of it should be sent them."""

from __future__ import annotations

from sqlmodel import Session

from portfolio.services import mail, notice_mail, notifications
from tests.conftest import _session_on, actor_of


def test_stopping_the_digest_stops_the_digest_not_yet_sent(
    session: Session, make_person, monkeypatch
) -> None:
    learner = make_person("learner", name="Lee Learner")
    notifications.set_preferences(session, actor=actor_of(learner), modes={"comment": "digest"})
    notifications.notify(session, person_id=learner.id, text="Asha commented on “Dean's CV”.",
                         link="/evidence/3", kind="comment")  # fmt: skip
    session.commit()
    # the learner follows the stop link of an earlier digest (same token every day)
    stop = notice_mail.token("test-secret", learner.id, notice_mail.DIGEST)
    notice_mail.unsubscribe(session, secret="test-secret", value=stop)
    session.commit()
    assert notifications.preferences(session, actor=actor_of(learner))["comment"] == "off"

    assert _sent_by_the_daily_run(session, monkeypatch) == [], (
        "a digest went to someone who had just stopped it"
    )


def test_no_email_on_the_account_page_stops_a_message_not_yet_sent(
    session: Session, make_person, monkeypatch
) -> None:
    learner = make_person("learner", name="Lee Learner")
    notifications.notify(session, person_id=learner.id, text="Asha referred “Dean's CV”.",
                         link="/evidence/3", kind="referral")  # fmt: skip
    session.commit()  # to send straight away; the queue lost it
    notifications.set_preferences(session, actor=actor_of(learner), modes={"referral": "off"})
    session.commit()
    assert _sent_by_the_daily_run(session, monkeypatch) == []


def _sent_by_the_daily_run(session: Session, monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(mail, "send", lambda settings, *, to, **_kw: sent.append(to))
    ctx = notice_mail.MailContext(
        settings=mail.MailSettings(host="127.0.0.1"), base_url="https://x", secret="test-secret"
    )
    connection = session.connection()
    notice_mail.send_digests(lambda: _session_on(connection), ctx)
    return sent
