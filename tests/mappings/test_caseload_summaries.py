"""The caseload reads stored registration summaries: searched, sorted and paged on the server, and
never showing a figure a change has made wrong."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from delivery.web.coverage import caseload as service
from mappings.assessment import summaries
from mappings.assessment.models import Claim, RegistrationSummary
from tests.conftest import actor_of
from tests.mappings.test_coverage_web import _claim, _decide, _quick_learner, _text


@pytest.fixture
def team(make_person):
    return make_person("assessor", name="Sam Assessor"), make_person("iqa")


def _learner(session, name, team, make_registration):
    learner = _quick_learner(session, name)
    reg = make_registration(learner=learner, assessor=team[0], iqa=team[1], codes="SE03")
    return learner, reg


def _stored(session):
    session.expire_all()
    return {r.registration_id: r for r in session.exec(select(RegistrationSummary))}


def test_the_caseload_stores_summaries_and_a_decision_forgets_only_its_learner(
    session, client, auth, team, make_registration, make_evidence
) -> None:
    ann, ann_reg = _learner(session, "Ann Able", team, make_registration)
    bob, bob_reg = _learner(session, "Bob Bright", team, make_registration)
    item = make_evidence(ann)
    rows = _claim(session, ann, item, "SE03", {"K1", "K2", "K3"})
    _decide(session, team[0], rows[:1])
    auth.login(team[0])
    page = _text(client.get("/caseload"))
    assert "1 of 18 met" in page and "2 claims awaiting decision" in page
    stored = _stored(session)
    assert {ann_reg.id, bob_reg.id} <= set(stored)
    assert (stored[ann_reg.id].met, stored[ann_reg.id].awaiting) == (1, 2)
    assert stored[ann_reg.id].computed_on == date.today()
    _decide(session, team[0], rows[1:2])  # the same transaction forgets Ann's summary, not Bob's
    stored = _stored(session)
    assert ann_reg.id not in stored and bob_reg.id in stored
    page = _text(client.get("/caseload"))
    assert "2 of 18 met" in page and "1 claims awaiting decision" in page
    # new evidence claimed by Bob: his summary goes too
    _claim(session, bob, make_evidence(bob), "SE03", {"P1"})
    assert bob_reg.id not in _stored(session)


def test_a_summary_of_another_day_is_worked_out_again(
    session, team, make_registration, make_evidence
) -> None:
    ann, reg = _learner(session, "Ann Able", team, make_registration)
    session.add(
        RegistrationSummary(
            registration_id=reg.id, met=17, total=18, awaiting=0,
            computed_on=date.today() - timedelta(days=1),
        )
    )  # fmt: skip
    session.commit()
    found = service.caseload(session, actor=actor_of(team[0]))
    assert found.rows[0].met == 0 and found.worked_out == (reg.id,)


def test_a_bulk_statement_that_does_not_say_it_is_covered_forgets_every_summary(
    session, team, make_registration, make_evidence
) -> None:
    _, reg = _learner(session, "Ann Able", team, make_registration)
    summaries.store(lambda: session, [reg.id], date.today())
    assert reg.id in _stored(session)
    session.execute(update(Claim).where(Claim.id == -1).values(method="O"))
    assert _stored(session) == {}


def test_search_sort_and_pages_are_the_servers(
    session, client, auth, team, make_registration, monkeypatch
) -> None:
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    names = ["Ann Able", "Bob Bright", "Cat Clever", "Dan Deft", "Annie Apt"]
    for name in names:
        _learner(session, name, team, make_registration)
    auth.login(team[0])
    first = _text(client.get("/caseload"))
    assert "5 registrations" in first and "Page 1 of 3" in first
    shown = re.findall(r">([A-Z][a-z]+ [A-Z][a-z]+)</a>", first)
    assert [n for n in shown if n in names] == ["Ann Able", "Annie Apt"]
    last = _text(client.get("/caseload?sort=name&dir=desc&page=3"))
    assert [n for n in re.findall(r">([A-Z][a-z]+ [A-Z][a-z]+)</a>", last) if n in names] == [
        "Ann Able"
    ]
    found = _text(client.get("/caseload?q=ann"))
    assert "2 of 5 learners match" in found and "Bob Bright" not in found
    assert "Page 1 of" not in found  # two fit on one page
    assert "name matches." in _text(client.get("/caseload?q=zed"))
    assert client.get("/caseload?page=99").status_code == 200  # clamped to the last page
