"""The API's list of a learner's plans is paged by keyset: open plans soonest due first, then ended
ones, most recently ended first; the cursor holds which of the two the last plan of the page is in,
its due day or end, and its id, so following ``next`` gives every plan once, also when plans are
set or ended between pages, and a page far down is read as the first is (no offset), on SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mappings.assessment import plan_reads, plans
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_api_admin_keyset import _walk
from tests.delivery.test_api_evidence_keyset import _bound, _statements
from tests.delivery.test_plan_reads_cost import _set_plans
from tests.delivery.test_plans_web import _ids


def _case(session, make_person, make_registration, n: int) -> tuple[Any, Any, Any, dict]:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    _set_plans(session, reg, assessor, n)
    return learner, assessor, reg, bearer(token_for(session, learner.id, ("read",)))


def test_every_plan_once_in_the_order_of_the_list(
    client, session, make_person, make_registration
) -> None:
    learner, _, _, headers = _case(session, make_person, make_registration, 20)
    url = f"/api/v1/learners/{learner.id}/plans"
    everything = plan_reads.plans_of(session, actor=actor_of(learner), learner_id=learner.id,
                                     today=date.today(), limit=100)  # fmt: skip
    whole = client.get(f"{url}?limit=200", headers=headers).get_json()
    assert whole["next"] is None
    assert [p["id"] for p in whole["items"]] == [p.id for p in everything]
    assert _walk(client, f"{url}?limit=2", headers) == [p.id for p in everything]


def test_plans_set_or_ended_between_pages_leave_each_seen_once(
    client, session, make_person, make_registration
) -> None:
    learner, assessor, reg, headers = _case(session, make_person, make_registration, 12)
    before = [p["id"] for p in client.get(
        f"/api/v1/learners/{learner.id}/plans?limit=200", headers=headers).get_json()["items"]]  # fmt: skip
    ids, added = _ids(session, "SE03", "P4", "P5"), []

    def set_more() -> None:
        if len(added) >= 9:  # on the first pages (the walk must end)
            return
        for days, ended in ((0, None), (40, None), (5, datetime(2030, 1, 1, tzinfo=UTC))):
            plan = plans.set_plan(session, actor=actor_of(assessor), registration_id=reg.id,
                                  title=f"More {len(added)}", body="Write.", criterion_ids=ids,
                                  due_on=date.today() + timedelta(days=days))  # fmt: skip
            if ended is not None:  # ended before every other: first of the ended ones
                plan.status, plan.ended_at, plan.ended_by = "done", ended, assessor.id
                session.add(plan)
            added.append(plan.id)
        session.commit()

    seen = _walk(client, f"/api/v1/learners/{learner.id}/plans?limit=2", headers, set_more)
    assert len(seen) == len(set(seen))  # no plan twice
    assert set(before) <= set(seen) <= set(before) | set(added)  # every plan there from the start


def test_a_page_far_down_is_read_without_an_offset(
    client, session, connection, backend, make_person, make_registration
) -> None:
    learner, _, _, headers = _case(session, make_person, make_registration, 30)
    url = f"/api/v1/learners/{learner.id}/plans?limit=2"
    assert client.get(url, headers=headers).status_code == 200  # "last used" written
    pages: list[list[tuple[str, Any]]] = []
    while url:
        with _statements(connection) as read:
            body = client.get(url, headers=headers).get_json()
        pages.append(read)
        url = body["next"]
    assert len(pages) == 15
    assert {len(page) for page in pages} == {len(pages[0])}  # the last page as the first
    listed = [[(s, p) for s, p in page if "assessment_plan" in s] for page in pages]
    assert all(len(page) == 1 for page in listed), listed[0]
    for [(sql, params)] in listed:  # 3 rows asked for of each part, none skipped
        assert {_bound(sql, params, "LIMIT")} == {3}
        assert re.search(r"\bOFFSET (\?|%\(\w+\)s)", sql) is None or _bound(
            sql, params, "OFFSET") in (None, 0)  # fmt: skip
    if backend == "sqlite":  # each part seeks in its index, sorting nothing
        for [(sql, params)] in (listed[0], listed[len(listed) // 2], listed[-1]):
            plan = " ".join(
                str(r[-1]) for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            assert "ix_assessment_plan_learner_ended" in plan and "TEMP B-TREE" not in plan, plan
            if sql is listed[0][0][0]:  # the open ones too, by due day
                assert "INDEX ix_assessment_plan_learner_open" in plan, plan


def test_a_cursor_of_another_list_or_made_up_is_refused(
    client, session, make_person, make_registration, make_evidence
) -> None:
    learner, _, _, headers = _case(session, make_person, make_registration, 3)
    url = f"/api/v1/learners/{learner.id}/plans"
    cursor = client.get(f"{url}?limit=1", headers=headers).get_json()["next_cursor"]
    assert client.get(f"{url}?cursor={cursor}", headers=headers).status_code == 200
    make_evidence(learner, title="One"), make_evidence(learner, title="Two")
    evidence = client.get(f"/api/v1/learners/{learner.id}/evidence?limit=1", headers=headers)
    for other in (evidence.get_json()["next_cursor"], cursor[:-2], "eyJhdCI6IDJ9"):
        refused = client.get(f"{url}?cursor={other}", headers=headers)
        assert refused.status_code == 422, other
        assert [e["field"] for e in refused.get_json()["errors"]] == ["cursor"]
