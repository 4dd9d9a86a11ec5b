"""The referrals a learner still has to answer (mappings.assessment.referrals): a referral is
answered by the item submitted again since, or by newer evidence claiming the same criterion, and
is not to answer once its standard is signed off."""

from __future__ import annotations

import pytest
from sqlmodel import select

from mappings.assessment import claims
from mappings.assessment.models import Claim
from mappings.assessment.referrals import open_referrals
from portfolio.models import Evidence, Standard
from portfolio.services import evidence as evidence_service
from tests.conftest import actor_of


@pytest.fixture
def pair(make_person, make_registration):
    learner = make_person("learner")
    assessor = make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    return learner, assessor


def _claim(session, learner, item, standard: str, code: str) -> Claim:
    ids = [
        c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == standard and c.code == code
    ]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids)
    session.commit()
    return session.exec(select(Claim).where(Claim.evidence_id == item.id)).one()


def _refer(session, assessor, claim: Claim, feedback: str) -> None:
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id,
        expected_revision=claim.revision,
        decision="referred",
        method="RA",
        feedback=feedback,
    )
    session.commit()


def _open(session, learner, signed=()) -> list[str]:
    return [
        r.feedback for r in open_referrals(session, learner_id=learner.id, signed_standards=signed)
    ]


def test_a_referral_is_answered_by_the_item_again_or_newer_evidence_of_its_criterion(
    session, pair, make_evidence
) -> None:
    learner, assessor = pair
    first = make_evidence(learner, title="First account")
    _refer(session, assessor, _claim(session, learner, first, "SE01", "P5"), "Job match?")
    second = make_evidence(learner, title="Second account")
    _refer(session, assessor, _claim(session, learner, second, "SE01", "P6"), "Who was there?")
    assert sorted(_open(session, learner)) == ["Job match?", "Who was there?"]
    (referral,) = [r for r in open_referrals(session, learner_id=learner.id) if r.code == "P5"]
    assert (referral.evidence_title, referral.standard) == ("First account", "SE01")

    me = actor_of(learner)
    row = session.get(Evidence, first.id)
    evidence_service.update(
        session,
        actor=me,
        evidence_id=first.id,
        expected_version=row.current_version,
        draft=evidence_service.Draft(
            kind=row.kind, title=row.title, activity_date=row.activity_date, body="More."
        ),
    )
    session.commit()
    assert "Job match?" in _open(session, learner)  # a draft is not an answer yet
    evidence_service.submit(session, actor=me, evidence_id=first.id, declaration=True)
    session.commit()
    assert _open(session, learner) == ["Who was there?"]

    third = make_evidence(learner, title="Witness for P6", submit=False)
    _claim(session, learner, third, "SE01", "P6")
    assert _open(session, learner) == ["Who was there?"]  # claimed in a draft: not yet
    evidence_service.submit(session, actor=me, evidence_id=third.id, declaration=True)
    session.commit()
    assert _open(session, learner) == []


def test_referrals_of_signed_off_standards_are_left_out_newest_first(
    session, pair, make_evidence
) -> None:
    learner, assessor = pair
    for standard, code, feedback in (("SE01", "P1", "Older"), ("SE03", "K2", "Newer")):
        item = make_evidence(learner, title=f"On {standard}")
        _refer(session, assessor, _claim(session, learner, item, standard, code), feedback)
    assert _open(session, learner) == ["Newer", "Older"]
    se03 = session.exec(select(Standard.id).where(Standard.code == "SE03")).one()
    assert _open(session, learner, signed={se03}) == ["Older"]
