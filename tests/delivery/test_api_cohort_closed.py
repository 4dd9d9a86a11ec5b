"""The API says which cohorts are closed (``closed_on``: the day, null while open), and refuses a
new registration into a closed cohort in words, adding nothing."""

from __future__ import annotations

import uuid
from datetime import date

from portfolio.services import cohorts, registrations
from portfolio.services.people import SYSTEM
from tests.delivery.api_world import bearer, token_for


def _admin_headers(session, make_person) -> dict[str, str]:
    admin = make_person("admin")
    return bearer(token_for(session, admin.id or 0))


def test_the_cohort_list_says_which_are_closed(client, session, make_person) -> None:
    headers = _admin_headers(session, make_person)
    tag = uuid.uuid4().hex[:6]
    shut = registrations.create_cohort(session, actor=SYSTEM, name=f"Api Spring {tag}")
    registrations.create_cohort(session, actor=SYSTEM, name=f"Api Autumn {tag}")
    cohorts.close_cohort(session, actor=SYSTEM, cohort_id=shut.id or 0)
    session.commit()
    items = client.get("/api/v1/cohorts?limit=200", headers=headers).get_json()["items"]
    by_name = {c["name"]: c for c in items}
    assert by_name[f"Api Spring {tag}"]["closed_on"] == date.today().isoformat()
    assert by_name[f"Api Autumn {tag}"]["closed_on"] is None
    made = client.post(
        "/api/v1/cohorts", json={"name": f"Api New {tag}"}, headers=headers
    ).get_json()
    assert made["closed_on"] is None
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "closed_on" in spec["components"]["schemas"]["Cohort"]["properties"]
