"""The JSON API under ``/api/v1`` (flask-smorest on the app's own Flask: each resource a
blueprint; the OpenAPI 3.1 document is generated from the operations and their schemas and
served at ``/api/v1/openapi.json``, read as a page at ``/api/v1/docs``). See docs/api.md."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from delivery.web import ids
from delivery.web.api import (
    admin,
    assessment,
    caseload,
    comments,
    docs,
    evidence,
    frameworks,
    me,
    plans,
    quality,
    witness,
)
from delivery.web.api.problems import MEDIA_TYPE
from delivery.web.api.schemas import Problem
from delivery.web.ids import IdConverter
from portfolio.services.tokens import SCOPES

# Each resource module has a flask-smorest Blueprint ``bp``; add a module here to mount it.
RESOURCES = (
    me,
    frameworks,
    evidence,
    comments,
    witness,
    admin,
    assessment,
    plans,
    quality,
    caseload,
)


class PortfolioApi(Api):
    """flask-smorest's Api, its errors answered as problems by each API blueprint (the app's
    pages keep their own error pages) and documented as ``application/problem+json``."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self) -> None:
        """Nothing app-wide: each API blueprint answers its errors (delivery.web.api.problems)."""

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            if 400 <= status < 600:
                self.spec.components.response(status.name, _problem(status.phrase), lazy=True)
        self.spec.components.response("DEFAULT_ERROR", _problem("An error"), lazy=True)


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": "Problem"}}}


def init_app(app: Flask, csrf: CSRFProtect) -> Api:
    """Mount the API on ``app``: its blueprints (exempt from the pages' CSRF check, as no
    cookie authenticates them), the OpenAPI document and the docs page."""
    app.config.setdefault("API_TITLE", "Competence portfolio API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config["OPENAPI_URL_PREFIX"] = None  # served by delivery.web.api.docs instead
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "servers": [{"url": "/", "description": "This server"}],
            "info": {"description": "See /api/v1/docs and docs/api.md."},
        },
    )
    api = PortfolioApi(app)
    api.register_converter(IdConverter, ids.openapi_schema)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token; scopes: " + ", ".join(SCOPES),
        },
    )
    for module in RESOURCES:
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)
    app.register_blueprint(docs.bp)
    app.extensions["portfolio_api"] = api
    return api


__all__ = ["PortfolioApi", "init_app"]
