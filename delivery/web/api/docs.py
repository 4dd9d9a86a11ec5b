"""The API's description: the OpenAPI document as JSON, and the same read as a page (rendered
here, with no script, so that it needs nothing from elsewhere and is read by anyone)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from delivery.web.handler import page

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
METHODS = ("get", "post", "put", "patch", "delete")


def spec() -> dict[str, Any]:
    document: dict[str, Any] = current_app.extensions["portfolio_api"].spec.to_dict()
    return document


@bp.route("/openapi.json")
@page(public=True)
def openapi_json() -> Any:
    return current_app.json.response(spec())


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = op.get("security") or [{}]
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "scopes": sorted({s for req in security for v in req.values() for s in v}),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": [
                        p for p in (item.get("parameters", []) + op.get("parameters", []))
                    ],
                    "body": sorted((op.get("requestBody") or {}).get("content", {}).keys()),
                    "responses": sorted(op.get("responses", {}).keys()),
                }
            )
    return found


def _groups(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The operations under the description of their resource, in the document's order."""
    operations = _operations(document)
    return [
        (tag.get("description") or tag["name"], [o for o in operations if o["tag"] == tag["name"]])
        for tag in document.get("tags", [])
    ]


@bp.route("/docs")
@page(public=True)
def docs() -> str:
    document = spec()
    return render_template("api/docs.html", document=document, groups=_groups(document))
