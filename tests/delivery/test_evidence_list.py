"""The learner's evidence list (issue 17): searched by title and text on the server, a page at a
time; ordered newest, oldest or by title; each item's decision state in words; a fixed number of
SQL statements however long the list."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from mappings.assessment import claims
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.item_state import item_states, state_of
from mappings.assessment.models import Claim
from portfolio.models import Person
from portfolio.services import evidence as service
from tests.conftest import actor_of


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _titles(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return re.findall(r'<td data-label="Title"><a href="/evidence/\d+">([^<]*)</a>', body)


@pytest.fixture
def learner(
    make_person: Callable[..., Person], make_registration: Callable[..., Any]
) -> tuple[Person, Person]:
    person, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=person, assessor=assessor, codes="SE01")
    return person, assessor


def _item(make_evidence: Any, who: Person, title: str, days: int, body: str = "Notes.", **kw: Any):
    return make_evidence(
        who, title=title, body=body, activity_date=date.today() - timedelta(days=days), **kw
    )


def test_search_finds_every_word_in_the_title_or_the_text_in_any_case(
    client: FlaskClient, auth: Any, learner: Any, make_evidence: Any
) -> None:
    person, _assessor = learner
    _item(make_evidence, person, "Job fair at the library", 3, "We met three EMPLOYERS.")
    _item(make_evidence, person, "Vocational profile", 2, "Her skills and the job she wants.")
    _item(make_evidence, person, "Supervision notes", 1, "Caseload review; 100% on time_keeping.")
    auth.login(person)
    assert _titles(_text(client.get("/evidence?q=job"))) == [
        "Vocational profile",
        "Job fair at the library",
    ]
    assert _titles(_text(client.get("/evidence?q=employers+FAIR"))) == ["Job fair at the library"]
    assert _titles(_text(client.get("/evidence?q=job+review"))) == []  # every word must be found
    # % and _ are letters, not patterns
    assert _titles(_text(client.get("/evidence?q=100%25"))) == ["Supervision notes"]
    assert _titles(_text(client.get("/evidence?q=e_p"))) == []
    page = _text(client.get("/evidence?q=nothing-like-this"))
    assert "No evidence holds “nothing-like-this”." in page
    assert 'value="nothing-like-this"' in page  # the search box keeps what was typed


def test_search_and_order_are_kept_across_pages_and_status_filters(
    session: Session, client: FlaskClient, auth: Any, learner: Any, make_evidence: Any
) -> None:
    person, _assessor = learner
    for i in range(7):
        _item(make_evidence, person, f"Placement visit {i}", 10 - i, submit=i % 2 == 0)
    _item(make_evidence, person, "Unrelated", 1)
    listing = service.page_for_learner(
        session,
        actor=actor_of(person),
        learner_id=person.id or 0,
        query="placement",
        sort="oldest",
        per_page=3,
        page=3,
    )
    assert listing.total == 7 and listing.pages == 3
    assert [r.title for r in listing.rows] == ["Placement visit 6"]
    auth.login(person)
    page = _text(client.get("/evidence?q=placement&sort=title&status=submitted"))
    assert _titles(page) == [f"Placement visit {i}" for i in (0, 2, 4, 6)]
    assert 'href="/evidence?status=draft&amp;q=placement&amp;sort=title"' in page
    assert 'href="/evidence?status=submitted&amp;sort=title"' in page  # clear the search
    assert '<option value="title" selected>' in page
    assert "Showing 1–4 of 4 (submitted) with “placement”." in page


def test_the_list_is_ordered_newest_oldest_or_by_title(
    client: FlaskClient, auth: Any, learner: Any, make_evidence: Any
) -> None:
    person, _assessor = learner
    _item(make_evidence, person, "b middle", 5)
    _item(make_evidence, person, "C newest", 1)
    _item(make_evidence, person, "A oldest", 9)
    auth.login(person)
    assert _titles(_text(client.get("/evidence"))) == ["C newest", "b middle", "A oldest"]
    assert _titles(_text(client.get("/evidence?sort=newest"))) == [
        "C newest",
        "b middle",
        "A oldest",
    ]
    assert _titles(_text(client.get("/evidence?sort=oldest"))) == [
        "A oldest",
        "b middle",
        "C newest",
    ]
    # by title regardless of case; an unknown order is the default one
    assert _titles(_text(client.get("/evidence?sort=title"))) == [
        "A oldest",
        "b middle",
        "C newest",
    ]
    assert _titles(_text(client.get("/evidence?sort=bogus")))[0] == "C newest"


def test_each_item_says_its_decision_state_in_words(
    session: Session, client: FlaskClient, auth: Any, learner: Any, make_evidence: Any
) -> None:
    person, assessor = learner
    criteria = [c.criterion_id for c in claimable_criteria(session, person.id or 0)][:2]
    _item(make_evidence, person, "Draft one", 5, submit=False)
    _item(make_evidence, person, "Sent, nothing mapped", 4)
    items = {}
    for title, outcome in (
        ("All accepted", ("accepted", "accepted")),
        ("One referred", ("accepted", "referred")),
        ("Still waiting", ("accepted", None)),
    ):
        item = _item(make_evidence, person, title, 3, submit=False)
        claims.set_claims(
            session, actor=actor_of(person), evidence_id=item.id, criterion_ids=criteria
        )
        service.submit(session, actor=actor_of(person), evidence_id=item.id, declaration=True)
        rows = session.exec(
            select(Claim).where(Claim.evidence_id == item.id).order_by(col(Claim.id))
        ).all()
        for claim, decision in zip(rows, outcome, strict=True):
            if decision:
                claims.decide(
                    session,
                    actor=actor_of(assessor),
                    claim_id=claim.id or 0,
                    expected_revision=claim.revision,
                    decision=decision,
                    method="O",
                    feedback="Add the date." if decision == "referred" else "",
                )
        items[title] = item
    session.commit()
    auth.login(person)
    page = _text(client.get("/evidence"))
    found = dict(
        re.findall(
            r'<a href="/evidence/\d+">([^<]*)</a></td>.*?<td data-label="Decision">'
            r'<span class="badge [^"]*">([^<]*)</span>',
            page,
            re.S,
        )
    )
    assert found == {
        "Draft one": "Draft",
        "Sent, nothing mapped": "Awaiting decision",
        "All accepted": "Accepted",
        "One referred": "Some referred",
        "Still waiting": "Awaiting decision",
    }


@pytest.mark.parametrize(
    ("status", "counts", "state"),
    [
        ("draft", {"referred": 1}, "draft"),
        ("submitted", {}, "awaiting decision"),
        ("submitted", {"claimed": 1, "accepted": 2}, "awaiting decision"),
        ("submitted", {"claimed": 1, "referred": 1}, "some referred"),
        ("submitted", {"accepted": 3}, "accepted"),
    ],
)
def test_state_of_an_item(status: str, counts: dict[str, int], state: str) -> None:
    assert state_of(status, counts) == state


def test_the_list_takes_the_same_number_of_sql_statements_however_long(
    session: Session,
    client: FlaskClient,
    auth: Any,
    learner: Any,
    make_evidence: Any,
    count_queries: Callable[[], Any],
) -> None:
    person, assessor = learner
    criteria = [c.criterion_id for c in claimable_criteria(session, person.id or 0)][:1]
    auth.login(assessor)
    counts = []
    for start, stop in ((0, 3), (3, 40)):
        for i in range(start, stop):
            item = _item(make_evidence, person, f"Visit {i}", i % 20, submit=False)
            claims.set_claims(
                session, actor=actor_of(person), evidence_id=item.id, criterion_ids=criteria
            )
            service.submit(session, actor=actor_of(person), evidence_id=item.id, declaration=True)
        session.commit()
        with count_queries() as q:
            page = _text(client.get(f"/learners/{person.id}/evidence?q=visit&sort=title&page=1"))
        assert "Awaiting decision" in page
        counts.append(q.count)
    assert counts[0] == counts[1] == 6, counts  # the log-in, the learner, the list, the states
    with count_queries() as q:
        listing = service.page_for_learner(
            session, actor=actor_of(assessor), learner_id=person.id or 0, query="visit"
        )
    assert q.count == 2, q.statements  # who may see it, the page with how many
    with count_queries() as q:
        states = item_states(session, [(r.id, r.status) for r in listing.rows])
    assert q.count == 1 and set(states.values()) == {"awaiting decision"}


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?) · Competence Portfolio</title>", page, re.S)
    assert found, page[:300]
    return found.group(1)


def test_the_title_says_the_filter_search_and_page_shown(
    client: FlaskClient, auth: Any, learner: Any, make_evidence: Any
) -> None:
    """WCAG 2.4.2: each filter, search and page of the list has a title of its own, as the
    page says what it shows ("Showing 1–4 of 4 (submitted) with “placement”", "Page 2"). The
    learner's own list is "My evidence", as its heading says; their assessor's, "Evidence of …"."""
    person, assessor = learner
    for i in range(52):
        _item(make_evidence, person, f"Placement visit {i}", 60 - i, submit=i % 2 == 0)
    auth.login(assessor)
    theirs = client.get(f"/learners/{person.id}/evidence?status=submitted").get_data(as_text=True)
    assert _title(theirs) == f"Evidence of {person.name}: submitted"
    auth.login(person)
    whose = "My evidence"
    own = client.get("/evidence").get_data(as_text=True)
    assert "<h1>My evidence</h1>" in own
    assert _title(_text(client.get("/evidence"))) == f"{whose}, page 1 of 2"
    assert _title(_text(client.get("/evidence?page=2"))) == f"{whose}, page 2 of 2"
    assert _title(_text(client.get("/evidence?status=draft"))) == f"{whose}: drafts"
    assert _title(_text(client.get("/evidence?status=submitted&q=visit+1"))) == (
        f"{whose}: submitted, with “visit 1”"
    )
