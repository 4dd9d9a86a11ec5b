"""A plan through the API gives the newest 20 items written for it and how many there are (as
its page does), and the learner's evidence list narrows to one of their plans (``?plan=N``),
paged as the other lists, for whoever may read the portfolio, never another learner's plan: in
the same number of SQL statements however many items."""

from __future__ import annotations

from mappings.assessment import plan_reads
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_plan_evidence_list import _write, case  # noqa: F401 - the fixture
from tests.delivery.test_plans_web import _set


def _titles(items: list[dict]) -> list[str]:
    return [i["title"] for i in items]


def test_a_plan_gives_the_newest_20_items_and_how_many(client, session, case, make_evidence):  # noqa: F811
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on your visits")
    _write(session, make_evidence, learner, plan, 0, 3)
    headers = bearer(token_for(session, learner.id, scopes=("read",)))
    shown = client.get(f"/api/v1/plans/{plan}", headers=headers).get_json()
    assert _titles(shown["evidence"]) == [f"For the plan {i}" for i in range(3)]
    assert shown["evidence_count"] == 3
    assert shown["evidence_list"] == f"/api/v1/learners/{learner.id}/evidence?plan={plan}"
    _write(session, make_evidence, learner, plan, 3, 22)
    for person in (learner, assessor):
        headers = bearer(token_for(session, person.id, scopes=("read",)))
        shown = client.get(f"/api/v1/plans/{plan}", headers=headers).get_json()
        assert plan_reads.EVIDENCE_SHOWN == 20
        # the newest 20, oldest first (as the page lists them); the count is of every item
        assert _titles(shown["evidence"]) == [f"For the plan {i}" for i in range(5, 25)]
        assert shown["evidence_count"] == 25
        assert shown["state"] in ("submitted", "open")


def test_the_evidence_list_narrowed_to_a_plan_a_page_at_a_time(
    client,
    session,
    case,  # noqa: F811
    make_evidence,
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on your visits")
    _write(session, make_evidence, learner, plan, 0, 5)
    _write(session, make_evidence, learner, None, 10, 3)
    url = f"/api/v1/learners/{learner.id}/evidence"
    for person in (learner, assessor):
        headers = bearer(token_for(session, person.id, scopes=("read",)))
        first = client.get(f"{url}?plan={plan}&limit=3&sort=title", headers=headers).get_json()
        assert _titles(first["items"]) == [f"For the plan {i}" for i in range(3)]
        assert f"plan={plan}" in first["next"]  # the next page keeps to the plan
        rest = client.get(first["next"], headers=headers).get_json()
        assert _titles(rest["items"]) == ["For the plan 3", "For the plan 4"]
        assert rest["next"] is None
        drafts = client.get(f"{url}?plan={plan}&status=draft&sort=title", headers=headers)
        assert _titles(drafts.get_json()["items"]) == ["For the plan 1", "For the plan 3"]
        everything = client.get(f"{url}?limit=200", headers=headers).get_json()["items"]
        assert len(everything) == 8


def test_another_learners_plan_or_an_unknown_one_is_not_found(
    client,
    session,
    case,  # noqa: F811
    make_evidence,
    make_person,
    make_registration,
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on your visits")
    _write(session, make_evidence, learner, plan, 0, 2)
    other, other_assessor = make_person("learner"), make_person("assessor")
    other_reg = make_registration(learner=other, assessor=other_assessor, codes="SE01,SE03")
    session.commit()
    theirs = _set(session, other_reg, other_assessor, title="Their own plan")
    third = make_person("learner")  # the plan's assessor reads a third learner too
    make_registration(learner=third, assessor=assessor, codes="SE01")
    session.commit()
    refused = [
        (other, f"/api/v1/learners/{other.id}/evidence?plan={plan}"),
        (other, f"/api/v1/learners/{learner.id}/evidence?plan={plan}"),
        (other_assessor, f"/api/v1/learners/{other.id}/evidence?plan={plan}"),
        (assessor, f"/api/v1/learners/{third.id}/evidence?plan={plan}"),
        (learner, f"/api/v1/learners/{learner.id}/evidence?plan={theirs}"),
        (learner, f"/api/v1/learners/{learner.id}/evidence?plan=999999"),
    ]
    for person, url in refused:
        response = client.get(url, headers=bearer(token_for(session, person.id, ("read",))))
        assert response.status_code == 404, url
        body = response.get_data(as_text=True)
        assert "For the plan" not in body and "Reflect on your visits" not in body, url
    not_a_number = client.get(
        f"/api/v1/learners/{learner.id}/evidence?plan=x",
        headers=bearer(token_for(session, learner.id, ("read",))),
    )
    assert not_a_number.status_code == 422
    assert [e["field"] for e in not_a_number.get_json()["errors"]] == ["plan"]


def test_a_plan_and_its_list_take_the_same_statements_for_3_and_60_items(
    client,
    session,
    case,  # noqa: F811
    make_evidence,
    count_queries,
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor)
    headers = bearer(token_for(session, assessor.id, scopes=("read",)))
    urls = (
        f"/api/v1/plans/{plan}",
        f"/api/v1/learners/{learner.id}/evidence?plan={plan}",
        f"/api/v1/learners/{learner.id}/evidence?plan={plan}&q=plan&sort=title&limit=200",
    )
    assert client.get(urls[0], headers=headers).status_code == 200  # "last used" written
    counts: dict[str, list[int]] = {}
    for start, n in ((0, 3), (3, 57)):
        _write(session, make_evidence, learner, plan, start, n)
        _write(session, make_evidence, learner, None, 100 + start, n)
        for url in urls:
            with count_queries() as q:
                assert client.get(url, headers=headers).status_code == 200
            counts.setdefault(url, []).append(q.count)
    assert all(a == b for a, b in counts.values()), counts


def test_the_openapi_document_describes_the_plans_evidence(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    detail = document["components"]["schemas"]["PlanDetail"]
    assert detail["properties"]["evidence_count"]["type"] == "integer"
    assert {"evidence", "evidence_count", "evidence_list"} <= set(detail["required"])
    listing = document["paths"]["/api/v1/learners/{learner_id}/evidence"]["get"]
    (plan,) = [p for p in listing["parameters"] if p["name"] == "plan"]
    assert plan["in"] == "query" and "integer" in plan["schema"]["type"]
