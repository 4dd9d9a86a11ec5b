"""A plan of a completed registration (every standard signed off) or of one the learner
withdrew from takes no evidence: the learner's own item and the allocated assessor's record
are refused in words, nothing linked, and the editor says so keeping what was typed."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from mappings.assessment import plan_writing, plans
from mappings.assessment.models import AssessmentPlanEvidence
from portfolio.errors import Invalid
from portfolio.models import Criterion, Evidence, Standard
from portfolio.services import withdrawals
from tests.conftest import actor_of
from tests.delivery.test_completed import _sign, case  # noqa: F401

TODAY = date.today()


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _plan(session, case, kind=None) -> int:  # noqa: F811
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
        due_on=TODAY + timedelta(days=7),
        evidence_kind=kind,
        today=TODAY,
    )
    session.commit()
    return plan.id


def _finish(session, case, how: str, admin) -> str:  # noqa: F811
    if how == "completed":
        _sign(session, case, "SE01")
        _sign(session, case, "SE03")
        return "Every standard of .* is signed off"
    withdrawals.withdraw(
        session, actor=actor_of(admin), registration_id=case["reg"].id, on=TODAY, reason="Moved"
    )
    session.commit()
    return "withdrew from .* on"


def _links(session) -> int:
    return len(session.exec(select(AssessmentPlanEvidence)).all())


@pytest.mark.parametrize("how", ["completed", "withdrawn"])
def test_the_learner_and_the_assessor_link_nothing_to_a_finished_registrations_plan(
    session,
    case,  # noqa: F811
    make_evidence,
    make_person,
    how,
) -> None:
    plan = _plan(session, case)
    learner, assessor = case["learner"], case["assessor"]
    mine = make_evidence(learner, title="My visit", submit=False)
    record = make_evidence(
        learner, kind="observation_record", title="Seen", author=assessor, submit=False
    )
    session.commit()
    said = _finish(session, case, how, make_person("admin"))
    for who, item in ((learner, mine), (assessor, record)):
        with pytest.raises(Invalid, match=said):
            plans.link_evidence(session, actor=actor_of(who), plan_id=plan, evidence_id=item.id)
        session.rollback()
    assert _links(session) == 0


@pytest.mark.parametrize("how", ["completed", "withdrawn"])
def test_the_editor_refuses_a_finished_registrations_plan_keeping_what_was_typed(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_person,
    how,
) -> None:
    plan = _plan(session, case, "observation_record")
    learner, assessor = case["learner"], case["assessor"]
    said = _finish(session, case, how, make_person("admin"))
    before = len(session.exec(select(Evidence)).all())
    for who, kind in ((learner, "reflective_account"), (assessor, "observation_record")):
        auth.login(who)
        link = f"/learners/{learner.id}/evidence/new?kind={kind}&plan={plan}"
        shown = _text(client.get(link).get_data(as_text=True))
        assert "its criteria are ticked below" not in shown
        assert re.search(said, shown), shown
        r = client.post(
            link,
            data={
                "title": "An hour of careful writing",
                "activity_date": TODAY.isoformat(),
                "body": "Everything I did that day.",
                "on_page": "1",
            },
        )
        raw = r.get_data(as_text=True)
        page = _text(raw)
        assert r.status_code == 422, page
        assert re.search(said, page) and "Nothing was saved." in page
        assert 'value="An hour of careful writing"' in raw and "Everything I did that day." in page
        auth.logout()
    session.expire_all()
    assert len(session.exec(select(Evidence)).all()) == before
    assert _links(session) == 0
    # the plan for writing says why it takes nothing
    found = plan_writing.plan_for_writing(session, actor=actor_of(learner), plan_id=plan)
    assert found.refused and re.search(said, found.refused)
