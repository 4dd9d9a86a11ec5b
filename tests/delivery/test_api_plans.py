"""Assessment plans through the API: a learner's plans and one plan for whoever may see the
portfolio, a plan set or changed by the allocated assessor (assess scope) with the learner told
when it is set or changed, refusals as problems with nothing stored."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from mappings.assessment import plan_reads, plans
from mappings.assessment.models import AssessmentPlan
from portfolio.models import AuditEntry, Notification
from portfolio.services import withdrawals
from tests.conftest import actor_of
from tests.delivery.api_world import api_world, bearer, token_for, world  # noqa: F401 - fixtures
from tests.delivery.test_api import _problem


def test_readers_list_and_show_a_learners_plans(app, session, api_world) -> None:  # noqa: F811
    walk, values = api_world
    owner = walk["people"]["owner"]
    client = app.test_client()
    for who in ("owner", "assessor", "iqa"):
        listed = client.get(f"/api/v1/learners/{owner.id}/plans",
                            headers=bearer(walk["tokens"][who]))  # fmt: skip
        assert listed.status_code == 200
        (row,) = [r for r in listed.get_json()["items"] if r["id"] == values["plan_id"]]
        assert row["state"] == "open" and row["state_label"] == "Open"
        assert row["state_words"].startswith("due ")
    shown = client.get(f"/api/v1/plans/{values['plan_id']}",
                       headers=bearer(walk["tokens"]["owner"])).get_json()  # fmt: skip
    assert shown["learner_id"] == owner.id and shown["registration_id"] == values["registration_id"]
    assert shown["criteria"] and {"standard", "code", "text"} <= shown["criteria"][0].keys()
    assert shown["evidence"] == [] and shown["set_by"] == walk["people"]["assessor"].name
    # another learner and an administrator (who reads no portfolio through the API): not found
    for who in ("other_learner", "admin"):
        headers = bearer(walk["tokens"][who])
        _problem(client.get(f"/api/v1/plans/{values['plan_id']}", headers=headers), 404)
        refused = client.get(f"/api/v1/learners/{owner.id}/plans", headers=headers)
        assert refused.status_code in (403, 404)


def test_the_assessor_sets_a_plan_and_the_learner_is_told(app, session, api_world) -> None:  # noqa: F811
    walk, values = api_world
    reg_id, owner = values["registration_id"], walk["people"]["owner"]
    target = plan_reads.targets_of(session, reg_id)[0]
    due = date.today() + timedelta(days=7)
    body = {"title": "Write up the trial shift", "body": "A *reflective account*.",
            "due_on": due.isoformat(), "criterion_ids": [target.criterion_id]}  # fmt: skip
    client = app.test_client()
    url = f"/api/v1/registrations/{reg_id}/plans"
    made = client.post(url, json=body, headers=bearer(walk["tokens"]["assessor"]))
    assert made.status_code == 201, made.get_data(as_text=True)
    plan = made.get_json()
    assert plan["title"] == "Write up the trial shift" and plan["due_on"] == due.isoformat()
    assert plan["state"] == "open" and [c["code"] for c in plan["criteria"]] == [target.code]
    told = session.exec(select(Notification).where(Notification.person_id == owner.id)).all()
    assert f"/plans/{plan['id']}" in [n.link for n in told if n.kind == "plan"]
    # a token without the assess scope, a past due date, another assessor: refused
    read_only = token_for(session, walk["people"]["assessor"].id, scopes=("read",))
    _problem(client.post(url, json=body, headers=bearer(read_only)), 403)
    past = {**body, "due_on": (date.today() - timedelta(days=1)).isoformat()}
    problem = _problem(client.post(url, json=past, headers=bearer(walk["tokens"]["assessor"])), 422)
    assert "past" in problem["detail"]
    other = client.post(url, json=body, headers=bearer(walk["tokens"]["other_assessor"]))
    assert other.status_code in (403, 404)
    withdrawals.withdraw(
        session, actor=actor_of(walk["people"]["admin"]), registration_id=reg_id,
        on=date.today(), reason="Moved away",
    )  # fmt: skip
    session.commit()
    problem = _problem(client.post(url, json=body, headers=bearer(walk["tokens"]["assessor"])), 422)
    assert "withdrew" in problem["detail"]
    stored = session.exec(select(AssessmentPlan).where(AssessmentPlan.registration_id == reg_id))
    assert len(stored.all()) == 2  # the walk's plan and the one set above


def test_a_plans_criterion_ids_out_of_range_are_refused_naming_the_field(
    app,
    session,
    api_world,  # noqa: F811
) -> None:
    """A criterion id no database column holds (over 2³¹−1, or over 2⁶³ as JSON allows) was a
    server error: the ids are checked as every other id of the API is, 422 naming the field,
    nothing stored."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does
    walk, values = api_world
    reg_id = values["registration_id"]
    due = (date.today() + timedelta(days=7)).isoformat()
    url = f"/api/v1/registrations/{reg_id}/plans"
    client = app.test_client()
    before = len(session.exec(select(AssessmentPlan)).all())
    for bad in (10**23, 2**31, 0):
        body = {"title": "Too far", "body": "Do it.", "due_on": due, "criterion_ids": [bad]}
        sent = client.post(url, json=body, headers=bearer(walk["tokens"]["assessor"]))
        problem = _problem(sent, 422)
        assert problem["errors"][0]["field"] == "criterion_ids.0", problem
    assert len(session.exec(select(AssessmentPlan)).all()) == before
    # an id in range but of no criterion of the registration: the request's field is named too
    body = {"title": "Elsewhere", "body": "Do it.", "due_on": due, "criterion_ids": [2**31 - 1]}
    sent = client.post(url, json=body, headers=bearer(walk["tokens"]["assessor"]))
    assert [e["field"] for e in _problem(sent, 422)["errors"]] == ["criterion_ids"]
    body = {**body, "criterion_ids": []}
    sent = client.post(url, json=body, headers=bearer(walk["tokens"]["assessor"]))
    assert [e["field"] for e in _problem(sent, 422)["errors"]] == ["criterion_ids"]


