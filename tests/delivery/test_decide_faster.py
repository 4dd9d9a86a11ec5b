"""Decide faster (issue 17): the claims of one item decided in one form, each with its own method
and feedback, in one transaction; the method defaults from the kind of evidence; a method that will
not count for its criterion is warned of before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from mappings.assessment import claims
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.coverage import CoverageRules
from mappings.assessment.methods import default_method, method_warning
from mappings.assessment.models import Claim, Decision
from portfolio.models import Person
from tests.conftest import actor_of


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(
    make_person: Callable[..., Person], make_registration: Callable[..., Any]
) -> tuple[Person, Person]:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    return learner, assessor


def _claimed(
    session: Session,
    make_evidence: Callable[..., Any],
    learner: Person,
    *,
    kind: str = "reflective_account",
    author: Person | None = None,
    performance: int = 2,
    knowledge: int = 1,
) -> tuple[Any, list[Claim]]:
    """A submitted item of ``kind`` claiming the first P and K criteria of SE01; its claims."""
    criteria = claimable_criteria(session, learner.id or 0)
    wanted = [c for c in criteria if c.kind == "performance"][:performance] + [
        c for c in criteria if c.kind == "knowledge"
    ][:knowledge]
    item = make_evidence(learner, submit=False, kind=kind, author=author, title="Job fair")
    claims.set_claims(
        session,
        actor=actor_of(author or learner),
        evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in wanted],
    )
    from portfolio.services import evidence as service

    writer = author or learner
    service.submit(session, actor=actor_of(writer), evidence_id=item.id, declaration=True)
    session.commit()
    rows = session.exec(select(Claim).where(Claim.evidence_id == item.id).order_by(col(Claim.id)))
    return item, list(rows)


def _row(claim: Claim, decision: str, method: str, feedback: str = "") -> dict[str, str]:
    n = claim.id
    return {
        f"revision-{n}": str(claim.revision),
        f"decision-{n}": decision,
        f"method-{n}": method,
        f"feedback-{n}": feedback,
    }


def _decisions(session: Session) -> list[tuple[int, str, str | None, str]]:
    session.expire_all()
    rows = session.exec(select(Decision).order_by(col(Decision.claim_id)))
    return [(d.claim_id, d.new_status, d.method, d.feedback) for d in rows]


def test_several_claims_are_decided_in_one_form_each_with_its_own_method_and_feedback(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    auth.login(assessor)
    page = _text(client.get(f"/evidence/{item.id}"))
    assert page.count('id="decisions-form"') == 1
    assert 'class="decision-form"' in page and "Record decisions" in page
    data = {
        **_row(p1, "accepted", "WT", "Seen in the witness's words."),
        **_row(p2, "referred", "WT", "Add what you did at the fair."),
        **_row(k1, "accepted", "RA"),
    }
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    assert response.status_code == 302, _text(response)
    assert _decisions(session) == [
        (p1.id, "accepted", "WT", "Seen in the witness's words."),
        (p2.id, "referred", "WT", "Add what you did at the fair."),
        (k1.id, "accepted", "RA", ""),
    ]
    page = _text(client.get(response.headers["Location"]))
    assert "3 decisions recorded." in page


def test_a_claim_left_at_not_now_stays_as_it_is(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    auth.login(assessor)
    data = {**_row(p1, "", "WT"), **_row(p2, "", "WT"), **_row(k1, "accepted", "RA")}
    assert client.post(f"/evidence/{item.id}/decisions", data=data).status_code == 302
    assert [(c, s) for c, s, _m, _f in _decisions(session)] == [(k1.id, "accepted")]
    session.expire_all()
    assert session.get(Claim, p1.id).status == "claimed"


def test_nothing_chosen_is_asked_for_above_the_form(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    auth.login(assessor)
    data = {**_row(p1, "", "WT"), **_row(p2, "", "WT"), **_row(k1, "", "RA")}
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    assert response.status_code == 422
    message = claims.NOTHING_CHOSEN
    assert f'<a href="#decisions-decisionsform-error">{message}</a>' in _text(response)
    assert _decisions(session) == []


def test_a_referral_without_feedback_saves_none_and_keeps_every_row(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    auth.login(assessor)
    data = {
        **_row(p1, "accepted", "O", "Observed at the fair."),
        **_row(p2, "referred", "O", "  "),
        **_row(k1, "accepted", "PD"),
    }
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    page = _text(response)
    assert response.status_code == 422
    message = "Say what is missing when you refer a claim."
    field = f"feedback-{p2.id}"
    assert re.search(rf'<p class="error" id="{field}-error">.*{message}</p>', page)
    assert f'<a href="#{field}">{message}</a>' in page
    # all the input is kept: the other rows' choices, methods and feedback
    assert re.search(rf'<input checked[^>]*id="decision-{p1.id}-0"[^>]*value="accepted"', page)
    assert re.search(rf'<input checked[^>]*id="decision-{p2.id}-1"[^>]*value="referred"', page)
    assert re.search(rf'<textarea[^>]*id="feedback-{p1.id}"[^>]*>\s*Observed at the fair.<', page)
    method_k1 = page.split(f'id="method-{k1.id}"')[1].split("</select>")[0]
    assert '<option selected value="PD">' in method_k1
    assert _decisions(session) == []


def test_one_claim_refused_by_the_service_saves_none_of_the_others(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    """Someone decided one claim first: the others of the form are not saved either."""
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=p2.id or 0,
        expected_revision=0,
        decision="accepted",
        method="O",
    )
    session.commit()
    auth.login(assessor)
    data = {
        **_row(p1, "accepted", "O"),
        **_row(p2, "referred", "O", "Add the dates."),
        f"revision-{p2.id}": "0",  # the revision the page showed: someone decided since
        **_row(k1, "accepted", "RA"),
    }
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    page = _text(response)
    assert response.status_code == 409
    assert f'id="claimdecisionform-error-{p2.id}"' in page
    assert "Someone decided this claim while you were looking at it" in page
    assert re.search(rf'<textarea[^>]*id="feedback-{p2.id}"[^>]*>\s*Add the dates.<', page)
    assert [(c, s) for c, s, _m, _f in _decisions(session)] == [(p2.id, "accepted")]


def test_the_service_refuses_the_whole_set_and_names_each_claim(
    session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, _k1) = _claimed(session, make_evidence, learner)
    choices = [
        claims.DecisionChoice(p1.id or 0, 0, "accepted", "O"),
        claims.DecisionChoice(p2.id or 0, 0, "referred", "XX", "Why."),
    ]
    with pytest.raises(claims.DecisionsRefused) as refused:
        claims.decide_many(session, actor=actor_of(assessor), evidence_id=item.id, choices=choices)
    assert list(refused.value.errors) == [p2.id]
    assert getattr(refused.value.errors[p2.id], "field", None) == "method"
    session.rollback()
    assert _decisions(session) == []
    # and only the item's assessor decides
    from portfolio.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        claims.decide_many(session, actor=actor_of(learner), evidence_id=item.id, choices=choices)


@pytest.mark.parametrize(
    ("kind", "by_assessor", "method"),
    [
        ("observation_record", True, "O"),
        ("professional_discussion", True, "PD"),
        ("witness_testimony", False, "WT"),
        ("product", False, "P"),
        ("reflective_account", False, "RA"),
        ("review_note", False, ""),  # no method of its own: the assessor chooses
    ],
)
def test_the_method_defaults_from_the_kind_of_evidence(
    client: FlaskClient,
    auth: Any,
    session: Session,
    people: Any,
    make_evidence: Any,
    kind: str,
    by_assessor: bool,
    method: str,
) -> None:
    learner, assessor = people
    author = assessor if by_assessor else None
    item, rows = _claimed(session, make_evidence, learner, kind=kind, author=author)
    auth.login(assessor)
    page = _text(client.get(f"/evidence/{item.id}"))
    for claim in rows:
        select_html = page.split(f'id="method-{claim.id}"')[1].split("</select>")[0]
        if method:
            assert f'<option selected value="{method}">' in select_html
        else:  # the first option, "Choose a method", is what the browser shows
            assert "selected" not in select_html and '<option value="">Choose' in select_html


def test_the_default_method_follows_the_frameworks_own_names_and_codes() -> None:
    own = CoverageRules.from_dict(
        {
            "performance_methods": ["OBS"],
            "methods": {"OBS": "Observation", "EWT": "Witness  testimony", "RA": "reflection"},
        }
    )
    assert default_method("observation_record", own) == "OBS"
    assert default_method("witness_testimony", own) == "EWT"
    assert default_method("reflective_account", own) == "RA"  # the usual code, named otherwise
    assert default_method("product", own) is None  # the framework has no product method
    assert default_method("review_note", CoverageRules()) is None


def test_method_warning_says_which_methods_count_in_words() -> None:
    rules = CoverageRules()
    said = method_warning(rules, "performance", "RA")
    assert said == (
        "Accepted by reflective account, this will not count: under this framework's rules a "
        "performance criterion counts only by observation, witness testimony or product."
    )
    assert method_warning(rules, "performance", "O") is None
    assert method_warning(rules, "knowledge", "RA") is None  # any method counts
    none = CoverageRules.from_dict({"knowledge_methods": []})
    assert method_warning(none, "knowledge", "Q").endswith("counts only by no method.")


def test_a_method_that_will_not_count_is_warned_of_before_saving_then_saved_when_confirmed(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    auth.login(assessor)
    data = {**_row(p1, "accepted", "RA"), **_row(p2, "", "RA"), **_row(k1, "accepted", "RA")}
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    page = _text(response)
    assert response.status_code == 200
    assert _decisions(session) == []  # nothing saved yet
    warning = "SE01 P1: accepted by reflective account, this will not count"
    assert re.search(rf'<p class="warning" id="method-{p1.id}-hint">.*{warning}', page)
    assert re.search(rf'<select aria-describedby="method-{p1.id}-hint"', page)
    assert f'id="method-{k1.id}-hint"' not in page  # a knowledge statement: RA counts
    assert f'<a href="#method-{p1.id}">{warning}' in page  # the summary atop the page
    assert re.search(r'id="decisions-confirmed"[^>]*value="\d+:RA"', page)
    assert 'value="Record decisions anyway"' in page
    confirmed = re.search(r'id="decisions-confirmed"[^>]*value="([^"]*)"', page).group(1)
    # another method that will not count is warned of again
    again = {**data, f"method-{p1.id}": "PD", "confirmed": confirmed}
    response = client.post(f"/evidence/{item.id}/decisions", data=again)
    assert response.status_code == 200 and "accepted by professional discussion" in _text(response)
    assert _decisions(session) == []
    # the same choices, confirmed: saved anyway
    response = client.post(f"/evidence/{item.id}/decisions", data={**data, "confirmed": confirmed})
    assert response.status_code == 302
    assert [(c, m) for c, _s, m, _f in _decisions(session)] == [(p1.id, "RA"), (k1.id, "RA")]


def test_check_shows_the_warnings_or_that_all_will_count_and_saves_nothing(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    auth.login(assessor)
    data = {**_row(p1, "accepted", "O"), **_row(p2, "referred", "RA", "Dates?")}
    data |= {**_row(k1, "accepted", "Q"), "check": "Check"}
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    page = _text(response)
    assert response.status_code == 200
    assert 'id="decisions-checked"' in page and "every decision chosen will count" in page
    assert "will not count" not in page  # a referral by RA is no acceptance to warn of
    data[f"method-{p1.id}"] = "Q"
    response = client.post(f"/evidence/{item.id}/decisions", data=data)
    page = _text(response)
    assert response.status_code == 200 and f'id="method-{p1.id}-hint"' in page
    assert _decisions(session) == []


def test_each_method_warning_names_its_criterion(
    client: FlaskClient, auth: Any, session: Session, people: Any, make_evidence: Any
) -> None:
    from portfolio.models import Criterion

    learner, assessor = people
    item, (p1, p2, k1) = _claimed(session, make_evidence, learner)
    codes = [session.get(Criterion, c.criterion_id).code for c in (p1, p2)]
    auth.login(assessor)
    data = {**_row(p1, "accepted", "RA"), **_row(p2, "accepted", "RA"), **_row(k1, "", "RA")}
    page = _text(client.post(f"/evidence/{item.id}/decisions", data=data))
    summary = page.split('class="warning-summary"', 1)[1].split("</div>", 1)[0]
    said = re.findall(r'<a href="#method-\d+">([^<]*)</a>', summary)
    assert said == [
        f"SE01 {code}: accepted by reflective account, this will not count: under this "
        "framework&#39;s rules a performance criterion counts only by observation, witness "
        "testimony or product."
        for code in codes
    ]
