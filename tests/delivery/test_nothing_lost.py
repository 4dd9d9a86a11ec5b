"""Nothing lost, nowhere stuck (issue 17): submitting saves the criteria ticked on the page, a
refused decision comes back on its form, assessors reach a learner's evidence from the caseload and
the learner's page, and the checklist says what is ticked and what is already met or awaiting."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from mappings.assessment import claims
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.models import Claim, Decision
from portfolio.models import Evidence, Person
from tests.conftest import actor_of


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def draft(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> tuple[Person, Person, Evidence, list[int]]:
    """A learner's draft (nothing mapped yet), their assessor and the ids of two SE01 criteria."""
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    item = make_evidence(learner, submit=False, title="Supporting J at the job centre")
    criteria = [c.criterion_id for c in claimable_criteria(session, learner.id or 0)[:2]]
    return learner, assessor, item, criteria


def test_submitting_saves_the_criteria_ticked_on_the_page_in_the_same_transaction(
    client: FlaskClient, auth: Any, session: Session, draft: Any
) -> None:
    learner, _assessor, item, criteria = draft
    auth.login(learner)
    page = _text(client.get(f"/evidence/{item.id}"))
    # the declaration and the button belong to the mapping form: one request carries both
    assert re.search(r'<input[^>]*form="mapping-form"[^>]*name="declaration"', page)
    assert re.search(r'formaction="/evidence/\d+/submit"', page)
    assert "Submitting also saves the criteria ticked" in page
    data = {"criterion": [str(c) for c in criteria], "on_page": "1", "declaration": "y"}
    response = client.post(f"/evidence/{item.id}/submit", data=data)
    assert response.status_code == 302
    session.expire_all()
    saved = session.exec(select(Claim.criterion_id).where(Claim.evidence_id == item.id)).all()
    assert sorted(saved) == sorted(criteria)
    assert session.get(Evidence, item.id).submitted_at is not None


def test_submitting_with_nothing_ticked_asks_for_criteria_and_submits_nothing(
    client: FlaskClient, auth: Any, session: Session, draft: Any
) -> None:
    learner, _assessor, item, _criteria = draft
    auth.login(learner)
    response = client.post(f"/evidence/{item.id}/submit", data={"on_page": "1", "declaration": "y"})
    page = _text(response)
    assert response.status_code == 422
    message = "Tick the criteria this evidence shows before you submit it."
    assert re.search(rf'<p class="error" id="criterion-error">.*{message}</p>', page)
    assert f'<a href="#criterion">{message}</a>' in page
    assert re.search(r'<input checked[^>]*name="declaration"', page)  # the tick is kept
    session.expire_all()
    assert session.get(Evidence, item.id).submitted_at is None


def test_submitting_without_the_declaration_keeps_the_ticks_and_saves_nothing(
    client: FlaskClient, auth: Any, session: Session, draft: Any
) -> None:
    learner, _assessor, item, criteria = draft
    auth.login(learner)
    data = {"criterion": [str(c) for c in criteria], "on_page": "1"}
    response = client.post(f"/evidence/{item.id}/submit", data=data)
    page = _text(response)
    assert response.status_code == 422
    assert "Tick the declaration to submit." in page
    for c in criteria:
        assert re.search(rf'id="crit-{c}"[^>]*value="{c}" checked', page)
    assert (
        "(<span data-ticked-count>2</span> ticked)" in page
    )  # the count says what is ticked, not what was saved
    session.expire_all()
    assert session.exec(select(Claim).where(Claim.evidence_id == item.id)).all() == []
    assert session.get(Evidence, item.id).submitted_at is None


def test_the_checklist_says_which_criteria_are_already_met_or_awaiting(
    client: FlaskClient,
    auth: Any,
    session: Session,
    draft: Any,
    make_evidence: Callable[..., Any],
) -> None:
    learner, assessor, item, criteria = draft
    met, waiting = criteria
    earlier = make_evidence(learner, title="Earlier")
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=earlier.id, criterion_ids=[met, waiting]
    )
    claim = session.exec(
        select(Claim).where(Claim.evidence_id == earlier.id, Claim.criterion_id == met)
    ).one()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id or 0,
        expected_revision=claim.revision,
        decision="accepted",
        method="P",
    )
    session.commit()
    auth.login(learner)
    page = _text(client.get(f"/evidence/{item.id}"))
    label_met = page[page.index(f'<label for="crit-{met}"') :].split("</label>")[0]
    label_wait = page[page.index(f'<label for="crit-{waiting}"') :].split("</label>")[0]
    assert '<span class="badge state-met">already met</span>' in label_met
    assert '<span class="badge state-awaiting">awaiting a decision</span>' in label_wait
    assert (
        "(<span data-ticked-count>0</span> ticked)" in page
    )  # nothing is claimed on this draft and nothing is pre-ticked


def test_a_decision_without_a_method_comes_back_with_the_message_beside_the_method(
    client: FlaskClient, auth: Any, session: Session, draft: Any
) -> None:
    learner, assessor, item, criteria = draft
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=criteria[:1]
    )
    from portfolio.services import evidence as service

    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    session.commit()
    claim = session.exec(select(Claim).where(Claim.evidence_id == item.id)).one()
    auth.login(assessor)
    response = client.post(
        f"/claims/{claim.id}/decision",
        data={"revision": "0", "decision": "referred", "method": "", "feedback": "Add dates."},
    )
    page = _text(response)
    assert response.status_code == 422 and "Cannot do that" not in page
    field = f"method-{claim.id}"
    assert re.search(
        rf'<p class="error" id="{field}-error">.*Choose the assessment method.</p>', page
    )
    assert re.search(rf'<textarea[^>]*id="feedback-{claim.id}"[^>]*>\s*Add dates.</textarea>', page)
    assert session.exec(select(Decision)).all() == []


def test_assessors_reach_a_learners_evidence_and_new_records_from_caseload_and_learner_page(
    client: FlaskClient, auth: Any, session: Session, draft: Any
) -> None:
    learner, assessor, item, criteria = draft
    from portfolio.services import evidence as service

    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=criteria)
    service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    session.commit()
    auth.login(assessor)
    caseload = _text(client.get("/caseload"))
    assert f'href="/learners/{learner.id}/evidence"' in caseload
    assert f'href="/marking?learner={learner.id}">2<span' in caseload
    progress = _text(client.get(f"/learners/{learner.id}/progress"))
    assert f'href="/learners/{learner.id}/evidence"' in progress
    new = f"/learners/{learner.id}/evidence/new?kind=observation_record"
    assert f'href="{new}"' in progress and "New observation record" in progress
    assert client.get(new).status_code == 200
    auth.logout()
    auth.login(learner)
    own = _text(client.get(f"/learners/{learner.id}/progress"))
    assert "New observation record" not in own and 'href="/evidence"' in own
