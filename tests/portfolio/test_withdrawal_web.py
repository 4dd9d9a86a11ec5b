"""The administrator's withdrawal and reinstatement forms, and how pages say a withdrawal."""

from __future__ import annotations

import re
from datetime import date, timedelta

from portfolio.models import Framework, Registration
from portfolio.services import withdrawals
from portfolio.words import day_words
from tests.conftest import actor_of
from tests.mappings.test_assessment import _accept_all

YESTERDAY = date.today() - timedelta(days=1)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _setup(make_person, make_registration):
    learner = make_person("learner", name="Wendy Withdrawn")
    assessor = make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01")
    return learner, assessor, reg


def test_admin_withdraws_and_reinstates_from_the_person_page(
    client, auth, session, make_person, make_registration
) -> None:
    learner, _assessor, reg = _setup(make_person, make_registration)
    auth.login("admin")
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f'action="/admin/registrations/{reg.id}/withdraw"' in page
    assert f'<label for="on-{reg.id}">Date the learner left</label>' in page
    assert f'<label for="reason-{reg.id}">Reason</label>' in page
    response = client.post(
        f"/admin/registrations/{reg.id}/withdraw",
        data={"on": YESTERDAY.isoformat(), "reason": "Moved away"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/people/{learner.id}"
    session.expire_all()
    assert session.get(Registration, reg.id).withdrawn_at == YESTERDAY
    html = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f"Withdrawn on {day_words(YESTERDAY)}</strong>: Moved away" in html
    assert f'action="/admin/registrations/{reg.id}/reinstate"' in html
    assert f'action="/admin/registrations/{reg.id}/withdraw"' not in html
    response = client.post(f"/admin/registrations/{reg.id}/reinstate", data={})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Registration, reg.id).withdrawn_at is None


def test_a_refused_withdrawal_is_shown_again_with_its_message(
    client, auth, session, make_person, make_registration
) -> None:
    learner, _assessor, reg = _setup(make_person, make_registration)
    auth.login("admin")
    future = date.today() + timedelta(days=3)
    response = client.post(
        f"/admin/registrations/{reg.id}/withdraw",
        data={"on": future.isoformat(), "reason": "Moved away"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'id="on-{reg.id}-error"' in html and "cannot be in the future" in html
    assert 'value="Moved away"' in html  # what was typed is kept
    response = client.post(f"/admin/registrations/{reg.id}/reinstate", data={})
    assert response.status_code == 422 and "has not withdrawn" in _text(response)
    session.expire_all()
    assert session.get(Registration, reg.id).withdrawn_at is None


def test_progress_page_and_caseload_say_the_withdrawal_in_words(
    client, auth, make_person, make_registration
) -> None:
    learner, assessor, reg = _setup(make_person, make_registration)
    auth.login("admin")
    client.post(
        f"/admin/registrations/{reg.id}/withdraw",
        data={"on": YESTERDAY.isoformat(), "reason": "Moved away"},
    )
    auth.logout()
    said = f"Withdrawn on {day_words(YESTERDAY)} : Moved away"
    auth.login(learner)
    assert said in _text(client.get(f"/learners/{learner.id}/progress"))
    auth.logout()
    auth.login(assessor)
    caseload = _text(client.get("/caseload?show=finished"))
    assert "Wendy Withdrawn" in caseload and said in caseload
    assert "Wendy Withdrawn" not in _text(client.get("/caseload"))  # with the finished


def test_the_registrations_list_marks_a_withdrawn_registration_in_words(
    client, auth, session, make_person, make_registration
) -> None:
    _learner, _assessor, reg = _setup(make_person, make_registration)
    make_registration(learner=make_person("learner", name="Sam Stays"), codes="SE01")
    auth.login("admin")
    client.post(
        f"/admin/registrations/{reg.id}/withdraw",
        data={"on": YESTERDAY.isoformat(), "reason": "Moved away"},
    )
    html = client.get("/admin/registrations").get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    (wendy,) = [r for r in rows if "Wendy Withdrawn" in r]
    (sam,) = [r for r in rows if "Sam Stays" in r]
    assert f"Withdrawn on {day_words(YESTERDAY)}" in _text_of(wendy)
    assert "Withdrawn" not in sam


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_withdrawn_learners_standard_page_offers_no_sign_off_form(
    client, auth, session, make_person, make_registration, make_evidence
) -> None:
    learner, assessor, reg = _setup(make_person, make_registration)
    _accept_all(session, learner, assessor, make_evidence, "SE01")
    withdrawals.withdraw(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=reg.id,
        on=YESTERDAY,
        reason="Moved away",
    )
    session.commit()
    auth.login(assessor)
    response = client.get(f"/learners/{learner.id}/standards/SE01")
    assert "/standards/SE01/signoff" not in response.get_data(as_text=True)  # no form
    page = _text(response)
    assert (
        f"Wendy Withdrawn withdrew from {reg_framework(session, reg)} on {day_words(YESTERDAY)}: "
        "SE01 is not signed off unless an administrator reinstates the registration." in page
    )


def reg_framework(session, reg) -> str:
    framework = session.get(Framework, reg.framework_id)
    return f"{framework.title} (v{framework.version})"


def test_a_withdrawn_learners_home_says_so_and_lists_no_criteria_to_evidence(
    client, auth, session, make_person, make_registration
) -> None:
    learner, _assessor, reg = _setup(make_person, make_registration)
    auth.login(learner)
    assert "Criteria with no submitted evidence yet" in _text(client.get("/"))
    withdrawals.withdraw(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=reg.id,
        on=YESTERDAY,
        reason="Moved away",
    )
    session.commit()
    home = _text(client.get("/"))
    assert "Criteria with no submitted evidence yet" not in home
    assert (
        f"you withdrew on {day_words(YESTERDAY)}: nothing new is mapped or assessed unless "
        "your centre reinstates the registration." in home
    )
