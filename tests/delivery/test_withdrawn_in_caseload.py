"""A withdrawn learner in the caseload of their assessor and IQA: kept, marked, not counted as active."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from delivery.web.coverage import caseload
from delivery.web.home.dashboard import caseload_summary
from mappings.assessment import claims, summaries
from mappings.assessment.models import Claim
from mappings.assessment.queue import marking_queue
from portfolio.services import withdrawals
from portfolio.words import day_words
from tests.conftest import actor_of

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


def _claim_two(session, learner, make_evidence) -> None:
    item = make_evidence(learner)
    found = claims.claimable_criteria(session, learner.id)
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in found][:2],
    )
    session.commit()


def _caseload(session, make_person, make_registration, make_evidence):
    assessor, iqa, admin = make_person("assessor"), make_person("iqa"), make_person("admin")
    regs = []
    for name in ("Wanda Walker", "Stella Stays"):
        learner = make_person("learner", name=name)
        regs.append(make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01"))
        _claim_two(session, learner, make_evidence)
    # summaries stored while both were active: the withdrawal must not leave them counted
    summaries.save(session, [r.id for r in regs], TODAY)
    session.commit()
    withdrawals.withdraw(
        session, actor=actor_of(admin), registration_id=regs[0].id, on=YESTERDAY, reason="Moved"
    )
    session.commit()
    return assessor, iqa


def _store(session):
    return lambda ids: summaries.save(session, ids, TODAY)


def test_the_caseload_counts_a_withdrawn_learner_apart_as_the_marking_queue_does(
    session, make_person, make_registration, make_evidence
) -> None:
    assessor, iqa = _caseload(session, make_person, make_registration, make_evidence)
    queue = marking_queue(session, actor=actor_of(assessor))
    assert session.exec(select(Claim)).all() and queue.total == 1  # Stella's item only
    for who, role in ((assessor, "assessor"), (iqa, "iqa")):
        found = caseload.caseload(session, actor=actor_of(who), role=role, store=_store(session))
        assert found.awaiting_claims == 2  # Stella's two claims, not Wanda's
        assert sum(found.rag_counts.values()) == 1 and found.withdrawn == 1
        assert found.registrations == 2 and len(found.rows) == 1  # Wanda's: with the finished
        finished = caseload.caseload(
            session, actor=actor_of(who), role=role, store=_store(session), finished=True
        )
        assert [r.learner_name for r in finished.rows] == ["Wanda Walker"]
        home = caseload_summary(session, actor=actor_of(who), role=role, store=_store(session))
        assert (home.awaiting_claims, home.awaiting_learners) == (2, 1)
        assert sum(home.rag_counts.values()) == 1 and home.withdrawn == 1


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_caseload_page_says_withdrawn_in_place_of_a_status(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    assessor, iqa = _caseload(session, make_person, make_registration, make_evidence)
    for who, path in ((assessor, "/caseload"), (iqa, "/caseload?role=iqa")):
        auth.login(who)
        html = client.get(path).get_data(as_text=True)
        html += client.get(f"{path}{'&' if '?' in path else '?'}show=finished").get_data(True)
        rows = {
            r.split("</th>")[0]: r.split("</tr>")[0] for r in html.split('<th scope="row">')[1:]
        }
        (wanda,) = [r for name, r in rows.items() if "Wanda Walker" in name]
        (stella,) = [r for name, r in rows.items() if "Stella Stays" in name]
        assert f"Withdrawn on {day_words(YESTERDAY)}" in wanda
        status = _text(wanda.split('data-label="Status">')[1].split("</td>")[0]).strip()
        assert status == "Withdrawn" and "rag-" not in wanda
        assert "rag-" in stella
        text = _text(html)
        assert "1 withdrawn" in text and "2 claims awaiting decision" in text
        home = _text(client.get("/").get_data(as_text=True))
        assert "1 withdrawn" in home
        if who is assessor:
            assert "2 claims awaiting your decision , from 1 learner." in home
        assert "not decided while withdrawn" in _text(wanda)
        assert "not decided" not in stella
        auth.logout()
