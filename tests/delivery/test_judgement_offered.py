"""The VACSR judgement is the assessor's only where something on the item is theirs to decide: an
item whose every claim is another assessor's, of a signed-off standard or of a registration the
learner withdrew from offers no judgement form, and a judgement sent anyway is refused by the
service with a clear message, nothing written."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import func, select

from mappings.assessment import claims, signoff
from mappings.assessment.models import Judgement
from portfolio.errors import Invalid
from portfolio.models import AuditEntry
from tests.conftest import actor_of
from tests.delivery.test_completed import case  # noqa: F401
from tests.delivery.test_frozen_claims import _frozen
from tests.mappings.test_two_assessors import two  # noqa: F401

FLAGS = dict.fromkeys(claims.VACSR, True)
SENT = {"valid": "y", "authentic": "y", "current": "y", "sufficient": "y", "reliable": "y"}
REFUSED = "Nothing on this evidence is yours to decide"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _written(session) -> tuple[int, int]:
    return (
        session.exec(select(func.count()).select_from(Judgement)).one(),
        session.exec(select(func.count()).select_from(AuditEntry)).one(),
    )


def _refused(session, client, evidence_id: int) -> None:
    """The page offers no judgement form, and one sent anyway is refused, nothing written."""
    page = _text(client.get(f"/evidence/{evidence_id}").get_data(as_text=True))
    assert "Nothing here is yours to decide" in page
    assert "Record judgement" not in page and "Is the evidence…" not in page
    before = _written(session)
    response = client.post(f"/evidence/{evidence_id}/judgement", data=SENT)
    assert response.status_code == 422
    assert REFUSED in _text(response.get_data(as_text=True))
    assert _written(session) == before


def test_the_other_frameworks_assessor_neither_sees_nor_records_a_judgement(
    session,
    client,
    auth,
    two,  # noqa: F811
    make_evidence,
) -> None:
    item = make_evidence(two["learner"], kind="product", title="Only Management")
    claims.set_claims(
        session,
        actor=actor_of(two["learner"]),
        evidence_id=item.id,
        criterion_ids=[two["ml_claim"].criterion_id],
    )
    session.commit()
    with pytest.raises(Invalid, match=REFUSED):
        claims.judge(session, actor=actor_of(two["se"]), evidence_id=item.id, flags=FLAGS)
    session.rollback()
    auth.login(two["se"])
    _refused(session, client, item.id)
    auth.logout()
    auth.login(two["ml"])  # the assessor who decides its claim judges it
    page = _text(client.get(f"/evidence/{item.id}").get_data(as_text=True))
    assert "Record judgement" in page
    response = client.post(f"/evidence/{item.id}/judgement", data=SENT)
    assert response.status_code == 302
    assert session.exec(select(Judgement).where(Judgement.evidence_id == item.id)).one().valid


def test_an_item_of_a_signed_off_standard_is_judged_again_only_once_reopened(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_evidence,
) -> None:
    signed, before, _mixed = _frozen(session, case, make_evidence)
    assessor = actor_of(case["assessor"])
    with pytest.raises(Invalid, match=REFUSED):
        claims.judge(session, actor=assessor, evidence_id=before, flags=FLAGS)
    session.rollback()
    auth.login(case["assessor"])
    _refused(session, client, before)
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=signed, reason="Recheck")
    session.commit()
    page = _text(client.get(f"/evidence/{before}").get_data(as_text=True))
    assert "Record judgement" in page
    assert client.post(f"/evidence/{before}/judgement", data=SENT).status_code == 302


def test_an_item_with_no_claims_is_still_judged_by_the_learners_assessor(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_evidence,
) -> None:
    item = make_evidence(case["learner"], title="Not mapped yet")
    auth.login(case["assessor"])
    page = _text(client.get(f"/evidence/{item.id}").get_data(as_text=True))
    assert "Record judgement" in page
    assert client.post(f"/evidence/{item.id}/judgement", data=SENT).status_code == 302
