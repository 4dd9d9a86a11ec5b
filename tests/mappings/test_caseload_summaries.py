"""The caseload reads stored registration summaries: searched, sorted and paged on the server, and
never showing a figure a change has made wrong."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from delivery.web.coverage import caseload as service
from mappings.assessment import caseload as query
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
    assert "2 of 18 met" in page and "1 claim awaiting decision" in page
    # new evidence claimed by Bob: his summary goes too
    _claim(session, bob, make_evidence(bob), "SE03", {"P1"})
    assert bob_reg.id not in _stored(session)


def _earlier_day(session, reg_ids, met=17):
    """Summaries of these registrations as of yesterday, saying ``met`` criteria were met."""
    summaries.store(lambda: session, reg_ids, date.today() - timedelta(days=1))
    session.execute(
        update(RegistrationSummary)
        .where(RegistrationSummary.registration_id.in_(reg_ids))
        .values(met=met, percent=94)
    )
    session.commit()


def test_a_summary_of_another_day_is_worked_out_again(
    session, client, auth, team, make_registration
) -> None:
    _, reg = _learner(session, "Ann Able", team, make_registration)
    _earlier_day(session, [reg.id])
    found = service.caseload(session, actor=actor_of(team[0]))  # nothing stores: left as it was
    assert found.rows[0].met == 17 and found.pending == (reg.id,) and found.stale == 1
    auth.login(team[0])
    page = _text(client.get("/caseload"))  # few: worked out and stored before the page reads
    assert "0 of 18 met" in page and "17 of 18" not in page and "brought up to date" not in page
    assert _stored(session)[reg.id].computed_on == date.today()


def test_a_backlog_of_summaries_goes_to_the_background_and_the_page_shows_what_there_is(
    session, client, auth, team, make_registration, monkeypatch
) -> None:
    monkeypatch.setattr(query, "INLINE", 1)
    regs = [_learner(session, name, team, make_registration)[1] for name in ("Ann A", "Bob B")]
    _earlier_day(session, [r.id for r in regs])
    new = _learner(session, "Cat C", team, make_registration)[1]  # no summary at all
    auth.login(team[0])
    page = _text(client.get("/caseload"))  # the first visit of a day the nightly job missed
    assert "2 registrations" in page and "17 of 18 met" in page and "0 of 18" not in page
    assert "1 registration is not shown yet; 2 show an earlier day" in page
    assert "Cat C" not in page
    # the backlog was stored after the answer (in a thread of the server, here in the request)
    assert {s.computed_on for s in _stored(session).values()} == {date.today()}
    page = _text(client.get("/caseload"))
    assert "3 registrations" in page and "Cat C" in page and "17 of 18" not in page
    assert "brought up to date" not in page and new.id in _stored(session)


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
    assert "2 of 5 registrations match" in found and "Bob Bright" not in found
    assert "Page 1 of" not in found  # two fit on one page
    assert "name matches." in _text(client.get("/caseload?q=zed"))
    assert client.get("/caseload?page=99").status_code == 200  # clamped to the last page


def test_a_rename_or_another_assessor_moves_the_learner_in_the_stored_order(
    session, client, auth, team, make_registration, make_person
) -> None:
    ann, ann_reg = _learner(session, "Ann Able", team, make_registration)
    _learner(session, "Bob Bright", team, make_registration)
    auth.login(team[0])
    assert _order_of(client.get("/caseload")) == ["Ann Able", "Bob Bright"]
    ann.name = "Zoe Able"  # the stored name sorts and is searched: a rename forgets it
    session.add(ann)
    session.commit()
    assert ann_reg.id not in _stored(session)
    assert _order_of(client.get("/caseload")) == ["Bob Bright", "Zoe Able"]
    assert "1 of 2 registrations match" in _text(client.get("/caseload?q=zoe"))
    other = make_person("assessor")
    ann_reg.assessor_id = other.id  # reallocated: off this caseload, onto the other's
    session.add(ann_reg)
    session.commit()
    page = _text(client.get("/caseload"))
    assert "1 registration ·" in page and "Zoe Able" not in page
    auth.login(other)
    assert _order_of(client.get("/caseload")) == ["Zoe Able"]


def test_a_search_matches_its_words_not_like_wildcards(
    session, client, auth, team, make_registration
) -> None:
    for name in ("Ann Able", "Bob Bright", "Jo_Ann Percent%"):
        _learner(session, name, team, make_registration)
    auth.login(team[0])
    assert "1 of 3 registrations match" in _text(client.get("/caseload?q=_"))
    assert "1 of 3 registrations match" in _text(client.get("/caseload?q=%25"))
    assert "2 of 3 registrations match" in _text(client.get("/caseload?q=ANN"))
    assert "No learner" in _text(client.get("/caseload?q=a%25b"))


def test_the_search_line_counts_registrations_as_the_table_shows_them(
    session, client, auth, team, make_registration
) -> None:
    from pathlib import Path

    from demo.accounts import register_learner
    from framework.parse import parse
    from portfolio.services.frameworks import import_framework
    from portfolio.services.people import SYSTEM

    ann, _reg = _learner(session, "Ann Able", team, make_registration)
    _learner(session, "Bob Bright", team, make_registration)
    data = Path(__file__).parent / "data" / "management-leadership.csv"
    spec = parse(data.read_bytes(), data.name)
    register_learner(
        session, learner_id=ann.id, codes=[spec.standards[0].code],
        framework_id=import_framework(session, actor=SYSTEM, spec=spec).framework_id,
        assessor_id=team[0].id, iqa_id=team[1].id, cohort_id=None,
        start=date.today() - timedelta(days=30), planned_end=date.today() + timedelta(days=300),
    )  # fmt: skip
    session.commit()
    auth.login(team[0])
    found = _text(client.get("/caseload?q=ann"))
    # Ann is one learner on two frameworks: two rows, two registrations, not "2 learners"
    assert "2 of 3 registrations match" in found and "learners match" not in found
    assert "1 of 3 registrations match" in _text(client.get("/caseload?q=bob"))


def _order_of(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', _text(response))


def test_a_visit_that_loses_the_race_to_store_reads_what_the_winner_stored(
    session, client, auth, team, make_registration, monkeypatch
) -> None:
    _learner(session, "Ann Able", team, make_registration)
    real = summaries.store

    def raced(factory, ids, today, **kw):  # another visit stored them first: this collides
        real(factory, ids, today, **kw)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(summaries, "store", raced)
    auth.login(team[0])
    response = client.get("/caseload")
    assert response.status_code == 200 and _order_of(response) == ["Ann Able"]
