# ruff: noqa: F811 - the mail fixture comes from the password-reset tests
"""The witness's public page, opened from the e-mailed link without logging in, in real
Chromium at a phone's width: no WCAG A/AA violation axe-core finds, nothing wider than the
screen; the answer is recorded and the learner's evidence page says so in words."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from portfolio.db import session_scope
from portfolio.models import Person, WitnessConfirmation
from portfolio.services import evidence, witness
from portfolio.services.people import Actor
from tests.browser.conftest import PHONE_WIDTH, axe_violations, login
from tests.delivery.test_password_reset import Inbox, inbox  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def _asked(live: Any, *, ask: bool = True) -> tuple[int, str]:
    """A submitted witness testimony of learner2's and the token of a link to its witness (none
    without ``ask``)."""
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
        if not ask:
            return item.id or 0, ""
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

    with page.expect_navigation():
        page.get_by_role("button", name="I confirm this is an accurate account").click()
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


def _draft_on_top(live: Any, item_id: int) -> None:
    """The learner changes the submitted testimony: a new draft version, not submitted."""
    with session_scope(live.engine) as session:
        learner = session.exec(select(Person).where(Person.email == "learner2@example.org")).one()
        me = Actor.of(learner)
        item, _ = evidence.get_for(session, me, item_id)
        version = evidence.current_version(session, item)
        draft = evidence.Draft(
            kind=item.kind,
            title=item.title,
            activity_date=item.activity_date,
            body=version.body + " A second visit is booked.",
            fields=version.fields,
        )
        evidence.update(
            session, actor=me, evidence_id=item_id, expected_version=version.number, draft=draft
        )


def _witness_link(handler: Inbox, base: str) -> str:
    """The address in the next e-mail to the witness (other mail the site sends is passed over)."""
    while True:
        to, message = handler.next()
        if to == ["jo.smith@employer.example"]:
            body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
            found = re.search(re.escape(base) + r"/witness/\S+", body)
            assert found, body
            return found.group(0)


def _ask_again(page: Any) -> str:
    """The learner sends the ask form on the evidence page; the message shown after."""
    page.get_by_label("The witness's e-mail address").fill("jo.smith@employer.example")
    with page.expect_navigation():
        page.get_by_role("button", name="E-mail the witness a link to confirm").click()
    return str(page.locator(".flashes").inner_text())


def test_a_replaced_link_refuses_the_answer_on_a_phone(
    page, browser, live, live_server, inbox, monkeypatch
) -> None:
    """The ask form says the witness sees the submitted version, not the learner's draft. The
    witness opens the first e-mail's link; meanwhile the learner asks again, so the answer sent
    from the open page is refused (410) in words, and the old link opened again says the same:
    axe-clean and nothing wider than a phone; nothing is recorded; the newer link works. (The
    shared server sends e-mail to a local inbox for this test only.)"""
    handler, port = inbox
    monkeypatch.setitem(live.app.config, "MAIL_HOST", "127.0.0.1")
    monkeypatch.setitem(live.app.config, "MAIL_PORT", port)
    item_id, _ = _asked(live, ask=False)
    _draft_on_top(live, item_id)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    login(page, live_server, "learner2@example.org")
    page.goto(f"{live_server}/evidence/{item_id}")
    said = re.compile(
        r"The witness will see the version you submitted on \d{1,2} \w{3} \d{4}, "
        r"not your draft changes\."
    )
    shown = page.locator("#witness-shown")
    assert shown.is_visible() and said.fullmatch(shown.inner_text()), shown.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []
    assert said.search(_ask_again(page))
    old = _witness_link(handler, live_server)

    witness_page = browser.new_context(
        bypass_csp=True, viewport={"width": PHONE_WIDTH, "height": 800}
    ).new_page()
    witness_page.goto(old)  # the witness opens the first e-mail
    assert witness_page.get_by_role("heading", name="Is this an accurate account?").is_visible()
    assert "earlier link, not answered, no longer works" in _ask_again(page)  # meanwhile
    new = _witness_link(handler, live_server)
    with witness_page.expect_navigation() as sent:
        witness_page.get_by_role("button", name="I confirm this is an accurate account").click()
    assert sent.value is not None and sent.value.status == 410
    heading = witness_page.get_by_role("heading", level=1)
    assert heading.inner_text() == "This request was replaced by a later one"
    assert "use the newest e-mail" in witness_page.locator("main").inner_text()
    assert witness_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(witness_page) == []
    with session_scope(live.engine) as session:
        rows = session.exec(
            select(WitnessConfirmation).where(WitnessConfirmation.evidence_id == item_id)
        ).all()
        assert [r.answered_at for r in rows] == [None, None]
    reopened = witness_page.goto(old)  # the old e-mail, opened again
    assert reopened is not None and reopened.status == 410
    assert heading.inner_text() == "This request was replaced by a later one"
    assert axe_violations(witness_page) == []
    witness_page.goto(new)
    assert witness_page.get_by_role("heading", name="Is this an accurate account?").is_visible()
    witness_page.context.close()
