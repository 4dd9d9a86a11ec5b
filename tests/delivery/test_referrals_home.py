"""The learner's "Referred: show these again" on the home page leaves out a referral of a
standard signed off since (nothing to show again: the standard is complete) and one of a
registration the learner withdrew from (nothing new is mapped or assessed there), and lists
each again once the standard is reopened or the registration reinstated."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from mappings.assessment import claims, signoff
from mappings.assessment.models import Claim
from portfolio.services import withdrawals
from tests.conftest import actor_of
from tests.delivery.test_completed import _sign, case  # noqa: F401
from tests.delivery.test_withdrawn_claims import LEFT, _world


def _referred(client) -> str:
    """The home page's list of referrals to show again ("" when there is none)."""
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(client.get("/").text)))
    if "Referred: show these again" not in page:
        return ""
    return page.split("Referred: show these again")[1].split("My standards")[0]


def _refer(session, learner, assessor, make_evidence, title: str, criterion_id: int) -> None:
    item = make_evidence(learner, title=title)
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=[criterion_id]
    )
    session.commit()
    claim = session.exec(select(Claim).where(Claim.evidence_id == item.id)).one()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id or 0,
        expected_revision=claim.revision,
        decision="referred",
        method="RA",
        feedback="Say who was there.",
    )
    session.commit()


def test_a_referral_of_a_signed_off_standard_leaves_the_list_until_it_is_reopened(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_evidence,
) -> None:
    dora = case["learner"]
    se01 = next(
        c.criterion_id
        for c in claims.claimable_criteria(session, dora.id)
        if c.standard_code == "SE01"
    )
    _refer(session, dora, case["assessor"], make_evidence, "Dora's thin account", se01)
    auth.login(dora)
    assert "Dora's thin account" in _referred(client)
    signed = _sign(session, case, "SE01")
    assert "Dora's thin account" not in _referred(client)
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=signed.id, reason="Recheck")
    session.commit()
    assert "Dora's thin account" in _referred(client)


def test_a_referral_of_a_withdrawn_registration_leaves_the_list_until_it_is_reinstated(
    session, client, auth, make_person, make_registration, make_evidence, sample_framework
) -> None:
    w = _world(session, make_person, make_registration, make_evidence, sample_framework)
    lena = w["learner"]
    criteria = claims.claimable_criteria(session, lena.id)
    se01 = next(c.criterion_id for c in criteria if c.standard_code == "SE01")
    theirs = next(c.criterion_id for c in criteria if c.assessor_id == w["manager"].id)
    _refer(session, lena, w["assessor"], make_evidence, "Lena's thin account", se01)
    _refer(session, lena, w["manager"], make_evidence, "Lena's Management note", theirs)
    auth.login(lena)
    listed = _referred(client)
    assert "Lena's thin account" in listed and "Lena's Management note" in listed
    admin = actor_of(make_person("admin"))
    withdrawals.withdraw(
        session, actor=admin, registration_id=w["reg"].id, on=LEFT, reason="Moved away"
    )
    session.commit()
    listed = _referred(client)
    assert "Lena's thin account" not in listed and "Lena's Management note" in listed
    withdrawals.reinstate(session, actor=admin, registration_id=w["reg"].id)
    session.commit()
    assert "Lena's thin account" in _referred(client)
