"""The learner and their allocated assessor are told when a break in learning starts and ends: in
the app, and by e-mail as each chose for breaks (kind ``break``, straight away by default, sent
once the form has committed); nothing when the administrator's form is refused. An erased learner
is not named in their assessor's notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from mappings.privacy import requests
from portfolio.errors import Invalid
from portfolio.models import Framework, Notification
from portfolio.services import breaks, notifications
from portfolio.words import day_words
from tests.conftest import actor_of
from tests.delivery.test_password_reset import (  # noqa: F401 - fixtures
    _free_port,
    inbox,
    mail_app,
)
from tests.portfolio.test_notify import _body, _subject

TODAY = date.today()
SITE = "https://portfolio.centre.example"


@pytest.fixture
def case(session, make_person, make_registration):
    learner = make_person("learner", name="Lee Learner")
    assessor = make_person("assessor", name="Asha Assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01")
    session.commit()
    framework = session.get(Framework, reg.framework_id).title
    return reg, learner, assessor, make_person("admin"), framework


def _told(session, person) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.person_id == person.id, Notification.kind == "break")
            .order_by(col(Notification.id))
        )
    )


def test_learner_and_assessor_are_told_when_a_break_starts_and_ends(session, case) -> None:
    reg, learner, assessor, admin, framework = case
    began, back = TODAY - timedelta(days=30), TODAY + timedelta(days=60)
    breaks.start_break(
        session,
        actor=actor_of(admin),
        registration_id=reg.id,
        reason="Maternity leave",
        until=back,
        today=began,
    )
    session.commit()
    progress = f"/learners/{learner.id}/progress"
    (own,) = _told(session, learner)
    assert own.text == (
        f"Your registration on {framework} is on a break from {day_words(began)}, "
        f"expected back by {day_words(back)}."
    )
    assert (own.link, own.mail) == ("/", "now")
    (theirs,) = _told(session, assessor)
    assert theirs.text == (
        f"Lee Learner's registration on {framework} is on a break from {day_words(began)}, "
        f"expected back by {day_words(back)}."
    )
    assert (theirs.link, theirs.mail) == (progress, "now")
    assert "Maternity leave" not in own.text + theirs.text  # the reason is said to no one
    assert _told(session, admin) == []

    was = reg.planned_end
    notifications.queued_mail(session)  # the start's, sent as the request ends
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    assert sorted(notifications.queued_mail(session)) == sorted(
        n.id for n in (*_told(session, learner)[1:], *_told(session, assessor)[1:])
    )
    session.commit()
    now = day_words(was + timedelta(days=30))
    assert [n.text for n in _told(session, learner)][1:] == [
        f"Your registration on {framework} is back from its break, which ended on "
        f"{day_words(TODAY)}: your planned end is now {now}."
    ]
    assert [n.text for n in _told(session, assessor)][1:] == [
        f"Lee Learner's registration on {framework} is back from its break, which ended on "
        f"{day_words(TODAY)}: the planned end is now {now}."
    ]


def test_breaks_are_a_kind_learners_and_assessors_choose_for(session, case) -> None:
    reg, learner, assessor, admin, _framework = case
    assert notifications.KINDS["break"] == "Breaks in learning"
    for person in (learner, assessor):
        assert "break" in notifications.preferences(session, actor=actor_of(person))
    notifications.choose(session, person_id=learner.id, kind="break", mode="off")
    breaks.start_break(session, actor=actor_of(admin), registration_id=reg.id, reason="Sick")
    (own,) = _told(session, learner)
    (theirs,) = _told(session, assessor)
    assert own.mail == "off" and notifications.queued_mail(session) == [theirs.id]


def test_a_learner_with_no_assessor_is_told_alone(session, make_person, make_registration) -> None:
    learner = make_person("learner")
    reg = make_registration(learner=learner, codes="SE01")
    breaks.start_break(
        session, actor=actor_of(make_person("admin")), registration_id=reg.id, reason="Sick"
    )
    told = session.exec(select(Notification.person_id).where(Notification.kind == "break")).all()
    assert told == [learner.id]


def test_a_refused_break_tells_no_one(session, case) -> None:
    reg, learner, assessor, admin, _framework = case
    with pytest.raises(Invalid):
        breaks.start_break(
            session, actor=actor_of(admin), registration_id=reg.id, reason="Sick", until=TODAY
        )
    with pytest.raises(Invalid, match="not on a break"):
        breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.rollback()
    assert _told(session, learner) == _told(session, assessor) == []


def test_an_erased_learner_is_not_named_in_their_assessors_notices(session, case) -> None:
    reg, learner, assessor, admin, _framework = case
    breaks.start_break(session, actor=actor_of(admin), registration_id=reg.id, reason="Sick")
    session.commit()
    requests.erase_person(session, actor=actor_of(admin), person_id=learner.id, store=None)
    session.commit()
    session.expire_all()
    (theirs,) = _told(session, assessor)
    assert "Lee Learner" not in theirs.text and "'s registration on" in theirs.text


def test_the_break_is_mailed_once_the_form_has_committed(
    mail_app,  # noqa: F811
    inbox,  # noqa: F811
    client,
    auth,
    case,
) -> None:
    reg, learner, assessor, _admin, framework = case
    auth.login("admin")
    r = client.post(f"/admin/registrations/{reg.id}/break", data={"reason": "Long-term sickness"})
    assert r.status_code == 302
    received = {}
    for _ in range(2):
        to, message = inbox[0].next()
        received[to[0]] = message
    since = day_words(TODAY)
    own = f"Your registration on {framework} is on a break from {since}."
    assert _subject(received[learner.email]).startswith("Competence Portfolio: Your registration")
    assert own in _body(received[learner.email])
    theirs = f"Lee Learner's registration on {framework} is on a break from {since}."
    assert _subject(received[assessor.email]).startswith("Competence Portfolio: Lee Learner's")
    assert theirs in _body(received[assessor.email])
    assert f"{SITE}/learners/{learner.id}/progress" in _body(received[assessor.email])
    assert inbox[0].received.empty()  # each told once
