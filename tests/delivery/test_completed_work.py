"""A completed registration (every standard signed off) leaves nothing to do: its open plans are
not work to do, and claims on it are not awaiting a decision until a standard is reopened."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlmodel import col, select

from delivery.web.admin.figures import centre_figures
from delivery.web.coverage import caseload
from delivery.web.home.dashboard import caseload_summary
from mappings.assessment import claims, plans, signoff, summaries
from mappings.assessment.models import SignOff
from mappings.assessment.queue import marking_queue
from portfolio.models import Criterion, Person, Standard
from portfolio.words import day_words, local
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_completed import LONDON, _sign, case  # noqa: F401

TODAY = date.today()


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _late_plan(session, case) -> int:  # noqa: F811
    """A plan on Dora's registration, due three days ago (set ten days ago)."""
    ids = session.exec(
        select(Criterion.id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(Standard.code == "SE03")
    ).all()
    plan = plans.set_plan(
        session,
        actor=actor_of(case["assessor"]),
        registration_id=case["reg"].id,
        title="Reflect on your last visit",
        body="Write a reflective account.",
        criterion_ids=list(ids)[:2],
        due_on=TODAY - timedelta(days=3),
        today=TODAY - timedelta(days=10),
    )
    session.commit()
    return plan.id


def test_a_completed_registrations_open_plans_are_not_work_to_do(
    session,
    client,
    auth,
    case,  # noqa: F811
) -> None:
    plan = _late_plan(session, case)
    learner = case["learner"]
    auth.login(learner)
    home = _text(client.get("/").get_data(as_text=True))
    assert "Reflect on your last visit : Overdue , due" in home  # still work to do
    _sign(session, case, "SE01")
    last = _sign(session, case, "SE03")
    home = _text(client.get("/").get_data(as_text=True))
    assert "Reflect on your last visit" not in home
    assert "Plans from your assessor" not in home and "Write evidence for this plan" not in home
    said = "No longer needed , due"
    page = _text(client.get(f"/plans/{plan}").get_data(as_text=True))
    assert said in page and "every standard is signed off" in page
    assert "Overdue" not in page and "Write evidence for this plan" not in page
    assert "Back to my progress" in page
    listed = _text(client.get(f"/learners/{learner.id}/plans").get_data(as_text=True))
    assert said in listed and "Overdue" not in listed and "late" not in listed
    progress = _text(client.get(f"/learners/{learner.id}/progress").get_data(as_text=True))
    assert "Reflect on your last visit" in progress and "Overdue" not in progress
    headers = bearer(token_for(session, learner.id))
    (row,) = client.get(f"/api/v1/learners/{learner.id}/plans", headers=headers).get_json()["items"]
    shown = client.get(f"/api/v1/plans/{plan}", headers=headers).get_json()
    for found in (row, shown):
        assert (found["state"], found["state_label"]) == ("done", "No longer needed")
    # reopening a standard makes the plan work to do again, late as it was
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=last.id, reason="Recheck")
    session.commit()
    home = _text(client.get("/").get_data(as_text=True))
    assert "Reflect on your last visit : Overdue , due" in home
    assert len(session.exec(select(SignOff)).all()) == 2
    auth.logout()


def _claim(session, learner, make_evidence, code: str, title: str) -> None:
    """A new item of ``learner``'s, submitted, claiming two criteria of ``code``."""
    item = make_evidence(learner, title=title)
    found = [c for c in claims.claimable_criteria(session, learner.id) if c.standard_code == code]
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in found][:2],
    )
    session.commit()


def _awaiting(session, case, make_evidence) -> tuple[int, str]:  # noqa: F811
    """Abel's two claims and, once Dora's registration is completed, two of hers on SE03: the
    sign-off froze them, nobody decides them until SE03 is reopened."""
    abel = session.get(Person, case["other"].learner_id)
    _claim(session, abel, make_evidence, "SE01", "Abel's account")
    _sign(session, case, "SE01")
    last = _sign(session, case, "SE03")
    _claim(session, case["learner"], make_evidence, "SE03", "Dora's afterthought")
    return last.id, day_words(local(last.signed_at, LONDON).date())


def test_claims_on_a_completed_registration_are_not_awaiting_a_decision(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_evidence,
    count_queries,
) -> None:
    last, _ = _awaiting(session, case, make_evidence)
    assessor, iqa, dora = case["assessor"], case["iqa"], case["learner"]
    queue = marking_queue(session, actor=actor_of(assessor))
    assert [r.title for r in queue.rows] == ["Abel's account"] and queue.total == 1
    assert marking_queue(session, actor=actor_of(assessor), learner_id=dora.id).total == 0
    store = lambda ids: summaries.save(session, ids, TODAY)  # noqa: E731
    for who, role in ((assessor, "assessor"), (iqa, "iqa")):
        found = caseload.caseload(session, actor=actor_of(who), role=role, store=store)
        assert found.awaiting_claims == 2 and found.completed == 1  # Abel's, not Dora's
        home = caseload_summary(session, actor=actor_of(who), role=role, store=store)
        assert (home.awaiting_claims, home.awaiting_learners) == (2, 1)
    with count_queries() as q:
        figures = centre_figures(session, today=TODAY)
    assert q.count == 1
    awaiting = next(f for f in figures.work if f.label == "Claims awaiting a decision")
    assert (awaiting.value, awaiting.hint) == (2, "in 1 submitted item")
    # reopened, SE03 is judged again: Dora's claims on it await a decision as Abel's do
    signoff.reopen(session, actor=actor_of(iqa), signoff_id=last, reason="Recheck")
    session.commit()
    assert marking_queue(session, actor=actor_of(assessor)).total == 2
    found = caseload.caseload(session, actor=actor_of(assessor), store=store)
    assert (found.awaiting_claims, found.completed) == (4, 0)
    awaiting = next(f for f in centre_figures(session).work if f.label.startswith("Claims"))
    assert (awaiting.value, awaiting.hint) == (4, "in 2 submitted items")


def test_the_caseload_page_counts_no_claim_of_a_completed_learner_as_awaiting(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_evidence,
) -> None:
    _, on = _awaiting(session, case, make_evidence)
    for path in ("/caseload", "/caseload?role=iqa"):
        auth.login(case["iqa"] if "iqa" in path else case["assessor"])
        page = client.get(path).get_data(as_text=True)
        text = _text(page)
        assert "2 claims awaiting decision" in text
        page += client.get(f"{path}{'&' if '?' in path else '?'}show=finished").get_data(True)
        rows = [r.split("</tr>")[0] for r in page.split('<th scope="row">')[1:]]
        (dora,) = [r for r in rows if "Dora Done" in r]
        (abel,) = [r for r in rows if "Abel Busy" in r]
        cell = _text(dora.split('data-label="Awaiting decision">')[1].split("</td>")[0]).strip()
        # the sign-offs froze Dora's new claims: nobody decides them until SE03 is reopened, so
        # none awaits a decision (tests/delivery/test_frozen_claims.py: of one standard alone)
        assert cell == "0"
        assert f"Completed on {on}" in _text(dora) and "not decided" not in abel
        auth.logout()
