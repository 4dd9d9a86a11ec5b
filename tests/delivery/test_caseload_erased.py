"""An erased learner can no longer learn: their open registration is not "In learning" on their
assessor's (or IQA's) caseload but among the finished, "Ended: personal data erased", and counts
nowhere among the learners in learning (the caseload's and home panel's figures, the centre's).
The erasure stores the summaries of their registrations in its own transaction."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from delivery.web.admin.figures import centre_figures
from delivery.web.coverage import caseload
from delivery.web.home.dashboard import caseload_summary
from mappings.assessment import claims, summaries
from mappings.assessment.models import RegistrationSummary
from mappings.privacy.requests import erase_person
from tests.conftest import actor_of

TODAY = date.today()


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


@pytest.fixture
def world(session, make_person, make_registration, make_evidence):
    assessor, iqa, admin = make_person("assessor"), make_person("iqa"), make_person("admin")
    staying = make_person("learner", name="Sam Staying")
    going = make_person("learner", name="Gail Going")
    regs = {
        who.name: make_registration(learner=who, assessor=assessor, iqa=iqa)
        for who in (staying, going)
    }
    for who in (staying, going):
        item = make_evidence(who, title=f"{who.name}'s account", submit=False)
        found = claims.claimable_criteria(session, who.id)
        claims.set_claims(
            session, actor=actor_of(who), evidence_id=item.id,
            criterion_ids=[c.criterion_id for c in found][:2],
        )  # fmt: skip
        from portfolio.services import evidence as evidence_service

        evidence_service.submit(session, actor=actor_of(who), evidence_id=item.id, declaration=True)
        session.commit()
    for reg in regs.values():  # both past their planned end
        reg.planned_end = TODAY - timedelta(days=1)
        session.add(reg)
    session.commit()
    return {"assessor": assessor, "iqa": iqa, "admin": admin, "going": going, "regs": regs}


def _erase(session, world) -> None:
    erase_person(session, actor=actor_of(world["admin"]), person_id=world["going"].id, store=None)
    session.commit()


def test_the_erasure_stores_the_summary_of_an_ended_registration(session, world) -> None:
    reg = world["regs"]["Gail Going"]
    summaries.save(session, [reg.id], TODAY)
    session.commit()
    _erase(session, world)
    stored = session.exec(
        select(RegistrationSummary).where(RegistrationSummary.registration_id == reg.id)
    ).one()  # stored again by the erasure, not left for the next visit to work out
    assert stored.computed_on == TODAY and stored.stage == 3 and stored.stage_back == -1
    assert stored.active is False and stored.withdrawn is False
    assert summaries.stage_of(False, None, erased=True) == 3
    assert summaries.stage_of(True, None, erased=True) == 2  # withdrawn first: stays so


def test_an_erased_learner_counts_nowhere_among_the_learners_in_learning(session, world) -> None:
    store = lambda ids: summaries.save(session, ids, TODAY)  # noqa: E731
    for who, role in ((world["assessor"], "assessor"), (world["iqa"], "iqa")):
        found = caseload.caseload(session, actor=actor_of(who), role=role, store=store)
        assert (found.learning_matching, found.awaiting_claims, found.active) == (2, 4, 2)
    figures = {f.label: f for f in centre_figures(session, today=TODAY).work}
    assert figures["Registrations past their planned end"].value == 2
    _erase(session, world)
    for who, role in ((world["assessor"], "assessor"), (world["iqa"], "iqa")):
        found = caseload.caseload(session, actor=actor_of(who), role=role, store=store)
        assert (found.learning_matching, found.finished_matching) == (1, 1)
        assert (found.awaiting_claims, found.active, found.ended) == (2, 1, 1)
        assert sum(found.rag_counts.values()) == 1 and found.registrations == 2
        home = caseload_summary(session, actor=actor_of(who), role=role, store=store)
        assert (home.learners, home.awaiting_learners, home.awaiting_claims) == (1, 1, 2)
        assert home.ended == 1 and sum(home.rag_counts.values()) == 1
    figures = {f.label: f for f in centre_figures(session, today=TODAY).work}
    assert figures["Registrations past their planned end"].value == 1
    assert figures["Active registrations"].value == 1


def test_the_caseload_page_lists_the_ended_registration_with_the_finished(
    session, client, auth, world
) -> None:
    _erase(session, world)
    auth.login(world["assessor"])
    learning = _text(client.get("/caseload").get_data(as_text=True))
    assert "Sam Staying" in learning and "Erased person" not in learning
    assert "2 registrations: 1 active, 1 ended (personal data erased)" in learning
    assert "In learning (1)" in learning
    assert "Finished: completed, withdrawn or ended (1)" in learning
    page = client.get("/caseload?show=finished").get_data(as_text=True)
    (row,) = [r.split("</tr>")[0] for r in page.split('<th scope="row">')[1:]]
    text = _text(row)
    assert "Erased person" in text and "Ended: personal data erased" in text
    status = _text(row.split('data-label="Status">')[1].split("</td>")[0]).strip()
    assert status == "Ended"
    cell = _text(row.split('data-label="Awaiting decision">')[1].split("</td>")[0]).strip()
    assert cell.replace(" ,", ",") == "2, not decided: personal data erased"
    home = _text(client.get("/").get_data(as_text=True))
    assert "1 learner ·" in home and "1 registration ended (personal data erased)" in home
