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
    ("IQA actions", "iqa.actions", frozenset({"assessor"})),
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
    items = []
    for label, endpoint, roles in NAV:
        if endpoint in current_app.view_functions and me.roles & roles:
            items.append(NavItem(label, url_for(endpoint), request.endpoint == endpoint))
    return items


MARK = 918273645


def around(endpoint: str, key: str) -> tuple[str, str]:
    """A row's link to ``endpoint`` as what comes before and after its ``key`` value (an id):
    built once for a page of rows (building each row's costs more than the rest of the row)."""
    values: dict[str, Any] = {key: MARK}
    before, _, after = url_for(endpoint, **values).partition(str(MARK))
    return before, after
