"""The IQA plan's quotas count decisions as people do: "1 of 1 decision", "2 of 5 decisions"."""

from __future__ import annotations

import re
from html import unescape

from mappings.quality.cycles import create_cycle
from mappings.quality.plan import plan_cycle
from tests.conftest import actor_of
from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START, assess


def test_plan_page_quotas_say_decision_for_one_and_decisions_for_more(
    session, client, auth, make_person, make_registration
) -> None:
    iqa = make_person("iqa")
    one = make_person("assessor", name="Ola Onedecision")
    many = make_person("assessor", name="Mo Manydecisions")
    for person in (one, many):
        person.assessor_status = "new"  # every decision sampled: "n of n"
        session.add(person)
    session.commit()
    reg = make_registration(assessor=one, iqa=iqa)
    assess(session, reg, one.id, "SE01", signed=False)
    reg = make_registration(assessor=many, iqa=iqa)
    for code in ("SE01", "SE03", "SE04"):
        assess(session, reg, many.id, code, signed=False)
    cycle = create_cycle(
        session, actor=actor_of(iqa), name="Spring", start=CYCLE_START, end=CYCLE_END, seed=3
    )
    plan_cycle(session, actor=actor_of(iqa), cycle_id=cycle.id)
    session.commit()

    auth.login(iqa)
    page = unescape(client.get(f"/iqa/cycles/{cycle.id}").get_data(as_text=True))
    quotas = page[page.index("<h2>Quotas</h2>") :]
    lines = dict(re.findall(r"<li>([^:<]+): ([^(<]+) \(", quotas))
    assert lines["Ola Onedecision"] == "1 of 1 decision"
    assert lines["Mo Manydecisions"] == "3 of 3 decisions"
    assert "decision(s)" not in quotas
