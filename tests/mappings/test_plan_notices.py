"""The learner is told when their assessor sets them a plan: in the app, and by e-mail as they
chose for plans (sent after the commit); nothing when the plan is refused, as on a withdrawn
registration."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portfolio.errors import Invalid
from portfolio.models import Notification
from portfolio.services import notifications, withdrawals
from tests.conftest import actor_of
from tests.mappings.test_plans import TODAY, _set
from tests.portfolio.test_notify import SITE, _body, _login, _subject, inbox  # noqa: F401


@pytest.fixture
def case(session, make_person, make_registration):
    learner = make_person("learner", name="Lee Learner")
    assessor = make_person("assessor", name="Asha Assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    session.commit()
    return reg, {"learner": learner, "assessor": assessor, "admin": make_person("admin")}


def _told(session, person_id: int) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.person_id == person_id)))


def test_the_learner_is_told_of_a_plan_set_for_them(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    assert notifications.queued_mail(session) == [_told(session, people["learner"].id)[0].id]
    session.commit()
    (told,) = _told(session, people["learner"].id)
    due = (TODAY + timedelta(days=14)).strftime("%-d %b %Y")
    assert told.text == (
        f"Asha Assessor set you a plan: “Reflect on your last job-match visit”, due {due}."
    )
    assert told.link == f"/plans/{plan.id}" and told.kind == "plan" and told.mail == "now"
    assert _told(session, people["assessor"].id) == []


def test_a_learner_who_stopped_plan_mail_is_told_in_the_app_only(session, case) -> None:
    reg, people = case
    assert "plan" in notifications.preferences(session, actor=actor_of(people["learner"]))
    notifications.choose(session, person_id=people["learner"].id, kind="plan", mode="off")
    _set(session, reg, people["assessor"])
    assert notifications.queued_mail(session) == []
    (told,) = _told(session, people["learner"].id)
    assert told.mail == "off"


def test_no_one_is_told_of_a_plan_refused_on_a_withdrawn_registration(session, case) -> None:
    reg, people = case
    withdrawals.withdraw(
        session,
        actor=actor_of(people["admin"]),
        registration_id=reg.id,
        on=date.today(),
        reason="Moved away",
    )
    session.commit()
    with pytest.raises(Invalid, match="withdrew"):
        _set(session, reg, people["assessor"])
    session.rollback()
    assert _told(session, people["learner"].id) == []
    assert notifications.queued_mail(session) == []


def test_the_plan_is_mailed_to_the_learner_after_the_form_commits(
    app,
    session,
    case,
    inbox,  # noqa: F811
) -> None:
    reg, people = case
    learner = people["learner"]
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox[1], BASE_URL=SITE)
    client = app.test_client()
    _login(client, people["assessor"])
    page = client.get(f"/learners/{learner.id}/plans/new").get_data(as_text=True)
    criterion = page.split('name="criteria" value="', 1)[1].split('"', 1)[0]
    due = date.today() + timedelta(days=10)
    r = client.post(
        f"/learners/{learner.id}/plans/new",
        data={
            "title": "Write up the desk shift",
            "body": "A reflective account.",
            "due_on": due.isoformat(),
            "criteria": [criterion],
        },
    )
    assert r.status_code == 302
    to, message = inbox[0].next()
    assert to == [learner.email]
    assert _subject(message) == (
        "Competence Portfolio: Asha Assessor set you a plan: “Write up the desk shift”, "
        f"due {due.strftime('%-d %b %Y')}."
    )
    assert f"{SITE}{r.headers['Location'].removeprefix('http://localhost')}" in _body(message)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("witness_testimony", "asking for a witness testimony"),
        ("star_narrative", "asking for a STAR narrative"),
        ("observation_record", "asking for an observation record, which your assessor writes"),
        (
            "professional_discussion",
            "asking for a professional discussion, which your assessor writes",
        ),
    ],
)
def test_the_notice_says_the_kind_of_evidence_the_plan_asks_for(session, case, kind, words) -> None:
    reg, people = case
    _set(session, reg, people["assessor"], evidence_kind=kind)
    session.commit()
    (told,) = _told(session, people["learner"].id)
    due = (TODAY + timedelta(days=14)).strftime("%-d %b %Y")
    assert told.text == (
        f"Asha Assessor set you a plan: “Reflect on your last job-match visit”, due {due}, {words}."
    )
