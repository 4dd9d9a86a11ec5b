"""A learner on two frameworks with a different assessor on each: each assessor decides the
claims of their own registration only, on the item's page, in the service and in their queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from demo.accounts import register_learner
from framework.parse import parse
from mappings.assessment import claims
from mappings.assessment.models import Claim
from mappings.assessment.queue import marking_queue
from portfolio.errors import PermissionDenied
from portfolio.models import Person
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of

MANAGEMENT = Path(__file__).parent / "data" / "management-leadership.csv"


@pytest.fixture
def two(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> dict[str, Any]:
    """A learner on the sample (assessor ``se``) and on Management (assessor ``ml``), with one
    submitted item claiming a criterion of each."""
    learner, se, ml = make_person("learner"), make_person("assessor"), make_person("assessor")
    make_registration(learner=learner, assessor=se, codes="SE01")
    spec = parse(MANAGEMENT.read_bytes(), MANAGEMENT.name)
    framework_id = import_framework(session, actor=SYSTEM, spec=spec).framework_id
    register_learner(
        session,
        learner_id=learner.id or 0,
        framework_id=framework_id,
        codes=[spec.standards[0].code],
        assessor_id=ml.id,
        iqa_id=None,
        cohort_id=None,
        start=date.today() - timedelta(days=30),
        planned_end=date.today() + timedelta(days=300),
    )
    session.commit()
    item = make_evidence(learner, kind="product")
    criteria = claims.claimable_criteria(session, learner.id or 0)
    first = {c.framework_id: c for c in reversed(criteria)}  # each framework's first criterion
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in first.values()],
    )
    session.commit()
    made = {
        c.criterion_id: c
        for c in session.exec(select(Claim).where(Claim.evidence_id == item.id)).all()
    }
    ours = next(c for c in first.values() if c.framework_id != framework_id)
    theirs = first[framework_id]
    return {
        "learner": learner,
        "se": se,
        "ml": ml,
        "item": item,
        "se_claim": made[ours.criterion_id],
        "ml_claim": made[theirs.criterion_id],
        "ml_code": theirs.standard_code,
    }


def _decide(session: Session, who: Person, claim: Claim) -> None:
    claims.decide(
        session,
        actor=actor_of(who),
        claim_id=claim.id or 0,
        expected_revision=claim.revision,
        decision="accepted",
        method="O",
    )


def test_each_assessor_decides_the_claims_of_their_own_registration(
    session: Session, two: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied, match="Management"):
        _decide(session, two["se"], two["ml_claim"])
    session.rollback()
    with pytest.raises(PermissionDenied):
        _decide(session, two["ml"], two["se_claim"])
    session.rollback()
    _decide(session, two["se"], two["se_claim"])
    _decide(session, two["ml"], two["ml_claim"])
    session.commit()
    decided = session.exec(
        select(Claim.status, Claim.decided_by).where(Claim.evidence_id == two["item"].id)
    ).all()
    assert sorted(decided) == sorted([("accepted", two["se"].id), ("accepted", two["ml"].id)])


def test_each_assessor_queue_holds_only_their_own_claims(
    session: Session, two: dict[str, Any]
) -> None:
    for who, code in (("se", "SE01"), ("ml", two["ml_code"])):
        queue = marking_queue(session, actor=actor_of(two[who]))
        [row] = queue.rows
        assert (row.awaiting, row.standards) == (1, (code,))
    _decide(session, two["se"], two["se_claim"])
    session.commit()
    assert marking_queue(session, actor=actor_of(two["se"])).total == 0
    assert marking_queue(session, actor=actor_of(two["ml"])).total == 1


def test_the_item_page_offers_each_assessor_only_their_claims(
    client: FlaskClient, auth: Any, session: Session, two: dict[str, Any]
) -> None:
    se_claim, ml_claim = two["se_claim"].id, two["ml_claim"].id
    auth.login(two["se"])
    page = client.get(f"/evidence/{two['item'].id}").get_data(as_text=True)
    assert f'name="decision-{se_claim}"' in page
    assert f'name="decision-{ml_claim}"' not in page
    assert "Another assessor decides this claim" in page
    # a forged decision on the other registration's claim is refused and saves nothing
    response = client.post(
        f"/claims/{ml_claim}/decision",
        data={"decision": "accepted", "method": "O", "revision": "0"},
    )
    assert response.status_code == 403
    bulk = client.post(
        f"/evidence/{two['item'].id}/decisions",
        data={
            **{f"decision-{c}": "accepted" for c in (se_claim, ml_claim)},
            **{f"method-{c}": "O" for c in (se_claim, ml_claim)},
            **{f"revision-{c}": "0" for c in (se_claim, ml_claim)},
            "save": "Record decisions",
        },
    )
    assert bulk.status_code == 403
    session.expire_all()
    statuses = session.exec(select(Claim.status).where(Claim.evidence_id == two["item"].id))
    assert set(statuses) == {"claimed"}  # one refused claim saves none


def _criteria(session: Session, two: dict[str, Any]) -> tuple[list[int], list[int]]:
    """The learner's criteria ids on the sample (``se``'s) and on Management (``ml``'s)."""
    criteria = claims.claimable_criteria(session, two["learner"].id or 0)
    se = [c.criterion_id for c in criteria if c.assessor_id == two["se"].id]
    ml = [c.criterion_id for c in criteria if c.assessor_id == two["ml"].id]
    return se, ml


def _mapped(session: Session, two: dict[str, Any]) -> set[int]:
    session.expire_all()
    return set(session.exec(select(Claim.criterion_id).where(Claim.evidence_id == two["item"].id)))


def test_an_assessor_maps_evidence_only_to_the_registration_they_assess(
    session: Session, two: dict[str, Any]
) -> None:
    se_ids, ml_ids = _criteria(session, two)
    before = _mapped(session, two)
    with pytest.raises(PermissionDenied, match="Management"):
        claims.set_claims(
            session, actor=actor_of(two["se"]), evidence_id=two["item"].id,
            criterion_ids=[*before, ml_ids[1]],
        )  # fmt: skip
    session.rollback()
    assert _mapped(session, two) == before
    # mapping what they assess leaves the other registration's claims as they are
    claims.set_claims(
        session, actor=actor_of(two["se"]), evidence_id=two["item"].id,
        criterion_ids=[se_ids[0], se_ids[1]],
    )  # fmt: skip
    session.commit()
    assert _mapped(session, two) == {se_ids[0], se_ids[1], two["ml_claim"].criterion_id}
    # the learner maps their own evidence to any of their registrations
    claims.set_claims(
        session, actor=actor_of(two["learner"]), evidence_id=two["item"].id,
        criterion_ids=[se_ids[0], ml_ids[1]],
    )  # fmt: skip
    assert _mapped(session, two) == {se_ids[0], ml_ids[1]}


def test_the_mapping_form_and_the_api_keep_an_assessor_to_their_registration(
    client: FlaskClient, auth: Any, session: Session, two: dict[str, Any]
) -> None:
    from tests.delivery.api_world import bearer, token_for

    se_ids, ml_ids = _criteria(session, two)
    before = _mapped(session, two)
    auth.login(two["se"])
    page = client.get(f"/evidence/{two['item'].id}").get_data(as_text=True)
    assert f'value="{se_ids[1]}"' in page
    assert f'value="{ml_ids[1]}"' not in page  # not offered to tick
    forged = client.post(
        f"/evidence/{two['item'].id}/claims",
        data={"criterion": [*before, ml_ids[1]], "on_page": "1"},
    )
    assert forged.status_code == 403
    assert _mapped(session, two) == before
    secret = token_for(session, two["se"].id or 0)
    answer = client.put(
        f"/api/v1/evidence/{two['item'].id}/claims",
        headers=bearer(secret),
        json={"criterion_ids": [*before, ml_ids[1]]},
    )
    assert answer.status_code == 403, answer.get_json()
    assert _mapped(session, two) == before
    # the form posts only what the assessor was offered: the other registration's claim stays
    saved = client.post(
        f"/evidence/{two['item'].id}/claims",
        data={"criterion": [se_ids[0], se_ids[1]], "on_page": "1"},
    )
    assert saved.status_code == 302
    assert _mapped(session, two) == {se_ids[0], se_ids[1], two["ml_claim"].criterion_id}


def test_an_assessor_writing_a_record_is_offered_only_the_criteria_they_assess(
    client: FlaskClient, auth: Any, session: Session, two: dict[str, Any]
) -> None:
    se_ids, ml_ids = _criteria(session, two)
    auth.login(two["se"])
    page = client.get(f"/learners/{two['learner'].id}/evidence/new?kind=observation_record")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'value="{se_ids[1]}"' in text
    assert f'value="{ml_ids[1]}"' not in text


def test_the_other_registrations_assessor_is_refused_before_the_form_is_read(
    client: FlaskClient, auth: Any, two: dict[str, Any]
) -> None:
    auth.login(two["ml"])
    empty = client.post(f"/claims/{two['se_claim'].id}/decision", data={})
    assert empty.status_code == 403  # not the item's page with "Accept or refer the claim"
    own = client.post(f"/claims/{two['ml_claim'].id}/decision", data={})
    assert own.status_code == 422 and "Accept or refer the claim" in own.get_data(as_text=True)


def test_an_item_with_nothing_the_assessor_may_decide_offers_no_decision_buttons(
    client: FlaskClient,
    auth: Any,
    session: Session,
    two: dict[str, Any],
    make_evidence: Callable[..., Any],
) -> None:
    """Every claim of the item is the other assessor's: each row says so, and the page offers
    neither the decisions form's buttons nor its instructions, but says why."""
    item = make_evidence(two["learner"], kind="product", title="Only Management")
    claims.set_claims(
        session,
        actor=actor_of(two["learner"]),
        evidence_id=item.id,
        criterion_ids=[two["ml_claim"].criterion_id],
    )
    session.commit()
    auth.login(two["se"])
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Another assessor decides this claim" in page
    assert "Nothing here is yours to decide" in page
    assert "Record decisions" not in page and 'value="Check' not in page
    assert "Choose Accept or Refer" not in page and 'id="decisions-form"' not in page
    auth.logout()
    auth.login(two["ml"])
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Record decisions" in page and "Choose Accept or Refer" in page
    assert "Nothing here is yours to decide" not in page
