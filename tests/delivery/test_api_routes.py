"""Every API operation, every persona: the answer is what the design says (as
tests/portfolio/test_routes.py does for the pages). Each operation must have an entry in EXPECT:
a new one without it fails this test. Every request is valid for its schema, so that a refusal
comes from who is asking, never from the request's shape."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask

from mappings.assessment import plan_reads
from tests.delivery.api_world import api_world, bearer, world  # noqa: F401 - fixtures
from tests.route_matrix import (
    ALL,
    PERSONAS,
    PORTFOLIO_READERS,
    SAMPLED_READERS,
    is_api_operation,
    url_of,
)

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK_FILE = ROOT / "tests" / "framework" / "data" / "nos_se04.json"
TODAY = date.today().isoformat()

# endpoint -> personas whose token the operation serves; everyone else is refused (403 or 404),
# and a request without a token is 401.
EXPECT: dict[str, set[str]] = {
    "api_me.me": ALL,
    "api_frameworks.list_frameworks": ALL,
    "api_frameworks.show_framework": ALL,
    "api_frameworks.import_framework": {"admin"},
    "api_evidence.list_evidence": SAMPLED_READERS,
    "api_evidence.show_evidence": SAMPLED_READERS,
    "api_evidence.create_evidence": {"owner"},  # a reflective account: the learner's own
    "api_evidence.edit_evidence": {"owner"},
    "api_evidence.upload": {"owner"},
    "api_evidence.submit": {"owner"},
    "api_evidence.discard": {"owner"},  # the walk's item is submitted: refused in words (409)
    "api_evidence.download": SAMPLED_READERS,
    "api_comments.list_comments": SAMPLED_READERS,  # whoever reads the item reads its comments
    "api_comments.add_comment": {"owner", "assessor"},  # IQA and EQA read the conversation
    # the learner or their assessor; the walk's item is an account, no testimony: 422 in words
    "api_witness.ask_witness": {"owner", "assessor"},
    "api_admin.list_people": {"admin"},
    "api_admin.create_person": {"admin"},
    "api_admin.list_cohorts": {"admin"},
    "api_admin.create_cohort": {"admin"},
    "api_admin.list_registrations": {"admin"},
    "api_admin.show_registration": {"admin"},
    "api_admin.create_registration": {"admin"},
    "api_admin.update_registration": {"admin"},
    "api_assessment.list_claims": SAMPLED_READERS,
    "api_assessment.set_claims": {"owner", "assessor"},
    "api_assessment.decide": {"assessor"},
    "api_assessment.coverage": SAMPLED_READERS,
    "api_assessment.list_signoffs": SAMPLED_READERS,
    "api_assessment.show_signoff": SAMPLED_READERS,
    "api_assessment.signoff_document": SAMPLED_READERS,
    "api_plans.list_plans": SAMPLED_READERS,
    "api_plans.show_plan": SAMPLED_READERS,
    "api_plans.set_plan": {"assessor"},
    "api_plans.change_plan": {"assessor"},  # the walk's plan, open, on an active registration
    "api_quality.cycles": {"iqa"},
    "api_quality.cycle": {"iqa"},
    "api_quality.sample": {"iqa", "eqa"},
    "api_caseload.caseload": {"assessor", "other_assessor", "iqa"},  # each their own learners
}
assert PORTFOLIO_READERS <= SAMPLED_READERS
OK = {200, 201, 409, 422}  # served (a valid request may still break a rule: 409, 422)
REFUSED = {403, 404}


def _request(endpoint: str, persona: str, values: dict[str, Any]) -> dict[str, Any]:
    """A request valid for the operation's schema (its body or file)."""
    bodies: dict[str, dict[str, Any]] = {
        "api_frameworks.import_framework": {
            "query_string": {"dry_run": "true"},
            "data": {"file": (FRAMEWORK_FILE.open("rb"), "nos_se04.json")},
        },
        "api_evidence.create_evidence": {"json": {
            "kind": "reflective_account", "title": "From the API", "activity_date": TODAY,
            "body": "What I did.",
        }},
        "api_evidence.edit_evidence": {"json": {
            "title": "Edited", "activity_date": TODAY, "body": "Changed.", "current_version": 1,
            "current_hash": "0" * 64,
        }},
        "api_evidence.upload": {"data": {"file": (_text(), "notes.txt")}},
        "api_evidence.submit": {"json": {"declaration": True}},
        "api_comments.add_comment": {"json": {"text": f"From the API, by {persona}."}},
        "api_witness.ask_witness": {"json": {"email": "j.smith@employer.org"}},
        "api_admin.create_person": {"json": {
            "name": "New Person", "email": f"new-{persona}@example.org", "roles": ["learner"],
        }},
        "api_admin.create_cohort": {"json": {"name": f"API cohort {persona}"}},
        "api_admin.create_registration": {"json": {
            "learner_id": values["person_id"], "framework_id": values["framework_id"],
            "standards": ["SE01"], "start_date": TODAY, "planned_end": TODAY,
        }},
        "api_admin.update_registration": {"json": {"planned_end": TODAY}},
        "api_assessment.set_claims": {"json": {"criterion_ids": []}},
        "api_plans.set_plan": {"json": {
            "title": "From the API", "body": "What to do.", "due_on": TODAY,
            "criterion_ids": [values.get("criterion_id", 1)],  # any well-formed id: those refused anyway
        }},
        "api_plans.change_plan": {"json": {"title": f"Changed by {persona}"}},
        "api_assessment.decide": {"json": {
            "decision": "accepted", "method": "O", "feedback": "", "revision": 0,
        }},
    }  # fmt: skip
    return bodies.get(endpoint, {})


def _text() -> Any:
    import io

    return io.BytesIO(b"Notes from the placement, written up the same day.\n")


def _api_rules(app: Flask) -> list[Any]:
    return [
        r for r in app.url_map.iter_rules()
        if is_api_operation(app, r)
    ]  # fmt: skip


def test_every_api_operation_answers_every_persona_as_designed(
    app: Flask,
    session,
    api_world,  # noqa: F811
) -> None:
    walk, values = api_world
    target = plan_reads.targets_of(session, values["registration_id"])[0]
    values = {
        **values, "learner_id": walk["people"]["owner"].id, "criterion_id": target.criterion_id,
    }  # fmt: skip
    rules = _api_rules(app)
    problems = [
        f"no access expectation for {r.endpoint}" for r in rules if r.endpoint not in EXPECT
    ]
    client = app.test_client()
    for persona in PERSONAS:
        for rule in rules:
            if rule.endpoint not in EXPECT:
                continue
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            headers = {} if persona == "anon" else bearer(walk["tokens"][persona])
            response = client.open(
                url_of(rule, values), method=method, headers=headers,
                **_request(rule.endpoint, persona, values),
            )  # fmt: skip
            status = response.status_code
            if persona == "anon":
                ok = status == 401
            elif persona in EXPECT[rule.endpoint]:
                ok = status in OK
            else:
                ok = status in REFUSED
            if response.status_code >= 400:
                ok = ok and response.content_type == "application/problem+json"
            if not ok:
                problems.append(
                    f"{persona:>14} {method:<4} {rule.rule} -> {status} {response.get_data(as_text=True)[:200]}"
                )
    assert not problems, "unexpected answers:\n" + "\n".join(problems)
