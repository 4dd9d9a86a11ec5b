"""The administrator's break-in-learning forms, and how pages and the API say a break."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from portfolio.models import AuditEntry, Registration
from portfolio.services import breaks, withdrawals
from portfolio.words import day_words
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for

TODAY = date.today()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _setup(make_person, make_registration):
    learner = make_person("learner", name="Bea Break")
    assessor = make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01")
    return learner, assessor, reg


def test_admin_starts_and_ends_a_break_from_the_person_page(
    client, auth, session, make_person, make_registration
) -> None:
    learner, _assessor, reg = _setup(make_person, make_registration)
    auth.login("admin")
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f'action="/admin/registrations/{reg.id}/break"' in page
    assert f'<label for="break-reason-{reg.id}">Reason</label>' in page
    assert f'<label for="reason-{reg.id}">Reason</label>' in page  # the withdrawal's, apart
    until = TODAY + timedelta(days=90)
    response = client.post(
        f"/admin/registrations/{reg.id}/break",
        data={"reason": "Maternity leave", "until": until.isoformat()},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/people/{learner.id}"
    session.expire_all()
    stored = session.get(Registration, reg.id)
    assert (stored.break_since, stored.break_until) == (TODAY, until)
    planned = stored.planned_end
    html = _text(client.get(f"/admin/people/{learner.id}"))
    assert f"Recorded a break in learning from {day_words(TODAY)}." in html
    assert f"On a break since {day_words(TODAY)} : Maternity leave." in html
    assert f"Expected back by {day_words(until)}" in html
    assert "end the break before recording a withdrawal" in html
    assert (
        f"Ending the break moves the planned end, {day_words(planned)}, and the due dates of the "
        "open plans due since the break began later by the time away." in html
    )
    raw = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f'action="/admin/registrations/{reg.id}/break/end"' in raw
    assert f'action="/admin/registrations/{reg.id}/withdraw"' not in raw
    # a second start is refused on the registration's own page, with the message
    again = client.post(f"/admin/registrations/{reg.id}/break", data={"reason": "Again"})
    assert again.status_code == 422 and "already on a break" in _text(again)
    response = client.post(f"/admin/registrations/{reg.id}/break/end", data={})
    assert response.status_code == 302
    session.expire_all()
    stored = session.get(Registration, reg.id)
    assert stored.break_since is None and stored.planned_end == planned  # ended the same day
    assert session.exec(
        select(AuditEntry.action).where(
            AuditEntry.subject_type == "registration", AuditEntry.subject_id == reg.id
        )
    ).all()[-2:] == ["registration.break_start", "registration.break_end"]
    history = _text(client.get(f"/admin/people/{learner.id}"))
    assert "On a break since" not in history


def test_a_refused_break_is_shown_again_with_its_message(
    client, auth, session, make_person, make_registration
) -> None:
    _learner, _assessor, reg = _setup(make_person, make_registration)
    auth.login("admin")
    response = client.post(
        f"/admin/registrations/{reg.id}/break",
        data={"reason": "Long-term sickness", "until": TODAY.isoformat()},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'id="break-until-{reg.id}-error"' in html and "must be after today" in html
    assert 'value="Long-term sickness"' in html
    response = client.post(f"/admin/registrations/{reg.id}/break/end", data={})
    assert response.status_code == 422 and "is not on a break" in _text(response)
    session.expire_all()
    assert session.get(Registration, reg.id).break_since is None


def _on_break(session, make_person, reg, since=TODAY) -> None:
    breaks.start_break(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=reg.id,
        reason="Maternity leave",
        today=since,
    )
    session.commit()


def test_caseload_registrations_list_and_home_say_the_break_in_words(
    client, auth, session, make_person, make_registration
) -> None:
    learner, assessor, reg = _setup(make_person, make_registration)
    make_registration(learner=make_person("learner", name="Sam Stays"), codes="SE01")
    since = TODAY - timedelta(days=3)
    _on_break(session, make_person, reg, since)
    said = f"On a break since {day_words(since)}"
    auth.login(assessor)
    caseload = _text(client.get("/caseload"))
    assert "Bea Break" in caseload and said in caseload
    assert "Withdrawn" not in caseload
    auth.logout()
    auth.login("admin")
    html = client.get("/admin/registrations").get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    (bea,) = [r for r in rows if "Bea Break" in r]
    (sam,) = [r for r in rows if "Sam Stays" in r]
    assert said in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", bea))
    assert "On a break" not in sam
    auth.logout()
    auth.login(learner)
    home = _text(client.get("/"))
    assert f"your registration is on a break since {day_words(since)}" in home
    assert "You can still read and write your evidence" in home
    assert (
        "your planned end and the due dates of your open plans move later by the time away "
        "when the break ends" in home
    )
    assert "Criteria with no submitted evidence yet" in home  # their work goes on


def test_the_learner_writes_evidence_on_a_break(
    client, auth, session, make_person, make_registration
) -> None:
    learner, _assessor, reg = _setup(make_person, make_registration)
    _on_break(session, make_person, reg)
    auth.login(learner)
    response = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={
            "title": "While away",
            "activity_date": TODAY.isoformat(),
            "body": "What I learned at home.",
        },
    )
    assert response.status_code == 302
    listed = _text(client.get(f"/learners/{learner.id}/evidence"))
    assert "While away" in listed


def test_a_learner_on_a_break_sorts_with_the_active_learners(
    client, auth, session, make_person, make_registration
) -> None:
    assessor = make_person("assessor")
    regs = [
        make_registration(
            learner=make_person("learner", name=name), assessor=assessor, codes="SE01"
        )
        for name in ("Ann Active", "Bea Break", "Wes Withdrawn")
    ]
    _on_break(session, make_person, regs[1])
    withdrawals.withdraw(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=regs[2].id,
        on=TODAY,
        reason="Moved away",
    )
    session.commit()
    auth.login(assessor)
    for sort, direction in ((s, d) for s in ("name", "rag", "end") for d in ("asc", "desc")):
        page = _text(client.get(f"/caseload?sort={sort}&dir={direction}"))
        assert "Ann Active" in page and "Bea Break" in page, direction  # not set apart
        assert "Wes Withdrawn" not in page and "On a break since" in page
        finished = _text(client.get(f"/caseload?sort={sort}&dir={direction}&show=finished"))
        assert "Wes Withdrawn" in finished and "Bea Break" not in finished


def test_the_api_gives_the_break_of_a_registration(
    client, session, make_person, make_registration
) -> None:
    _learner, _assessor, reg = _setup(make_person, make_registration)
    admin = make_person("admin")
    headers = bearer(token_for(session, admin.id))
    url = f"/api/v1/registrations/{reg.id}"
    shown = client.get(url, headers=headers).get_json()
    assert (shown["on_break_since"], shown["expected_return_on"]) == (None, None)
    until = TODAY + timedelta(days=60)
    breaks.start_break(
        session, actor=actor_of(admin), registration_id=reg.id, reason="Sick", until=until
    )
    session.commit()
    shown = client.get(url, headers=headers).get_json()
    assert (shown["on_break_since"], shown["expected_return_on"]) == (
        TODAY.isoformat(),
        until.isoformat(),
    )
    assert "Sick" not in str(shown)  # the reason is not given
    listed = client.get("/api/v1/registrations?limit=100", headers=headers).get_json()["items"]
    assert [r["on_break_since"] for r in listed if r["id"] == reg.id] == [TODAY.isoformat()]


def test_a_plan_due_during_a_break_is_paused_on_every_page_then_moved_on_at_the_return(
    client, auth, session, make_person, make_registration
) -> None:
    from mappings.assessment import plan_reads, plans
    from mappings.assessment.models import AssessmentPlan
    from portfolio.models import Notification
    from portfolio.models.base import utcnow

    learner, assessor, reg = _setup(make_person, make_registration)
    since, due = TODAY - timedelta(days=20), TODAY - timedelta(days=5)
    plan = plans.set_plan(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        title="Reflect on a visit",
        body="Write it up",
        due_on=due,
        criterion_ids=[plan_reads.targets_of(session, reg.id)[0].criterion_id],
        today=since - timedelta(days=10),
    )
    plan.set_at = utcnow() - timedelta(days=30)
    plan.due_chosen_on = plans.server_day(plan.set_at)
    session.add(plan)
    session.commit()
    _on_break(session, make_person, reg, since)
    paused = f"due {day_words(due)}; paused: on a break in learning"
    pages = (
        (learner, ("/", f"/plans/{plan.id}", f"/learners/{learner.id}/plans")),
        (assessor, (f"/learners/{learner.id}/progress", f"/plans/{plan.id}")),
    )
    for who, urls in pages:
        auth.login(who)
        for url in urls:
            html = _text(client.get(url))
            assert paused in html, url
            assert "Overdue" not in html and "days late" not in html, url
        auth.logout()
    auth.login("admin")
    assert client.post(f"/admin/registrations/{reg.id}/break/end", data={}).status_code == 302
    auth.logout()
    session.expire_all()
    now = due + timedelta(days=20)
    assert session.get(AssessmentPlan, plan.id).due_on == now
    auth.login(learner)
    html = _text(client.get(f"/plans/{plan.id}"))
    assert f"Open , due {day_words(now)}" in html and "paused" not in html
    (told,) = session.exec(
        select(Notification.text)
        .where(Notification.person_id == learner.id, Notification.kind == "plan")
        .where(Notification.text.startswith("Your break"))
    ).all()
    assert told.endswith(f"later by 20 days: it is now due {day_words(now)}.")
    (entry,) = session.exec(
        select(AuditEntry).where(AuditEntry.action == "plan.move", AuditEntry.subject_id == plan.id)
    ).all()
    assert entry.data["due_on"] == {"was": due.isoformat(), "now": now.isoformat()}
