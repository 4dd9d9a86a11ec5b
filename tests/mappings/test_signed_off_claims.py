"""A claim of a standard already signed off is judged again only after the standard is reopened:
the sign-off, its badge and coverage never disagree."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from mappings.assessment import claims, signoff
from mappings.assessment.models import Claim, SignOff
from portfolio.errors import Invalid
from portfolio.models import Criterion
from portfolio.services.files import FileStore
from tests.conftest import actor_of
from tests.exports.export_case import build_case


@pytest.fixture
def signed(app, session: Session, make_person, make_registration, make_evidence):
    store = FileStore(app.config["FILE_STORE"])
    case = build_case(session, store, make_person, make_registration, make_evidence)
    accepted = session.exec(
        select(Claim)
        .join(Criterion, Criterion.id == Claim.criterion_id)
        .where(
            Claim.evidence_id == case.account_id,
            Claim.status == "accepted",
            Criterion.standard_id == case.signoff.standard_id,
        )
    ).first()
    assert accepted is not None
    return case, accepted


def _refer(session, case, claim) -> None:
    claims.decide(
        session,
        actor=actor_of(case.assessor),
        claim_id=claim.id,
        expected_revision=claim.revision,
        decision="referred",
        method="PD",
        feedback="Changed my mind after signing.",
    )


def test_a_claim_of_a_signed_off_standard_is_judged_again_only_once_reopened(
    session: Session, signed
) -> None:
    case, accepted = signed
    with pytest.raises(Invalid, match="signed off: reopen it"):
        _refer(session, case, accepted)
    session.rollback()
    assert session.get(SignOff, case.signoff.id).status == "signed"
    assert session.get(Claim, accepted.id).status == "accepted"
    signoff.reopen(
        session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, reason="Sampled."
    )
    session.commit()
    _refer(session, case, session.get(Claim, accepted.id))
    session.commit()
    assert session.get(Claim, accepted.id).status == "referred"


def test_the_items_page_offers_no_decision_on_a_signed_off_standards_claim(
    session: Session, client, auth, signed
) -> None:
    case, accepted = signed
    auth.login(case.assessor)
    page = client.get(f"/evidence/{case.account_id}").get_data(as_text=True)
    row = page.split(f'id="claim-{accepted.id}"', 1)[1].split("</tr>", 1)[0]
    assert "is signed off: reopen it to judge this claim again" in row
    assert f'name="decision-{accepted.id}' not in row and "<fieldset" not in row
