"""The API's IQA cycles say whose days their first and last day are: the time zone kept with
the cycle, or UTC for a cycle created before zones were kept (``iqa_cycle.time_zone`` NULL)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mappings.quality import cycles
from mappings.quality.models import SamplingCycle
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for


def test_a_cycle_says_the_time_zone_of_its_days(client, session: Session, make_person) -> None:
    iqa = make_person("iqa")
    me = actor_of(iqa)
    london = cycles.create_cycle(
        session, actor=me, name="Summer", start=date(2026, 7, 1), end=date(2026, 9, 30),
        zone=ZoneInfo("Europe/London"),
    )  # fmt: skip
    old = cycles.create_cycle(
        session, actor=me, name="Old", start=date(2025, 1, 1), end=date(2025, 3, 31)
    )
    old.time_zone = None  # created before migration 0056: its days are UTC days
    session.add(old)
    session.commit()
    auth = bearer(token_for(session, iqa.id or 0))

    listed = client.get("/api/v1/iqa/cycles", headers=auth).get_json()["items"]
    zones = {c["name"]: c["time_zone"] for c in listed}
    assert zones == {"Summer": "Europe/London", "Old": "UTC"}
    one = client.get(f"/api/v1/iqa/cycles/{london.id}", headers=auth).get_json()
    assert one["time_zone"] == "Europe/London"
    assert client.get(f"/api/v1/iqa/cycles/{old.id}", headers=auth).get_json()["time_zone"] == "UTC"
    assert session.get(SamplingCycle, old.id).time_zone is None  # read, never written

    document = client.get("/api/v1/openapi.json").get_json()
    described = document["components"]["schemas"]["CycleOut"]["properties"]["time_zone"]
    assert "UTC" in described["description"]
