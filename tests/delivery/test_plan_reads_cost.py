"""Costs that do not grow with history: the pages that show a learner's assessment plans read
them in the same number of SQL statements for 3 plans as for 60 (most of them done or closed
over the years), and a plan with 60 items written for it costs what one with 3 does."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from mappings.assessment import plan_reads, plans
from mappings.assessment.models import AssessmentPlan, AssessmentPlanEvidence
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_plans_web import _ids


def _set_plans(session, reg, assessor, n: int) -> list[AssessmentPlan]:
    """``n`` plans; two in three of them ended (done or closed) in years gone by."""
    ids = _ids(session, "SE03", "P4", "P5")
    made = []
    for i in range(n):
        plan = plans.set_plan(session, actor=actor_of(assessor), registration_id=reg.id,
                              title=f"Plan {n}-{i}", body="Write about it.", criterion_ids=ids,
                              due_on=date.today() + timedelta(days=i % 30))  # fmt: skip
        if i % 3:
            plan.status = "done" if i % 2 else "closed"
            plan.close_reason = "An observation covered it." if plan.status == "closed" else ""
            plan.ended_at = datetime(2019 + i % 7, 1 + i % 12, 1, tzinfo=UTC)
            plan.ended_by = assessor.id
            session.add(plan)
        made.append(plan)
    session.commit()
    return made


def _link(session, plan: AssessmentPlan, learner, make_evidence, n: int) -> None:
    for i in range(n):
        item = make_evidence(learner, title=f"For the plan {i}", submit=i % 2 == 0)
        session.add(AssessmentPlanEvidence(plan_id=plan.id, evidence_id=item.id,
                                           linked_by=learner.id))  # fmt: skip
    session.commit()


@pytest.fixture
def case(session, make_person, make_registration):
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    return reg, learner, assessor


def _plan_links(page: str) -> int:
    return len(set(re.findall(r'href="/plans/(\d+)"', page)))


def test_the_plan_pages_take_the_same_statements_for_3_and_60_plans(
    session, client, auth, case, make_evidence, count_queries
) -> None:
    reg, learner, assessor = case
    first = _set_plans(session, reg, assessor, 3)[0]
    _link(session, first, learner, make_evidence, 3)
    urls = {"/": 0, f"/learners/{learner.id}/progress": 0, f"/plans/{first.id}": 0}
    counts: dict[tuple[str, str], list[int]] = {}
    shown: dict[tuple[str, str], list[int]] = {}
    for n in (3, 60):
        if n == 60:
            _set_plans(session, reg, assessor, 57)
            _link(session, first, learner, make_evidence, 57)
        for person in (learner, assessor):
            auth.login(person)
            for url in urls:
                client.get(url)  # anything a first reading does once (suggestions asked for)
                with count_queries() as q:
                    response = client.get(url)
                assert response.status_code == 200, url
                counts.setdefault((person.roles, url), []).append(q.count)
                shown.setdefault((person.roles, url), []).append(
                    _plan_links(response.get_data(as_text=True))
                )
            auth.logout()
    learner_home, progress = ("learner", "/"), f"/learners/{learner.id}/progress"
    assert counts == {
        learner_home: [11, 11], ("assessor", "/"): [2, 2],
        ("learner", progress): [10, 10], ("assessor", progress): [14, 14],
        ("learner", f"/plans/{first.id}"): [5, 5], ("assessor", f"/plans/{first.id}"): [6, 6],
    }  # fmt: skip
    # the home page shows the first few open plans; the progress page at most a page of them
    assert shown[learner_home] == [1, plan_reads.HOME_SHOWN]
    assert shown[("learner", progress)] == [3, plan_reads.LEARNER_SHOWN]


def test_the_api_reads_plans_in_the_same_statements_for_3_and_60(
    session, client, case, make_evidence, count_queries
) -> None:
    reg, learner, assessor = case
    first = _set_plans(session, reg, assessor, 3)[0]
    _link(session, first, learner, make_evidence, 3)
    headers = bearer(token_for(session, learner.id))
    counts: dict[str, list[int]] = {}
    for n in (3, 60):
        if n == 60:
            _set_plans(session, reg, assessor, 57)
            _link(session, first, learner, make_evidence, 57)
        for url in (f"/api/v1/learners/{learner.id}/plans", f"/api/v1/plans/{first.id}"):
            client.get(url, headers=headers)  # the token's first use is written down once
            with count_queries() as q:
                response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            counts.setdefault(url, []).append(q.count)
    assert list(counts.values()) == [[2, 2], [5, 5]], counts
    assert (
        len(client.get(f"/api/v1/learners/{learner.id}/plans", headers=headers).get_json()["items"])
        == plan_reads.LEARNER_SHOWN
    )
