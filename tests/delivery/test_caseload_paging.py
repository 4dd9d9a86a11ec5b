"""The caseload's pages: a page's Next and Previous links seek from the row shown last or first
(so a page deep in a big caseload costs what the first does), and a page asked for by its number
alone shows the same rows; every registration on exactly one page, in the order sorted."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from delivery.web.coverage import caseload as service
from portfolio.models import Registration
from tests.mappings.test_coverage_web import _claim, _decide, _quick_learner, _text

# name, criteria met, days since start, days to the planned end: names and figures that tie
PLAN = [
    ("Ann Able", 0, 60, 300), ("Bob Bright", 2, 300, 40), ("Ann Able", 0, 60, 300),
    ("Cat Clever", 6, 10, 355), ("Dan Deft", 2, 150, 200), ("Eve Even", 0, 200, 100),
    ("Abe Ant", 1, 60, 300),
]  # fmt: skip
SORTS = [(s, d) for s in service.SORT_KEYS for d in ("asc", "desc")]


@pytest.fixture
def caseload(session, make_person, make_registration, make_evidence):
    """An assessor's caseload of seven learners; the assessor and the learners' ids."""
    assessor, iqa = make_person("assessor"), make_person("iqa")
    today = date.today()
    learners = []
    for name, met, started, left in PLAN:
        learner = _quick_learner(session, name)
        reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE03")
        reg.start_date = today - timedelta(days=started)
        reg.planned_end = today + timedelta(days=left)
        session.add(reg)
        session.commit()
        if met:
            rows = _claim(session, learner, make_evidence(learner), "SE03", {"K1", "K2", "K3",
                                                                               "K4", "K5", "K6"})  # fmt: skip
            _decide(session, assessor, rows[:met])
        learners.append(learner.id)
    return assessor, learners


def _learners(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<th scope="row"><a href="/learners/(\d+)/', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def _walk(client, url: str, rel: str) -> list[tuple[str, list[int]]]:
    """Each page's "Page N of M" and learners, following its ``rel`` links from ``url``."""
    pages: list[tuple[str, list[int]]] = []
    while url:
        page = _text(client.get(url))
        number = re.search(r"Page \d+ of \d+", page)
        pages.append((number.group(0) if number else "", _learners(page)))
        url = _link(page, rel)
        assert len(pages) < 20
    return pages


@pytest.mark.parametrize("query", ["", "a"])
def test_next_and_previous_links_seek_and_a_page_by_number_shows_the_same_rows(
    client, auth, caseload, monkeypatch, query
) -> None:
    assessor, learners = caseload
    auth.login(assessor)
    for sort, direction in SORTS:
        url = f"/caseload?sort={sort}&dir={direction}&q={query}"
        whole = _learners(_text(client.get(url)))  # one page: the order sorted, read at once
        assert sorted(whole) == sorted(who for who, (name, *_) in zip(learners, PLAN, strict=True)
                                       if query in name.casefold())  # fmt: skip
        monkeypatch.setattr(service, "PAGE_SIZE", 2)
        forward = _walk(client, url, "next")
        pages = -(-len(whole) // 2)
        assert [n for n, _ in forward] == [f"Page {i} of {pages}" for i in range(1, pages + 1)]
        assert [who for _, rows in forward for who in rows] == whole, (sort, direction)
        for number, (_, rows) in enumerate(forward, start=1):  # a link from before: no cursor
            assert _learners(_text(client.get(f"{url}&page={number}"))) == rows, number
        last = _text(client.get(f"{url}&page={pages}"))
        assert "after=" in (_link(_text(client.get(url)), "next") or "")
        assert _walk(client, f"{url}&page={pages}", "prev") == forward[::-1], (sort, direction)
        assert "before=" not in (_link(_text(client.get(f"{url}&page=2")), "prev") or "")
        assert _link(last, "next") is None
        monkeypatch.setattr(service, "PAGE_SIZE", 50)


def test_a_seek_from_a_row_no_longer_there_shows_the_page_by_its_number(
    session, client, auth, caseload, make_person, monkeypatch
) -> None:
    assessor, learners = caseload
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    auth.login(assessor)
    first = _text(client.get("/caseload"))
    moved = _learners(first)[-1]
    following = _link(first, "next")
    assert following and "page=2" in following and "after=" in following
    reg = session.exec(select(Registration).where(Registration.learner_id == moved)).one()
    reg.assessor_id = make_person("assessor").id  # off this caseload: its row is not this one's
    session.add(reg)
    session.commit()
    page = _text(client.get(following))
    by_number = _text(client.get("/caseload?page=2"))
    assert "Page 2 of 3" in page and _learners(page) == _learners(by_number)
    assert moved not in _learners(page)
    # another assessor's registration, or none, as the row to seek from: the page by its number
    assert _learners(_text(client.get(f"/caseload?page=2&after={reg.id}"))) == _learners(page)
    assert _learners(_text(client.get("/caseload?page=2&before=999999"))) == _learners(page)
    assert _learners(_text(client.get("/caseload?page=2&after=x"))) == _learners(page)


def test_a_page_reached_by_its_link_takes_the_statements_of_the_first(
    client, auth, caseload, monkeypatch, count_queries
) -> None:
    assessor, _ = caseload
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    auth.login(assessor)
    client.get("/caseload")  # every summary stored
    counts = []
    for url in ("/caseload?sort=progress", None, "/caseload?sort=progress&page=3"):
        url = url or _link(_text(client.get("/caseload?sort=progress")), "next")
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] == counts[2], counts


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?) · Competence Portfolio</title>", page, re.S)
    assert found
    return html.unescape(found.group(1))


def test_each_order_search_and_page_has_a_title_of_its_own(
    client, auth, caseload, monkeypatch
) -> None:
    """WCAG 2.4.2: the caseload sorted another way, searched, or on its next page is titled so,
    in the words of its column headings, not its codes; the hidden caption too ("sorted by
    Status", never "by rag")."""
    assessor, _learners = caseload
    auth.login(assessor)
    first = _text(client.get("/caseload"))
    assert _title(first) == "My caseload"  # by name, A to Z, as the page opens
    by_status = _text(client.get("/caseload?sort=rag&dir=desc"))
    assert _title(by_status) == "My caseload, sorted by status (descending)"
    assert "sorted by rag" not in by_status and "sorted by status (descending)" in by_status
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    second = _text(client.get("/caseload?sort=end&dir=asc&q=a&page=2"))
    assert _title(second) == (
        "My caseload, matching “a”, sorted by planned end (ascending), page 2 of 3"
    )
    finished = _text(client.get("/caseload?show=finished"))
    assert _title(finished) == "My caseload: finished"
