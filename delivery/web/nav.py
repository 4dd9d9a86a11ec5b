"""The main navigation: which pages each role sees in the header; links repeated down a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for

from portfolio.services.people import Actor

# (label, endpoint, roles that see it)
NAV: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("Home", "home.index", frozenset({"admin", "assessor", "iqa", "learner", "eqa"})),
    ("My evidence", "evidence.index", frozenset({"learner"})),
    ("Caseload", "caseload.index", frozenset({"assessor"})),
    ("Marking", "marking.index", frozenset({"assessor"})),
    ("Quality assurance", "iqa.index", frozenset({"iqa"})),
    ("IQA feedback", "iqa.actions", frozenset({"assessor"})),
    ("External QA", "iqa.eqa_index", frozenset({"eqa"})),
    ("EQA access", "iqa.eqa_grants", frozenset({"admin"})),
    ("Centre", "admin.index", frozenset({"admin"})),
    ("People", "admin.people", frozenset({"admin"})),
    ("Cohorts", "admin.cohorts", frozenset({"admin"})),
    ("Registrations", "admin.registrations", frozenset({"admin"})),
    ("Background work", "jobs.index", frozenset({"admin"})),
    ("VLE links", "admin.lti_platforms", frozenset({"admin"})),
    ("Frameworks", "frameworks.index", frozenset({"admin", "assessor", "iqa", "learner"})),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def nav_for(me: Actor) -> list[NavItem]:
    endpoint = request.endpoint
    return [
        NavItem(label, url, endpoint == to)
        for label, to, roles, url in _links()
        if me.roles & roles
    ]


def _links() -> list[tuple[str, str, frozenset[str], str]]:
    """Every page of the navigation that this app has, with its address: built once per app
    (and prefix it is served under), not fifteen ``url_for`` calls on every page."""
    known: dict[str, list[tuple[str, str, frozenset[str], str]]]
    known = current_app.extensions.setdefault("portfolio.nav", {})
    links = known.get(request.script_root)
    if links is None:
        links = [
            (label, endpoint, roles, url_for(endpoint))
            for label, endpoint, roles in NAV
            if endpoint in current_app.view_functions
        ]
        known[request.script_root] = links
    return links


MARK = 918273645


def around(endpoint: str, key: str) -> tuple[str, str]:
    """A row's link to ``endpoint`` as what comes before and after its ``key`` value (an id):
    built once for a page of rows (building each row's costs more than the rest of the row)."""
    values: dict[str, Any] = {key: MARK}
    before, _, after = url_for(endpoint, **values).partition(str(MARK))
    return before, after