def test_a_plan_says_the_kind_of_evidence_asked_for(app, session, api_world) -> None:  # noqa: F811
    """A plan set through the API may ask for a kind of evidence (one of the evidence kinds)
    or leave it to the learner (null, or left out); the list and the plan say it, code and
    words; a kind not known is refused naming the field, nothing stored."""
    walk, values = api_world
    reg_id, owner = values["registration_id"], walk["people"]["owner"]
    target = plan_reads.targets_of(session, reg_id)[0]
    due = (date.today() + timedelta(days=7)).isoformat()
    body = {"title": "Ask for a testimony", "body": "Ask your manager.", "due_on": due,
            "criterion_ids": [target.criterion_id]}  # fmt: skip
    client = app.test_client()
    url, headers = f"/api/v1/registrations/{reg_id}/plans", bearer(walk["tokens"]["assessor"])
    before = len(session.exec(select(AssessmentPlan)).all())
    for bad in ("essay", "Witness testimony", 3):
        sent = client.post(url, json={**body, "evidence_kind": bad}, headers=headers)
        assert [e["field"] for e in _problem(sent, 422)["errors"]] == ["evidence_kind"]
    assert len(session.exec(select(AssessmentPlan)).all()) == before
    made = client.post(url, json={**body, "evidence_kind": "witness_testimony"}, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    plan = made.get_json()
    assert plan["evidence_kind"] == "witness_testimony"
    assert plan["evidence_kind_label"] == "Witness testimony"
    shown = client.get(f"/api/v1/plans/{plan['id']}", headers=bearer(walk["tokens"]["owner"]))
    assert shown.get_json()["evidence_kind"] == "witness_testimony"
    listed = client.get(f"/api/v1/learners/{owner.id}/plans", headers=bearer(walk["tokens"]["iqa"]))
    rows = {r["id"]: r for r in listed.get_json()["items"]}
    assert rows[plan["id"]]["evidence_kind"] == "witness_testimony"
    assert rows[plan["id"]]["evidence_kind_label"] == "Witness testimony"
    for left in ({}, {"evidence_kind": None}):
        made = client.post(url, json={**body, **left}, headers=headers)
        assert made.status_code == 201, made.get_data(as_text=True)
        assert made.get_json()["evidence_kind"] is None
        assert made.get_json()["evidence_kind_label"] == "Any kind: the learner chooses"


def test_the_openapi_document_describes_the_kind_asked_for(client) -> None:
    from portfolio.models.evidence import KINDS

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("PlanDetail", "PlanRowOut"):
        said = schemas[name]["properties"]["evidence_kind"]
        assert said["enum"][: len(KINDS)] == list(KINDS) and "null" in said["type"]
        assert "learner" in said["description"]
        assert {"evidence_kind", "evidence_kind_label"} <= set(schemas[name]["required"])
    asked = schemas["NewPlan"]["properties"]["evidence_kind"]
    assert asked["enum"][: len(KINDS)] == list(KINDS) and "evidence_kind" not in schemas[
        "NewPlan"
    ].get("required", [])


def _edits(session) -> int:
    return len(session.exec(select(AuditEntry).where(AuditEntry.action == "plan.edit")).all())


def test_the_assessor_changes_a_plan_keeping_what_is_left_out(app, session, api_world) -> None:  # noqa: F811
    """PATCH /plans/N changes what the body names and keeps the rest, through the pages' service
    (one plan.edit audit entry each); evidence_kind null is any kind, left out it is kept."""
    walk, values = api_world
    plan_id, reg_id = values["plan_id"], values["registration_id"]
    client = app.test_client()
    url, headers = f"/api/v1/plans/{plan_id}", bearer(walk["tokens"]["assessor"])
    was = client.get(url, headers=headers).get_json()
    before = _edits(session)
    changed = client.patch(
        url, json={"title": "Observe a job match", "evidence_kind": "observation_record"},
        headers=headers,
    )  # fmt: skip
    assert changed.status_code == 200, changed.get_data(as_text=True)
    plan = changed.get_json()
    assert plan["title"] == "Observe a job match" and plan["evidence_kind"] == "observation_record"
    assert plan["evidence_kind_label"] == "Observation record"
    owner = walk["people"]["owner"]
    told = session.exec(select(Notification.text).where(Notification.person_id == owner.id)).all()
    assert [t for t in told if "changed your plan" in t] == [
        f"{walk['people']['assessor'].name} changed your plan “Observe a job match”: renamed from "
        f"“{was['title']}”; now asks for an observation record, which your assessor writes."
    ]
    for kept in ("body", "due_on", "criteria", "set_by", "registration_id"):
        assert plan[kept] == was[kept], kept
    targets = plan_reads.targets_of(session, reg_id)
    due = (date.today() + timedelta(days=30)).isoformat()
    changed = client.patch(
        url, json={"evidence_kind": None, "due_on": due, "body": "Watch and write it up.",
                   "criterion_ids": [t.criterion_id for t in targets[:2]]},
        headers=headers,
    )  # fmt: skip
    plan = changed.get_json()
    assert plan["evidence_kind"] is None and plan["title"] == "Observe a job match"
    assert plan["due_on"] == due and plan["body"] == "Watch and write it up."
    assert [c["code"] for c in plan["criteria"]] == [t.code for t in targets[:2]]
    assert _edits(session) == before + 2
    shown = client.get(url, headers=bearer(walk["tokens"]["owner"])).get_json()
    assert shown["title"] == "Observe a job match" and shown["due_on"] == due


def test_a_plan_change_is_refused_as_on_the_pages_nothing_stored(
    app,
    session,
    api_world,  # noqa: F811
) -> None:
    walk, values = api_world
    plan_id, reg_id = values["plan_id"], values["registration_id"]
    client = app.test_client()
    url, headers = f"/api/v1/plans/{plan_id}", bearer(walk["tokens"]["assessor"])
    was = client.get(url, headers=headers).get_json()
    before = _edits(session)
    # who: a token without the assess scope, the learner, the IQA, another assessor
    read_only = token_for(session, walk["people"]["assessor"].id, scopes=("read",))
    _problem(client.patch(url, json={"title": "X"}, headers=bearer(read_only)), 403)
    for who in ("owner", "iqa", "other_assessor", "other_learner"):
        sent = client.patch(url, json={"title": "X"}, headers=bearer(walk["tokens"][who]))
        assert sent.status_code in (403, 404), (who, sent.status_code)
    _problem(client.patch("/api/v1/plans/999999", json={"title": "X"}, headers=headers), 404)
    # what: each refused naming its field
    for bad, field in (
        ({"title": " "}, "title"),
        ({"title": None}, "title"),
        ({"body": ""}, "body"),
        ({"due_on": (date.today() - timedelta(days=1)).isoformat()}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"criterion_ids": []}, "criterion_ids"),
        ({"criterion_ids": [2**31 - 1]}, "criterion_ids"),
        ({"evidence_kind": "essay"}, "evidence_kind"),
        ({"colour": "red"}, "colour"),
    ):
        problem = _problem(client.patch(url, json=bad, headers=headers), 422)
        assert [e["field"] for e in problem["errors"]] == [field], (bad, problem)
    problem = _problem(client.patch(url, json={}, headers=headers), 422)
    assert "Say what to change" in problem["detail"]
    assert client.get(url, headers=headers).get_json() == was and _edits(session) == before
    # an ended plan, a withdrawn registration: refused in words
    withdrawals.withdraw(
        session, actor=actor_of(walk["people"]["admin"]), registration_id=reg_id,
        on=date.today(), reason="Moved away",
    )  # fmt: skip
    session.commit()
    problem = _problem(client.patch(url, json={"title": "X"}, headers=headers), 422)
    assert "withdrew" in problem["detail"]
    withdrawals.reinstate(session, actor=actor_of(walk["people"]["admin"]), registration_id=reg_id)
    session.commit()
    plans.mark_done(session, actor=actor_of(walk["people"]["assessor"]), plan_id=plan_id)
    session.commit()
    problem = _problem(client.patch(url, json={"title": "X"}, headers=headers), 422)
    assert "already done" in problem["detail"]
    assert _edits(session) == before


def test_the_openapi_document_describes_a_plan_change(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/plans/{plan_id}"]["patch"]
    assert operation["summary"] == "Change a plan"
    schema = document["components"]["schemas"]["PlanChange"]
    assert set(schema["properties"]) == {
        "title", "body", "due_on", "criterion_ids", "evidence_kind",
    }  # fmt: skip
    assert "required" not in schema and "null" in schema["properties"]["evidence_kind"]["type"]
