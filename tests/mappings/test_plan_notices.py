"""The learner is told when their assessor sets them a plan, and what changed when they change
one: in the app, and by e-mail as they chose for plans (sent after the commit); nothing when the
plan is refused, as on a withdrawn registration, nor when nothing they see changed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from mappings.assessment import plan_reads, plans
from portfolio.errors import Invalid
from portfolio.models import Notification
from portfolio.services import notifications, withdrawals
from tests.conftest import actor_of
from tests.mappings.test_plans import TODAY, _criteria, _set
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


# A plan changed: the learner is told what changed, in words, when it is something they see.


def _edit(session, plan, person, **changes):
    values = {
        "title": plan.title,
        "body": plan.body,
        "criterion_ids": plan_reads.criterion_ids_of(session, plan.id),
        "due_on": plan.due_on,
        "evidence_kind": plan.evidence_kind,
        "today": TODAY,
    }
    values.update(changes)
    return plans.edit_plan(session, actor=actor_of(person), plan_id=plan.id, **values)


def _changed(session, learner_id: int) -> list[str]:
    return [n.text for n in _told(session, learner_id) if " changed your plan " in n.text]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"due_on": date(2026, 12, 17)}, "due date moved to 17 Dec 2026"),
        ({"evidence_kind": "witness_testimony"}, "now asks for a witness testimony"),
        (
            {"evidence_kind": "observation_record"},
            "now asks for an observation record, which your assessor writes",
        ),
        ({"body": "Write about two visits."}, "what to do changed"),
        (
            {"title": "Reflect on two visits"},
            "renamed from “Reflect on your last job-match visit”",
        ),
        ({"criteria": ("SE03", "P4", "P5", "P6", "P7", "P8")}, "now also covers SE03 P8"),
        ({"criteria": ("SE03", "P4", "P5")}, "no longer covers SE03 P6 and SE03 P7"),
    ],
)
def test_the_learner_is_told_in_words_what_changed_in_their_plan(
    session, case, changes, words
) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    notifications.queued_mail(session)  # the plan set
    session.commit()
    if "criteria" in changes:
        code, *numbers = changes.pop("criteria")
        changes["criterion_ids"] = _criteria(session, code, *numbers)
    _edit(session, plan, people["assessor"], **changes)
    (mailed,) = notifications.queued_mail(session)
    session.commit()
    (text,) = _changed(session, people["learner"].id)
    assert text == f"Asha Assessor changed your plan “{plan.title}”: {words}."
    told = session.get(Notification, mailed)
    assert told.link == f"/plans/{plan.id}" and told.kind == "plan" and told.text == text
    assert _told(session, people["assessor"].id) == []


def test_several_changes_are_named_in_one_notice_and_any_kind_in_words(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"], evidence_kind="star_narrative")
    session.commit()
    _edit(session, plan, people["assessor"], due_on=date(2027, 1, 8), evidence_kind=None)
    session.commit()
    assert _changed(session, people["learner"].id) == [
        f"Asha Assessor changed your plan “{plan.title}”: due date moved to 8 Jan 2027; "
        "now asks for any kind of evidence, your choice."
    ]


def test_no_notice_when_nothing_the_learner_sees_changed(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    notifications.queued_mail(session)  # the plan set
    session.commit()
    criteria = plan_reads.criterion_ids_of(session, plan.id)
    _edit(
        session,
        plan,
        people["assessor"],
        title=f"  {plan.title} ",
        body=plan.body.replace("\n", "\r\n") + "\n",
        criterion_ids=list(reversed(criteria)) + criteria[:1],
        evidence_kind="",
    )
    assert notifications.queued_mail(session) == []
    session.commit()
    assert _changed(session, people["learner"].id) == []
    assert len(_told(session, people["learner"].id)) == 1  # the plan set


def test_the_same_change_unread_is_not_told_twice(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    was = plan.due_on
    for due in (date(2026, 12, 17), was, date(2026, 12, 17)):
        _edit(session, plan, people["assessor"], due_on=due)
        session.commit()
    moved = f"Asha Assessor changed your plan “{plan.title}”: due date moved to"
    assert _changed(session, people["learner"].id) == [
        f"{moved} 17 Dec 2026.",
        f"{moved} {was.strftime('%-d %b %Y')}.",
    ]
    notifications.mark_all_read(session, actor=actor_of(people["learner"]))
    _edit(session, plan, people["assessor"], due_on=was)
    _edit(session, plan, people["assessor"], due_on=date(2026, 12, 17))
    session.commit()
    assert len(_changed(session, people["learner"].id)) == 4  # once read, told again


def test_a_refused_change_tells_no_one(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    with pytest.raises(Invalid):
        _edit(session, plan, people["assessor"], title="New", body=" ")
    session.rollback()
    assert _changed(session, people["learner"].id) == []


def test_a_plan_changed_on_its_page_is_mailed_after_the_form_commits(
    app,
    session,
    case,
    inbox,  # noqa: F811
) -> None:
    reg, people = case
    learner = people["learner"]
    plan = _set(session, reg, people["assessor"], today=date.today())
    notifications.queued_mail(session)  # the plan set: not sent from this test's session
    session.commit()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox[1], BASE_URL=SITE)
    client = app.test_client()
    _login(client, people["assessor"])
    due = date.today() + timedelta(days=21)
    r = client.post(
        f"/plans/{plan.id}/edit",
        data={
            "title": plan.title,
            "body": plan.body,
            "due_on": due.isoformat(),
            "evidence_kind": "witness_testimony",
            "criteria": [str(c) for c in plan_reads.criterion_ids_of(session, plan.id)],
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    to, message = inbox[0].next()
    assert to == [learner.email]
    told = (
        f"Asha Assessor changed your plan “{plan.title}”: due date moved "
        f"to {due.strftime('%-d %b %Y')}; now asks for a witness testimony."
    )
    assert _subject(message).startswith("Competence Portfolio: Asha Assessor changed your plan")
    assert told in _body(message) and f"{SITE}/plans/{plan.id}" in _body(message)


def test_past_five_criteria_the_rest_are_counted(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    numbers = [f"P{n}" for n in range(1, 13)]
    more = _criteria(session, "SE01", *numbers)
    assert len(more) > 5
    _edit(
        session,
        plan,
        people["assessor"],
        criterion_ids=plan_reads.criterion_ids_of(session, plan.id) + more,
    )
    session.commit()
    (text,) = _changed(session, people["learner"].id)
    assert text.endswith(
        f": now also covers SE01 P1, SE01 P2, SE01 P3, SE01 P4, SE01 P5 and {len(more) - 5} more."
    )
