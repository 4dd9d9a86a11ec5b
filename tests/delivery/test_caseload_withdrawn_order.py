# ruff: noqa: F811 - the caseload fixture comes from the paging tests
"""A withdrawn learner in the caseload sorted by status: apart from the active learners, with the
finished ones, whichever way the status is sorted (their stored red, amber or green no longer
says where they stand), on every page, whether reached by its Next or Previous link or by its
number; and the caseload's total says how many of its registrations are active and how many
withdrawn."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from delivery.web.coverage import caseload as service
from portfolio.models import Registration
from portfolio.services import withdrawals
from tests.conftest import actor_of
from tests.delivery.test_caseload_paging import _learners, _text, _walk, caseload  # noqa: F401


def _withdraw(session, make_person, learner_ids) -> None:
    admin = make_person("admin")
    for learner_id in learner_ids:
        reg = session.exec(select(Registration).where(Registration.learner_id == learner_id)).one()
        withdrawals.withdraw(
            session,
            actor=actor_of(admin),
            registration_id=reg.id,
            on=date.today() - timedelta(days=1),
            reason="Moved away",
        )
    session.commit()


def test_withdrawn_learners_are_apart_from_the_active_ones_in_either_direction(
    session, client, auth, caseload, make_person, monkeypatch
) -> None:
    assessor, learners = caseload
    auth.login(assessor)
    before = {
        d: _learners(_text(client.get(f"/caseload?sort=rag&dir={d}"))) for d in ("asc", "desc")
    }
    gone = [before["asc"][0], before["desc"][0]]  # first either way while active
    assert len(set(gone)) == 2
    _withdraw(session, make_person, gone)
    for direction in ("asc", "desc"):
        url = f"/caseload?sort=rag&dir={direction}"
        whole = _learners(_text(client.get(url)))
        active = [who for who in before[direction] if who not in gone]
        assert whole == active, direction
        finished = _learners(_text(client.get(f"{url}&show=finished")))
        assert sorted(finished) == sorted(gone), direction
        monkeypatch.setattr(service, "PAGE_SIZE", 2)
        forward = _walk(client, url, "next")
        assert [who for _, rows in forward for who in rows] == whole, direction
        for number, (_, rows) in enumerate(forward, start=1):
            assert _learners(_text(client.get(f"{url}&page={number}"))) == rows, number
        assert _walk(client, f"{url}&page={len(forward)}", "prev") == forward[::-1], direction
        monkeypatch.setattr(service, "PAGE_SIZE", 50)


def test_the_total_says_how_many_are_active_and_how_many_withdrawn(
    session, client, auth, caseload, make_person
) -> None:
    assessor, learners = caseload
    _withdraw(session, make_person, learners[:1])
    auth.login(assessor)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(client.get("/caseload"))))
    assert "7 registrations: 6 active, 1 withdrawn ·" in text
    assert "· 1 withdrawn ·" not in text
    home = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(client.get("/"))))
    assert "Green 0 · 1 withdrawn registration" in re.sub(r"Green \d+", "Green 0", home)
    found = service.caseload(session, actor=actor_of(assessor))
    assert (found.registrations, found.withdrawn) == (7, 1)
