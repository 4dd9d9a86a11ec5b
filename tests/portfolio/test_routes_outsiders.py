"""Every route again, for two people the main walk (test_routes.py) does not have: an external
quality assurer whose grant on the walk's cycle has expired, and the assessor of the learner's
*other* registration (another framework), who assesses the learner but not the registration the
walk's claim, sign-off and quality-assurance action belong to."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from sqlmodel import Session, col, select

from demo.accounts import register_learner
from framework.parse import parse
from mappings.assessment import claims
from mappings.assessment.models import Claim
from mappings.quality.eqa import grant_eqa
from mappings.quality.models import EqaAccess, SamplingCycle
from portfolio.models import Evidence
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM
from tests.conftest import PASSWORD, actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_api_routes import EXPECT as API_EXPECT
from tests.delivery.test_api_routes import _request
from tests.portfolio.test_routes import world  # noqa: F401 - the fixture
from tests.route_matrix import (
    EXPECT,
    GET_OK,
    POST_OK,
    REFUSED,
    is_api_operation,
    url_of,
)

MANAGEMENT = Path(__file__).parents[1] / "mappings" / "data" / "management-leadership.csv"

# what belongs to the walk's SE registration, not to the other one: its claim's decision, its
# sign-off and reopening, the IQA's action for its assessor, its cohort, its plans
NOT_THE_OTHER_REGISTRATIONS = {
    "plans.edit",
    "plans.done",
    "plans.close",
    "api_plans.set_plan",
    "api_plans.change_plan",
    "evidence.decide",
    "coverage.signoff",
    "coverage.reopen",
    "iqa.respond",
    "coverage.cohort",
    "exports.cohort",
    "exports.cohort_coverage",
    "exports.bulk_start",
    "api_assessment.decide",
}


def allowed_for(persona: str, endpoint: str, allowed: set[str]) -> bool:
    if persona == "expired_eqa":  # what any logged-in person may do, and their own (empty) page
        return ("eqa" in allowed and "other_learner" in allowed) or endpoint == "iqa.eqa_index"
    # the other registration's assessor: as the learner's assessor, less what is not theirs
    return "assessor" in allowed and endpoint not in NOT_THE_OTHER_REGISTRATIONS


def _outsiders(session: Session, people: dict[str, Any], make_person: Any) -> dict[str, Any]:
    expired = make_person("eqa")
    cycle_id = session.exec(select(SamplingCycle.id)).first()
    grant = grant_eqa(
        session,
        actor=actor_of(people["admin"]),
        person_id=expired.id,
        cycle_id=cycle_id,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    session.flush()
    session.execute(
        update(EqaAccess)
        .where(col(EqaAccess.id) == grant.id)
        .values(expires_at=datetime.now(UTC) - timedelta(hours=1))
    )
    other = make_person("assessor")
    spec = parse(MANAGEMENT.read_bytes(), MANAGEMENT.name)
    framework_id = import_framework(session, actor=SYSTEM, spec=spec).framework_id
    register_learner(
        session,
        learner_id=people["owner"].id,
        framework_id=framework_id,
        codes=[spec.standards[0].code],
        assessor_id=other.id,
        iqa_id=None,
        cohort_id=None,
        start=date.today() - timedelta(days=30),
        planned_end=date.today() + timedelta(days=300),
    )
    session.commit()
    return {"expired_eqa": expired, "co_assessor": other}


def _foreign_criterion(session: Session, values: dict[str, Any]) -> int:
    """A criterion of the SE registration the walk's item is not mapped to yet."""
    item = session.get(Evidence, values["evidence_id"])
    assert item is not None
    mapped = set(session.exec(select(Claim.criterion_id).where(Claim.evidence_id == item.id)))
    se = [
        c.criterion_id
        for c in claims.claimable_criteria(session, item.learner_id)
        if c.standard_code.startswith("SE") and c.criterion_id not in mapped
    ]
    return se[0]


def _form(persona: str, endpoint: str, values: dict[str, Any]) -> dict[str, Any]:
    """The other registration's assessor maps the item to a criterion of the SE registration."""
    if endpoint == "evidence.set_claims" and persona == "co_assessor":
        return {"criterion": [values["foreign_criterion"]], "on_page": "1"}
    return {}


@pytest.fixture
def outsiders(session: Session, world: Any, make_person: Any) -> tuple[Any, Any, Any]:  # noqa: F811
    people, values = world
    extra = _outsiders(session, people, make_person)
    return people, {**values, "foreign_criterion": _foreign_criterion(session, values)}, extra


def test_outsiders_open_only_the_pages_that_are_theirs(app: Flask, outsiders: Any) -> None:
    _people, values, extra = outsiders
    rules = [
        r for r in app.url_map.iter_rules() if not is_api_operation(app, r) and r.endpoint in EXPECT
    ]
    problems: list[str] = []
    for persona, person in extra.items():
        client = app.test_client()
        r = client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert r.status_code == 302
        for rule in rules:
            if rule.endpoint in ("auth.logout", "account.logout_everywhere", "auth.login"):
                continue
            url = url_of(rule, values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                get_ok, post_ok = EXPECT[rule.endpoint]
                allowed = allowed_for(
                    persona, rule.endpoint, get_ok if method == "GET" else post_ok
                )
                data = _form(persona, rule.endpoint, values)
                if rule.endpoint == "evidence.set_claims" and persona == "co_assessor":
                    allowed = False  # mapping the item to a criterion of the SE registration
                response = client.open(url, method=method, data=data)
                response.get_data()
                status = response.status_code
                ok = status in ((GET_OK if method == "GET" else POST_OK) if allowed else REFUSED)
                if not ok:
                    problems.append(f"{persona:>12} {method:<4} {url} -> {status}")
    assert not problems, "unexpected answers:\n" + "\n".join(problems)


def test_outsiders_are_served_only_their_own_by_the_api(
    app: Flask, session: Session, outsiders: Any
) -> None:
    people, values, extra = outsiders
    values = {**values, "learner_id": people["owner"].id}
    rules = [r for r in app.url_map.iter_rules() if is_api_operation(app, r)]
    client = app.test_client()
    problems: list[str] = []
    for persona, person in extra.items():
        headers = bearer(token_for(session, person.id))
        for rule in rules:
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            allowed = allowed_for(persona, rule.endpoint, API_EXPECT[rule.endpoint])
            sent = _request(rule.endpoint, persona, values)
            if rule.endpoint == "api_assessment.set_claims" and persona == "co_assessor":
                sent, allowed = {"json": {"criterion_ids": [values["foreign_criterion"]]}}, False
            response = client.open(url_of(rule, values), method=method, headers=headers, **sent)
            status = response.status_code
            if status not in ({200, 201, 409, 422} if allowed else {403, 404}):
                problems.append(f"{persona:>12} {method:<4} {rule.rule} -> {status}")
    assert not problems, "unexpected answers:\n" + "\n".join(problems)
