# ruff: noqa: F811 - the caseload fixture comes from the paging tests
"""The caseload lists the learners still in learning (on a break too, marked so) apart from the
finished ones (completed or withdrawn), whatever it is sorted by: a finished learner never sits
among the learners in learning, each part counted, sorted and paged on its own, and the finished
part costs the statements the other does."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from delivery.web.coverage import caseload as service
from portfolio.models import Registration
from portfolio.services import breaks, withdrawals
from tests.conftest import actor_of
from tests.delivery.test_caseload_paging import SORTS, _learners, _text, _walk, caseload  # noqa: F401


def _reg(session, learner_id: int) -> Registration:
    return session.exec(select(Registration).where(Registration.learner_id == learner_id)).one()


def _withdraw(session, admin, learner_ids) -> None:
    for learner_id in learner_ids:
        withdrawals.withdraw(
            session,
            actor=actor_of(admin),
            registration_id=_reg(session, learner_id).id,
            on=date.today() - timedelta(days=1),
            reason="Moved away",
        )
    session.commit()


def _words(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_finished_learners_are_apart_from_those_in_learning_in_every_sort(
    session, client, auth, caseload, make_person, monkeypatch
) -> None:
    assessor, learners = caseload
    admin = make_person("admin")
    auth.login(assessor)
    before = {(s, d): _learners(_text(client.get(f"/caseload?sort={s}&dir={d}"))) for s, d in SORTS}
    gone = [before[("name", "asc")][0], before[("name", "desc")][0], learners[3]]
    _withdraw(session, admin, gone)
    away = learners[4]  # on a break: still in learning, marked so
    breaks.start_break(
        session, actor=actor_of(admin), registration_id=_reg(session, away).id, reason="Leave"
    )
    session.commit()
    for sort, direction in SORTS:
        url = f"/caseload?sort={sort}&dir={direction}"
        page = _text(client.get(url))
        learning = [who for who in before[(sort, direction)] if who not in gone]
        assert _learners(page) == learning, (sort, direction)
        assert "In learning (4)" in page and "Finished: completed or withdrawn (3)" in page
        assert "On a break since" in page and "Withdrawn on" not in page
        finished = _learners(_text(client.get(f"{url}&show=finished")))
        assert sorted(finished) == sorted(gone), (sort, direction)
        if sort != "rag":  # by status the withdrawn's stored RAG counts no more
            assert finished == [who for who in before[(sort, direction)] if who in gone]
        monkeypatch.setattr(service, "PAGE_SIZE", 2)
        for part, whole in (("", learning), ("&show=finished", finished)):
            forward = _walk(client, url + part, "next")
            assert [who for _, rows in forward for who in rows] == whole, (sort, direction, part)
            for number, (_, rows) in enumerate(forward, start=1):
                by_number = _learners(_text(client.get(f"{url}{part}&page={number}")))
                assert by_number == rows, (sort, direction, part, number)
            last = f"{url}{part}&page={len(forward)}"
            assert _walk(client, last, "prev") == forward[::-1], (sort, direction, part)
        monkeypatch.setattr(service, "PAGE_SIZE", 50)


def test_a_search_counts_and_lists_each_part(session, client, auth, caseload, make_person) -> None:
    assessor, learners = caseload  # "a": Ann Able twice, Dan Deft, Abe Ant and more
    _withdraw(session, make_person("admin"), [learners[0]])  # one Ann Able
    auth.login(assessor)
    page = _words(_text(client.get("/caseload?q=ann")))
    assert "2 of 7 registrations match “ann”." in page
    assert "In learning (1)" in page and "Finished: completed or withdrawn (1)" in page
    assert _learners(_text(client.get("/caseload?q=ann"))) == [learners[2]]
    finished = _text(client.get("/caseload?q=ann&show=finished"))
    assert _learners(finished) == [learners[0]] and "Withdrawn on" in finished
    assert 'name="show" value="finished"' in finished  # a new search stays with the finished
    found = service.caseload(session, actor=actor_of(assessor), finished=True)
    assert (found.finished_matching, found.learning_matching, found.matching) == (1, 6, 1)
    assert "No learner's name matches." in _text(client.get("/caseload?q=zzz&show=finished"))


def test_the_finished_part_takes_the_statements_of_the_learning_part_however_many(
    session, client, auth, caseload, make_person, count_queries
) -> None:
    assessor, learners = caseload
    admin = make_person("admin")
    auth.login(assessor)
    client.get("/caseload")  # every summary stored
    counts = []
    for gone in (learners[:1], learners[1:5]):
        _withdraw(session, admin, gone)
        client.get("/caseload")  # the withdrawn's summaries stored again
        for url in ("/caseload", "/caseload?show=finished", "/caseload?show=finished&sort=end"):
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.append(q.count)
    assert len(set(counts)) == 1, counts
