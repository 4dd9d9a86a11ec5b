"""A completed registration (every standard signed off) leaves nothing to do: its open plans are
not work to do, and claims on it are not awaiting a decision until a standard is reopened."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlmodel import col, select

from mappings.assessment import plans, signoff
from mappings.assessment.models import SignOff
from portfolio.models import Criterion, Standard
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_completed import _sign, case  # noqa: F401

TODAY = date.today()


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _late_plan(session, case) -> int:  # noqa: F811
    """A plan on Dora's registration, due three days ago (set ten days ago)."""
    ids = session.exec(
        select(Criterion.id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(Standard.code == "SE03")
    ).all()
    plan = plans.set_plan(
        session,
        actor=actor_of(case["assessor"]),
        registration_id=case["reg"].id,
        title="Reflect on your last visit",
        body="Write a reflective account.",
        criterion_ids=list(ids)[:2],
        due_on=TODAY - timedelta(days=3),
        today=TODAY - timedelta(days=10),
    )
    session.commit()
    return plan.id


def test_a_completed_registrations_open_plans_are_not_work_to_do(
    session,
    client,
    auth,
    case,  # noqa: F811
) -> None:
    plan = _late_plan(session, case)
    learner = case["learner"]
    auth.login(learner)
    home = _text(client.get("/").get_data(as_text=True))
    assert "Reflect on your last visit : Overdue , due" in home  # still work to do
    _sign(session, case, "SE01")
    last = _sign(session, case, "SE03")
    home = _text(client.get("/").get_data(as_text=True))
    assert "Reflect on your last visit" not in home
    assert "Plans from your assessor" not in home and "Write evidence for this plan" not in home
    said = "No longer needed , due"
    page = _text(client.get(f"/plans/{plan}").get_data(as_text=True))
    assert said in page and "every standard is signed off" in page
    assert "Overdue" not in page and "Write evidence for this plan" not in page
    assert "Back to my progress" in page
    listed = _text(client.get(f"/learners/{learner.id}/plans").get_data(as_text=True))
    assert said in listed and "Overdue" not in listed and "late" not in listed
    progress = _text(client.get(f"/learners/{learner.id}/progress").get_data(as_text=True))
    assert "Reflect on your last visit" in progress and "Overdue" not in progress
    headers = bearer(token_for(session, learner.id))
    (row,) = client.get(f"/api/v1/learners/{learner.id}/plans", headers=headers).get_json()["items"]
    shown = client.get(f"/api/v1/plans/{plan}", headers=headers).get_json()
    for found in (row, shown):
        assert (found["state"], found["state_label"]) == ("done", "No longer needed")
    # reopening a standard makes the plan work to do again, late as it was
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=last.id, reason="Recheck")
    session.commit()
    home = _text(client.get("/").get_data(as_text=True))
    assert "Reflect on your last visit : Overdue , due" in home
    assert len(session.exec(select(SignOff)).all()) == 2
    auth.logout()
