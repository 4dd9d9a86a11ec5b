"""A version submitted after the first is not what the assessor decided on: the item's accepted
and referred claims await a decision again, in the assessor's queue; claims of a standard signed
off stay as the sign-off judged them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from mappings.assessment import claims
from mappings.assessment.models import Claim, Decision
from mappings.assessment.queue import marking_queue
from mappings.assessment.referrals import open_referrals
from portfolio.errors import Conflict
from portfolio.models import AuditEntry, Evidence
from portfolio.services import evidence as evidence_service
from portfolio.services.files import FileStore
from tests.conftest import actor_of
from tests.exports.export_case import build_case


def _rewrite(session: Session, learner: Any, item_id: int, body: str) -> None:
    """The learner edits the submitted item into a new version and submits it."""
    row = session.get(Evidence, item_id)
    assert row is not None
    me = actor_of(learner)
    evidence_service.update(
        session,
        actor=me,
        evidence_id=item_id,
        expected_version=row.current_version,
        draft=evidence_service.Draft(
            kind=row.kind, title=row.title, activity_date=date.today(), body=body
        ),
    )
    session.commit()
    evidence_service.submit(session, actor=me, evidence_id=item_id, declaration=True)
    session.commit()


def _decide(session: Session, assessor: Any, claim: Claim, decision: str) -> None:
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id or 0,
        expected_revision=claim.revision,
        decision=decision,
        method="O",
        feedback="Say who was there." if decision == "referred" else "",
    )
    session.commit()


def test_decided_claims_await_a_decision_again_when_a_new_version_is_submitted(
    session, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    item = make_evidence(learner, kind="product", title="Job match")
    wanted = [c.criterion_id for c in claims.claimable_criteria(session, learner.id)][:3]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=wanted)
    session.commit()
    accepted, referred, waiting = session.exec(
        select(Claim).where(Claim.evidence_id == item.id).order_by(Claim.criterion_id)
    ).all()
    _decide(session, assessor, accepted, "accepted")
    _decide(session, assessor, referred, "referred")
    seen = {c.id: c.revision for c in (accepted, referred, waiting)}
    assert marking_queue(session, actor=actor_of(assessor)).rows[0].awaiting == 1
    assert len(open_referrals(session, learner_id=learner.id)) == 1

    _rewrite(session, learner, item.id, "Rewritten: the employer and the job seeker met.")

    session.expire_all()
    now = session.exec(select(Claim).where(Claim.evidence_id == item.id)).all()
    assert {c.status for c in now} == {"claimed"}
    assert {c.id: c.revision for c in now} == {
        accepted.id: seen[accepted.id] + 1,
        referred.id: seen[referred.id] + 1,
        waiting.id: seen[waiting.id],  # it was awaiting a decision: nothing changed
    }
    assert all(c.method is None and c.decided_by is None for c in now)
    [row] = marking_queue(session, actor=actor_of(assessor)).rows
    assert row.awaiting == 3
    assert open_referrals(session, learner_id=learner.id) == []  # before the assessor again
    history = session.exec(select(Decision.new_status).order_by(Decision.id)).all()
    assert history == ["accepted", "referred"]  # what was decided stays in the history
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "claims.reopen")).one()
    assert entry.actor_id == learner.id
    # a decision made on the page opened before the new version is told the claim changed
    with pytest.raises(Conflict):
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=accepted.id or 0,
            expected_revision=seen[accepted.id],
            decision="accepted",
            method="O",
        )


def test_claims_of_a_signed_off_standard_stay_as_the_sign_off_judged_them(
    session, tmp_path, make_person, make_registration, make_evidence
) -> None:
    case = build_case(session, FileStore(tmp_path), make_person, make_registration, make_evidence)
    before = session.exec(
        select(Claim.id, Claim.status).where(Claim.evidence_id == case.account_id)
    ).all()
    assert {status for _, status in before} == {"accepted"}
    _rewrite(session, case.learner, case.account_id, "Rewritten after the sign-off.")
    session.expire_all()
    after = session.exec(
        select(Claim.id, Claim.status).where(Claim.evidence_id == case.account_id)
    ).all()
    assert sorted(after) == sorted(before)


def test_a_new_version_offers_the_method_decided_before(
    client, auth, session, make_person, make_registration, make_evidence
) -> None:
    """The assessor accepted a claim of a reflective account by product (the plan attached to it);
    after the learner's new version the form offered "reflective account" again, which does not
    count for a performance criterion, and warned the assessor. It offers the method used last."""
    import re

    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    item = make_evidence(learner, kind="reflective_account", title="Plan")
    wanted = [c.criterion_id for c in claims.claimable_criteria(session, learner.id)][:2]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=wanted)
    session.commit()
    first, second = session.exec(
        select(Claim).where(Claim.evidence_id == item.id).order_by(Claim.criterion_id)
    ).all()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=first.id or 0,
        expected_revision=first.revision,
        decision="accepted",
        method="P",
    )
    session.commit()
    _rewrite(session, learner, item.id, "Rewritten, with the plan attached.")
    auth.login(assessor)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)

    def chosen(claim: Claim) -> str:
        select_html = page.split(f'name="method-{claim.id}"')[1].split("</select>")[0]
        return re.findall(r'<option selected value="(\w+)"', select_html)[0]

    assert chosen(first) == "P"  # as decided before
    assert chosen(second) == "RA"  # never decided: the method of the item's kind
