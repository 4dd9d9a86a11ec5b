"""In tests (an app with TESTING set), every answer an API operation gives is checked against
the OpenAPI document before it leaves: its status must be documented and its JSON body must match
the documented schema (JSON Schema 2020-12, which OpenAPI 3.1 uses). The schemas that validate
requests are the same that describe the answers, so a drift between the code and the document
fails the test that met it. Production does not pay for it."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.wrappers import Response

SPEC_URI = "urn:portfolio:openapi"


class UndocumentedAnswer(AssertionError):
    """An operation answered what its OpenAPI document does not say (a bug in the API)."""


def _prepared() -> tuple[dict[str, Any], Registry]:
    """The app's OpenAPI document and a registry resolving its references, made once."""
    found: tuple[dict[str, Any], Registry] | None = current_app.extensions.get("api_checking")
    if found is None:
        document = current_app.extensions["portfolio_api"].spec.to_dict()
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        found = (document, Registry().with_resource(SPEC_URI, resource))
        current_app.extensions["api_checking"] = found
    return found


def check(response: Response) -> None:
    """Raise UndocumentedAnswer unless ``response`` is one the document describes."""
    document, registry = _prepared()
    rule = request.url_rule
    if rule is None:
        return
    path = rule.rule.replace("<int:", "{").replace(">", "}")
    operation = document["paths"].get(path, {}).get(request.method.lower())
    if operation is None:
        raise UndocumentedAnswer(f"{request.method} {path} is not in the OpenAPI document")
    documented = operation.get("responses", {})
    answer = documented.get(str(response.status_code)) or documented.get("default")
    if answer is None:
        raise UndocumentedAnswer(f"{request.method} {path} answered {response.status_code}")
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    content = answer.get("content", {})
    media = (response.mimetype or "").lower()
    if content and media not in content:
        raise UndocumentedAnswer(f"{request.method} {path} answered {media}, not {list(content)}")
    schema = content.get(media, {}).get("schema")
    if schema is None or not media.endswith("json"):
        return
    root = {"$ref": SPEC_URI + schema["$ref"]} if "$ref" in schema else schema
    errors = sorted(
        Draft202012Validator(root, registry=registry).iter_errors(response.get_json()),
        key=lambda e: list(e.path),
    )
    if errors:
        raise UndocumentedAnswer(
            f"{request.method} {path} {response.status_code}: {errors[0].message} "
            f"at {'/'.join(map(str, errors[0].path))}"
        )
