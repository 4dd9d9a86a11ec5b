"""Every route, every role: the answer is what the design says.

Each route of the app must have an entry in EXPECT (tests/route_matrix.py); a new route without one
fails this test, so access rules are decided when a page is added, not discovered later."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlmodel import select

from mappings.assessment.models import Claim
from portfolio.models import Attachment, Cohort, Notification
from portfolio.services import tokens
from portfolio.services.people import SYSTEM
from tests.conftest import PASSWORD, actor_of
from tests.route_matrix import (
    EXPECT,
    GET_OK,
    PERSONAS,
    POST_OK,
    PUBLIC,
    REFUSED,
    is_api_operation,
    url_of,
)


@pytest.fixture
def world(session, make_person, make_registration, make_evidence, app: Flask):
    from exports import jobs
    from portfolio.services.files import FileStore
    from tests.exports.export_case import build_case

    app.config["EXPORTS_INLINE"] = True
    store = FileStore(app.config["FILE_STORE"])
    case = build_case(session, store, make_person, make_registration, make_evidence)
    people = {
        "owner": case.learner,
        "other_learner": make_person("learner"),
        "assessor": case.assessor,
        "other_assessor": make_person("assessor"),
        "iqa": case.iqa,
        "admin": make_person("admin"),
    }
    cohort = Cohort(name="Walk cohort")
    session.add(cohort)
    session.flush()
    reg = case.registration
    reg.cohort_id = cohort.id
    session.add(reg)
    session.commit()
    attachment = session.exec(select(Attachment)).first()
    claim = session.exec(select(Claim).where(Claim.status == "accepted")).first()
    job = jobs.create_cohort_job(session, actor=actor_of(people["admin"]), cohort_id=cohort.id)
    session.commit()
    # a quality-assurance cycle with a reviewed sample, an action for the assessor and an EQA
    from datetime import UTC, datetime, timedelta

    from mappings.quality.cycles import create_cycle
    from mappings.quality.eqa import grant_eqa
    from mappings.quality.models import Action, Sample
    from mappings.quality.plan import plan_cycle
    from mappings.quality.review import review_sample

    iqa_actor = actor_of(people["iqa"])
    cycle = create_cycle(
        session,
        actor=iqa_actor,
        name="Walk cycle",
        start=date.today() - timedelta(days=30),
        end=date.today() + timedelta(days=30),
    )
    plan_cycle(session, actor=iqa_actor, cycle_id=cycle.id, seed=1)
    sample = session.exec(select(Sample).where(Sample.cycle_id == cycle.id)).first()
    review_sample(
        session,
        actor=iqa_actor,
        sample_id=sample.id,
        outcome="agree",
        feedback="Sound.",
        checks={},
        actions=[("Add dates to observation records", date.today())],
    )
    action = session.exec(select(Action)).first()
    people["eqa"] = make_person("eqa")
    grant = grant_eqa(
        session,
        actor=actor_of(people["admin"]),
        person_id=people["eqa"].id,
        cycle_id=cycle.id,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    session.commit()
    from pathlib import Path

    from exports.badges import issue as badges
    from portfolio.models import Framework
    from portfolio.services.keys import ensure_key

    badge = badges.issue(
        session,
        actor=actor_of(people["assessor"]),
        signoff_id=case.signoff.id,
        key=ensure_key(Path(app.config["SIGNING_KEY"]))[0],
        site=badges.Site(base_url="http://localhost", centre_name="Walk centre"),
    )
    session.commit()
    fw = session.exec(select(Framework).where(Framework.code == "SE")).first()
    plan = _plan(session, people["assessor"], reg.id)
    values = {
        "person_id": people["owner"].id,
        "registration_id": reg.id,
        "claim_id": claim.id,
        "cohort_id": cohort.id,
        "evidence_id": case.account_id,
        "number": 1,
        "attachment_id": attachment.id,
        "framework_id": fw.id,
        "code": "SE01",
        "fmt": "csv",
        "learner_id": people["owner"].id,
        "filename": "site.css",
        "signoff_id": case.signoff.id,
        "job_id": job.id,
        "cycle_id": cycle.id,
        "sample_id": sample.id,
        "action_id": action.id,
        "grant_id": grant.id,
        "token": "not-a-real-link",
        "credential_uuid": badge.credential_uuid,
        "standard_id": case.signoff.standard_id,
        "token_id": tokens.create(
            session, actor=SYSTEM, person_id=people["owner"].id, name="walk", scopes=["read"]
        ).token.id,
        "plan_id": plan,
        "notification_id": session.exec(
            select(Notification.id).where(Notification.person_id == people["owner"].id)
        ).first(),
    }
    return people, values


def _plan(session, assessor, registration_id: int) -> int:
    """An open assessment plan the assessor set the owner (its pages are walked too)."""
    from datetime import timedelta

    from mappings.assessment import plan_reads, plans

    target = plan_reads.targets_of(session, registration_id)[0]
    plan = plans.set_plan(
        session,
        actor=actor_of(assessor),
        registration_id=registration_id,
        title="Reflect on a job-match visit",
        body="Write a reflective account.",
        criterion_ids=[target.criterion_id],
        due_on=date.today() + timedelta(days=14),
    )
    session.commit()
    return plan.id


def test_every_route_answers_every_role_as_designed(app: Flask, world) -> None:
    people, values = world
    # the JSON API's operations have their own walk (tests/delivery/test_api_routes.py)
    rules = [r for r in app.url_map.iter_rules() if not is_api_operation(app, r)]
    unknown = sorted({r.endpoint for r in rules} - set(EXPECT))
    problems: list[str] = [f"no access expectation for {e}" for e in unknown]
    rules = [r for r in rules if r.endpoint in EXPECT]
    for persona in PERSONAS:
        client = app.test_client()
        if persona != "anon":
            r = client.post("/login", data={"email": people[persona].email, "password": PASSWORD})
            assert r.status_code == 302
        for rule in rules:
            get_ok, post_ok = EXPECT[rule.endpoint]
            url = url_of(rule, values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                if rule.endpoint in ("auth.logout", "account.logout_everywhere"):
                    continue  # would end the walk's session; tested on its own
                allowed = persona in (get_ok if method == "GET" else post_ok)
                response = client.open(url, method=method, data={})
                response.get_data()  # a streamed download runs to its end in its request
                status = response.status_code
                if persona == "anon" and rule.endpoint not in PUBLIC:
                    ok = status == 302 and "/login" in response.headers.get("Location", "")
                elif allowed:
                    ok = status in (GET_OK if method == "GET" else POST_OK)
                else:
                    ok = status in REFUSED
                if not ok:
                    problems.append(f"{persona:>14} {method:<4} {url} -> {status}")
    assert not problems, "unexpected answers:\n" + "\n".join(problems)


def test_forms_need_a_csrf_token(engine, connection, tmp_path, make_person) -> None:
    from delivery.web.app import create_app
    from tests.conftest import _session_on

    app = create_app({"ENGINE": engine, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    person = make_person("learner")
    client = app.test_client()
    r = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert r.status_code == 400  # no token
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 302
    r = client.post(
        f"/learners/{person.id}/evidence/new?kind=reflective_account",
        data={"title": "t", "activity_date": date.today().isoformat(), "body": "b"},
    )
    assert r.status_code == 400
