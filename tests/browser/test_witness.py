"""The witness's public page, opened from the e-mailed link without logging in, in real
Chromium at a phone's width: no WCAG A/AA violation axe-core finds, nothing wider than the
screen; the answer is recorded and the learner's evidence page says so in words."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from portfolio.db import session_scope
from portfolio.models import Person
from portfolio.services import evidence, witness
from portfolio.services.people import Actor
from tests.browser.conftest import PHONE_WIDTH, axe_violations, login

pytestmark = pytest.mark.browser


def _asked(live: Any) -> tuple[int, str]:
    """A submitted witness testimony of learner2's and the token of a link to its witness."""
    with session_scope(live.engine) as session:
        learner = session.exec(select(Person).where(Person.email == "learner2@example.org")).one()
        me = Actor.of(learner)
        draft = evidence.Draft(
            kind="witness_testimony",
            title="Job match visit",
            activity_date=date.today() - timedelta(days=3),
            body="Leo met the employer with the job seeker and agreed **two trial shifts**.",
            fields={
                "witness_name": "Jo Smith",
                "witness_role": "Store manager",
                "witness_relationship": "The employer who took the job seeker on",
            },
        )
        item = evidence.create(session, actor=me, learner_id=me.id, draft=draft)
        evidence.submit(session, actor=me, evidence_id=item.id or 0, declaration=True)
        asked = witness.request(
            session, actor=me, evidence_id=item.id or 0, email="jo.smith@employer.example"
        )
        _, token = asked.row, asked.token
        return item.id or 0, token


def test_the_witness_answers_on_a_phone_and_the_learner_reads_it(page, live, live_server) -> None:
    item_id, token = _asked(live)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto(f"{live_server}/witness/{token}")
    assert page.get_by_role("heading", name="Is this an accurate account?").is_visible()
    assert page.locator("strong", has_text="two trial shifts").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []

    page.get_by_role("button", name="I confirm this is an accurate account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you: your answer is recorded").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server}/witness/{token}")  # the link is used up: said in words
    assert "used" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH

    login(page, live_server, "learner2@example.org")
    page.goto(f"{live_server}/evidence/{item_id}")
    section = page.locator("#witness")
    assert "Confirmed by the witness (jo.smith@employer.example) on" in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []
