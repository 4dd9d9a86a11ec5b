"""Stored statuses are shown in words: a person's account and a registration are "Active", a
sample's sign-off is "Signed off", an IQA action is "Open" and a review "Disagreed", never the
lower-case value the database holds ("active", "signed", "open", "disagree")."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from mappings.quality.models import Sample
from mappings.quality.samples import sample_view
from tests.conftest import actor_of
from tests.mappings.test_iqa_web import planned  # noqa: F401


def _cells(html: str) -> list[str]:
    return [c.strip() for c in re.findall(r"<(?:td|dd)[^>]*>([^<]*)", html)]


def test_admin_pages_say_active_in_words(client, auth, planned) -> None:  # noqa: F811
    auth.login("admin")
    people = _cells(client.get("/admin/people").get_data(as_text=True))
    assert "Active" in people and "active" not in people
    registrations = _cells(client.get("/admin/registrations").get_data(as_text=True))
    assert "Active" in registrations and "active" not in registrations


def test_iqa_sample_and_actions_say_statuses_in_words(client, auth, planned, session) -> None:  # noqa: F811
    centre, _first = planned
    samples = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).all()
    sample = next(s for s in samples if s.kind == "summative")
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    auth.login(centre.iqa)
    response = client.post(
        f"/iqa/samples/{sample.id}",
        data={
            **{f"check-{d.id}": "disagree" for d in view.decisions},
            **{f"note-{d.id}": "Not observed" for d in view.decisions},
            "outcome": "disagree",
            "feedback": "Observe it.",
            "action1": "Observe P1",
            "due1": (date.today() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    cells = _cells(page)
    assert "Signed off" in cells and "signed" not in cells
    assert "Disagreed" in cells and "Disagree" not in cells
    assert ">disagree " not in page and "Disagreed " in page  # each decision's check
    assert ", open" not in page and "Observe P1: due" in page
    actions = _cells(client.get("/iqa/actions").get_data(as_text=True))
    assert "Open" in actions and "open" not in actions
