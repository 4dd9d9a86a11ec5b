"""Review: notification e-mail is handed to the worker after the commit; a queue that does not
answer must not turn a saved comment into an error page (the user would post it again)."""

from __future__ import annotations

from sqlmodel import select

from portfolio.models import EvidenceComment, Notification
from tests.conftest import PASSWORD


def test_a_comment_saved_while_the_mail_queue_is_down_is_not_an_error(
    app, session, make_person, make_registration, make_evidence
) -> None:
    learner = make_person("learner", name="Lee Learner")
    assessor = make_person("assessor", name="Asha Assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    item = make_evidence(learner, title="Helping at the desk")
    app.config.update(
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=1,
        REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error is a 500 page
    client = app.test_client()
    r = client.post("/login", data={"email": learner.email, "password": PASSWORD})
    assert r.status_code == 302
    r = client.post(f"/evidence/{item.id}/comments", data={"body": "Is this enough?"})
    saved = session.exec(
        select(EvidenceComment).where(EvidenceComment.evidence_id == item.id)
    ).all()
    assert len(saved) == 1  # the comment was committed ...
    told = session.exec(select(Notification).where(Notification.person_id == assessor.id)).all()
    assert any(n.kind == "comment" and n.mailed_at is None for n in told)  # ... and left to send
    assert r.status_code == 302, r.status_code  # ... and the learner is not shown an error
