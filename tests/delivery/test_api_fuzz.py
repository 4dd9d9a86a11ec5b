"""Property-based fuzzing of every API operation from its OpenAPI document (schemathesis, the
app in process over WSGI), on SQLite and, when configured, PostgreSQL: whatever a client sends,
no answer is a server error, and every answer matches the document (status, media type and
schema). Each operation is called with the token of a persona it serves, both at the records
of the page walk's world (so that the services really run) and at any ids at all."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.delivery.api_world import api_world, bearer, world  # noqa: F401 - fixtures
from tests.delivery.test_api_routes import EXPECT

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PREFERRED = ("owner", "assessor", "iqa", "admin", "eqa", "other_learner", "other_assessor")
# examples per operation (valid requests, invalid ones): at the world's records, and at any ids;
# the whole fuzz stays within a minute per backend
AT_RECORDS = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
AT_ANY_IDS = {GenerationMode.POSITIVE: 2}


def _persona(endpoint: str) -> str:
    allowed = EXPECT[endpoint]
    return next(p for p in PREFERRED if p in allowed)


def _fuzz(
    operation: Any, headers: dict[str, str], modes: dict[GenerationMode, int], **fixed: Any
) -> None:
    for mode, examples in modes.items():
        strategy = operation.as_strategy(generation_mode=mode, **fixed)

        @given(case=strategy)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_every_operation_survives_fuzzing(app: Flask, api_world) -> None:  # noqa: F811
    walk, values = api_world
    values = {**values, "learner_id": walk["people"]["owner"].id}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    endpoints = {
        rule.rule.replace("<int:", "{").replace(">", "}"): rule.endpoint
        for rule in app.url_map.iter_rules()
        if hasattr(app.view_functions[rule.endpoint], "api_scope")
    }
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()
        endpoint = endpoints[operation.path]
        headers = bearer(walk["tokens"][_persona(endpoint)])
        names = [p.name for p in operation.path_parameters]
        _fuzz(operation, headers, AT_RECORDS, path_parameters={n: values[n] for n in names})
        if names:
            _fuzz(operation, headers, AT_ANY_IDS)
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    assert len(fuzzed) == len(EXPECT)
