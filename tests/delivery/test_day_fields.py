"""Every day a form asks for is refused in words: left empty or not a day, the field says what to
give ("Give the day the learner starts."), never the form library's "Not a valid date value" or
"This field is required", and nothing is written."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlmodel import Session, func, select

from mappings.assessment.models import AssessmentPlan
from portfolio.models import Evidence, Registration
from tests.delivery.test_iqa_form_words import _problems
from tests.delivery.test_plans_web import _ids, case  # noqa: F401

LIBRARY = re.compile(r"Not a valid|This field is required")


def _refused(response: Any, *said: str) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _problems(page) == list(said)
    assert not LIBRARY.search(html.unescape(page)), LIBRARY.findall(page)


def _count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("given", ["", "2027-02-31", "next week"])
def test_a_registration_without_its_days(
    client, auth, session, make_person, sample_framework, given: str
) -> None:
    auth.login("admin")
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    before = _count(session, Registration)
    sent = {
        "learner_email": learner.email,
        "framework_id": sample_framework.id,
        "standards": ["SE01"],
        "assessor_id": assessor.id,
        "iqa_id": iqa.id,
        "cohort_id": 0,
        "start_date": given,
        "planned_end": given,
    }
    _refused(
        client.post("/admin/registrations", data=sent),
        # in the page's order (the form's class lists the fields it shares with the edit form first)
        "Give the day the learner starts.",
        "Give the day the learner is planned to finish.",
    )
    assert _count(session, Registration) == before


def test_a_withdrawal_and_a_break_without_a_day(
    client, auth, session, make_person, make_registration
) -> None:
    reg = make_registration(learner=make_person("learner"), codes="SE01")
    session.commit()
    auth.login("admin")
    sent = {"on": "", "reason": "Moved away"}
    _refused(
        client.post(f"/admin/registrations/{reg.id}/withdraw", data=sent),
        "Give the day the learner left.",
    )
    sent = {"until": "31/31/2027", "reason": "Illness"}
    _refused(
        client.post(f"/admin/registrations/{reg.id}/break", data=sent),
        "Give the day the learner is expected back, or leave it empty.",
    )
    session.expire_all()
    kept = session.get(Registration, reg.id)
    assert kept is not None and kept.withdrawn_at is None and kept.break_since is None


def test_a_plan_and_evidence_without_a_day(client, auth, session, case) -> None:  # noqa: F811
    _reg, learner, assessor = case
    auth.login(assessor)
    sent = {
        "title": "Reflect",
        "body": "Cover P4.",
        "due_on": "",
        "criteria": [str(i) for i in _ids(session, "SE03", "P4")],
    }
    _refused(
        client.post(f"/learners/{learner.id}/plans/new", data=sent),
        "Give the day the plan is due.",
    )
    assert _count(session, AssessmentPlan) == 0
    auth.login(learner)
    sent = {"title": "My account", "activity_date": "", "body": "I did it.", "save": "Save draft"}
    _refused(
        client.post(f"/learners/{learner.id}/evidence/new?kind=reflective_account", data=sent),
        "Give the day of the activity.",
    )
    assert _count(session, Evidence) == 0
