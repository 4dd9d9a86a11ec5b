"""A learner's withdrawal from a registration: who records it, what it refuses, and reinstating."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from mappings.assessment import claims, declarations, signoff
from mappings.assessment.models import Claim, Decision, LearnerDeclaration, SignOff
from mappings.assessment.queue import marking_queue
from mappings.privacy import requests
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Notification, Registration
from portfolio.services import notifications, withdrawals
from portfolio.words import day_words
from tests.conftest import actor_of
from tests.mappings.test_assessment import _accept_all

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def case(make_person, make_registration):
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    return learner, assessor, make_person("admin"), reg


def _entries(session, reg, action):
    return session.exec(
        select(AuditEntry).where(
            AuditEntry.action == action,
            AuditEntry.subject_type == "registration",
            AuditEntry.subject_id == reg.id,
        )
    ).all()


def _withdraw(session, admin, reg, on=YESTERDAY, reason="Moved away"):
    return withdrawals.withdraw(
        session, actor=actor_of(admin), registration_id=reg.id, on=on, reason=reason
    )


def test_only_administrators_withdraw_and_reinstate(session, case, make_person) -> None:
    learner, assessor, _admin, reg = case
    for who in (learner, assessor, make_person("iqa")):
        with pytest.raises(PermissionDenied, match="Only administrators"):
            _withdraw(session, who, reg)
        with pytest.raises(PermissionDenied, match="Only administrators"):
            withdrawals.reinstate(session, actor=actor_of(who), registration_id=reg.id)
    assert session.get(Registration, reg.id).withdrawn_at is None


def test_withdrawal_is_recorded_once_with_one_audit_entry(session, case) -> None:
    *_, admin, reg = case
    _withdraw(session, admin, reg, reason="  Moved   away ")
    session.commit()
    stored = session.get(Registration, reg.id)
    assert (stored.withdrawn_at, stored.withdrawn_reason) == (YESTERDAY, "Moved away")
    [entry] = _entries(session, reg, "registration.withdraw")
    # the reason is personal data: it stays on the registration, not in the append-only trail
    assert entry.data == {"on": YESTERDAY.isoformat()}
    with pytest.raises(Invalid, match=f"already withdrew on {day_words(YESTERDAY)}"):
        _withdraw(session, admin, reg)
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    stored = session.get(Registration, reg.id)
    assert (stored.withdrawn_at, stored.withdrawn_reason) == (None, None)
    assert len(_entries(session, reg, "registration.reinstate")) == 1
    with pytest.raises(Invalid, match="has not withdrawn"):
        withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)


@pytest.mark.parametrize(
    ("on", "reason", "message"),
    [
        (TODAY - timedelta(days=61), "Moved away", "before the start of the registration"),
        (TODAY + timedelta(days=1), "Moved away", "cannot be in the future"),
        (YESTERDAY, "   ", "Say why the learner withdrew"),
        (YESTERDAY, "x" * 201, "Keep the reason to 200 characters"),
    ],
)
def test_a_bad_date_or_reason_is_refused_and_nothing_is_written(
    session, case, on, reason, message
) -> None:
    *_, admin, reg = case
    with pytest.raises(Invalid, match=message):
        _withdraw(session, admin, reg, on=on, reason=reason)
    assert session.get(Registration, reg.id).withdrawn_at is None
    assert _entries(session, reg, "registration.withdraw") == []


def test_an_unknown_registration_is_not_found(session, case) -> None:
    *_, admin, _reg = case
    with pytest.raises(NotFound):
        withdrawals.withdraw(
            session, actor=actor_of(admin), registration_id=10**9, on=YESTERDAY, reason="x"
        )


def _ids(session, learner, standard):
    found = claims.claimable_criteria(session, learner.id)
    return [c.criterion_id for c in found if c.standard_code == standard]


def test_no_new_claims_on_a_withdrawn_registration_until_reinstated(
    session, case, make_evidence, sample_framework
) -> None:
    learner, assessor, admin, reg = case
    item = make_evidence(learner)
    _withdraw(session, admin, reg)
    session.commit()
    for who in (learner, assessor):
        with pytest.raises(Invalid, match=f"withdrew from {sample_framework.title}"):
            claims.set_claims(
                session,
                actor=actor_of(who),
                evidence_id=item.id,
                criterion_ids=_ids(session, learner, "SE01")[:1],
            )
    assert session.exec(select(Claim).where(Claim.evidence_id == item.id)).all() == []
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    added, _ = claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=_ids(session, learner, "SE01")[:1],
    )
    assert len(added) == 1


def test_claims_are_not_decided_while_withdrawn_and_decisions_stay(
    session, case, make_evidence
) -> None:
    learner, assessor, admin, reg = case
    item = make_evidence(learner)
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=_ids(session, learner, "SE01")[:2],
    )
    session.commit()
    first, second = session.exec(
        select(Claim).where(Claim.evidence_id == item.id).order_by(Claim.id)
    ).all()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=first.id,
        expected_revision=0,
        decision="accepted",
        method="PD",
    )
    _withdraw(session, admin, reg)
    session.commit()
    with pytest.raises(Invalid, match="its claims are not judged unless an administrator"):
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=second.id,
            expected_revision=0,
            decision="accepted",
            method="PD",
        )
    session.refresh(first)
    assert first.status == "accepted"  # recorded before the withdrawal: kept
    assert len(session.exec(select(Decision)).all()) >= 1
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=second.id,
        expected_revision=0,
        decision="accepted",
        method="PD",
    )
    session.refresh(second)
    assert second.status == "accepted"


def _sign(session, assessor, reg, code):
    return signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code=code,
        summary="Competent throughout.",
        assessor_declaration=True,
    )


def test_standards_are_not_signed_off_while_withdrawn_and_sign_offs_stay(
    session, case, make_evidence, sample_framework
) -> None:
    learner, assessor, admin, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03")
    _accept_all(session, learner, assessor, make_evidence, "SE01")
    _sign(session, assessor, reg, "SE01")
    session.commit()
    _withdraw(session, admin, reg)
    session.commit()
    with pytest.raises(Invalid, match=f"withdrew from {sample_framework.title}"):
        _sign(session, assessor, reg, "SE03")
    signed = session.exec(select(SignOff).where(SignOff.registration_id == reg.id)).all()
    assert [(s.status, s.standard_id) for s in signed] == [("signed", signed[0].standard_id)]
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    assert _sign(session, assessor, reg, "SE03").signoff.status == "signed"


def test_erasing_the_learner_erases_why_they_withdrew_and_keeps_the_date(session, case) -> None:
    learner, _assessor, admin, reg = case
    _withdraw(session, admin, reg, reason="Caring for a parent")
    session.commit()
    requests.erase_person(session, actor=actor_of(admin), person_id=learner.id, store=None)
    session.commit()
    session.expire_all()
    stored = session.get(Registration, reg.id)
    assert (stored.withdrawn_at, stored.withdrawn_reason) == (YESTERDAY, "(erased)")
    trail = session.exec(select(AuditEntry.data)).all()
    assert not any("Caring for a parent" in str(data) for data in trail)


def test_evidence_is_not_judged_while_withdrawn_until_reinstated(
    session, case, make_evidence
) -> None:
    learner, assessor, admin, reg = case
    item = make_evidence(learner)
    flags = dict.fromkeys(claims.VACSR, True)
    _withdraw(session, admin, reg)
    session.commit()
    with pytest.raises(Invalid, match=f"withdrew from .* on {day_words(YESTERDAY)}: its evidence"):
        claims.judge(session, actor=actor_of(assessor), evidence_id=item.id, flags=flags)
    session.rollback()
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    judged = claims.judge(session, actor=actor_of(assessor), evidence_id=item.id, flags=flags)
    assert judged.valid and judged.reliable


def test_the_learner_does_not_declare_while_withdrawn_until_reinstated(
    session, case, make_evidence, sample_framework
) -> None:
    learner, assessor, admin, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE01", declare=False)
    _withdraw(session, admin, reg)
    session.commit()
    with pytest.raises(
        Invalid, match=f"withdrew from {sample_framework.title} on {day_words(YESTERDAY)}"
    ):
        declarations.declare(
            session, actor=actor_of(learner), registration_id=reg.id, standard_code="SE01"
        )
    session.rollback()
    made = select(LearnerDeclaration).where(LearnerDeclaration.registration_id == reg.id)
    assert session.exec(made).all() == []
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    declarations.declare(
        session, actor=actor_of(learner), registration_id=reg.id, standard_code="SE01"
    )
    assert len(session.exec(made).all()) == 1


def test_a_withdrawn_learner_is_not_asked_to_declare_until_reinstated(
    session, case, make_evidence
) -> None:
    learner, assessor, admin, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE01", declare=False)
    assert [a.code for a in declarations.awaiting_declarations(session, learner_id=learner.id)] == [
        "SE01"
    ]
    _withdraw(session, admin, reg)
    notifications.mark_all_read(session, actor=actor_of(learner))
    session.commit()
    assert declarations.awaiting_declarations(session, learner_id=learner.id) == []
    assert declarations.notify_awaiting(session, learner_id=learner.id) == 0
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    # the reinstatement itself asked again (test_reinstate_declarations.py): not twice
    assert [a.code for a in declarations.awaiting_declarations(session, learner_id=learner.id)] == [
        "SE01"
    ]
    assert declarations.notify_awaiting(session, learner_id=learner.id) == 0


def test_a_withdrawn_learners_claims_leave_the_marking_queue_until_reinstated(
    session, case, make_evidence
) -> None:
    learner, assessor, admin, reg = case
    item = make_evidence(learner)
    claims.set_claims(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        criterion_ids=_ids(session, learner, "SE01")[:2],
    )
    session.commit()
    assert [r.evidence_id for r in marking_queue(session, actor=actor_of(assessor)).rows] == [
        item.id
    ]
    _withdraw(session, admin, reg)
    session.commit()
    queue = marking_queue(session, actor=actor_of(assessor))
    assert (queue.total, queue.rows) == (0, [])
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    assert marking_queue(session, actor=actor_of(assessor)).total == 1


def test_an_unread_ask_to_declare_is_no_longer_pending_once_withdrawn(
    session, case, make_evidence
) -> None:
    learner, assessor, admin, reg = case
    notifications.choose(session, person_id=learner.id, kind="declaration", mode="digest")
    _accept_all(session, learner, assessor, make_evidence, "SE01", declare=False)
    declarations.notify_awaiting(session, learner_id=learner.id)  # asked once while unread
    other = notifications.notify(session, person_id=learner.id, text="Something else", kind="other")
    session.commit()
    ask = session.exec(
        select(Notification).where(
            Notification.person_id == learner.id, Notification.kind == "declaration"
        )
    ).one()
    assert (ask.read_at, ask.mail) == (None, "digest")
    unread = notifications.unread_count(session, actor=actor_of(learner))
    _withdraw(session, admin, reg)
    session.rollback()  # the withdrawal's transaction ends: nothing it did is kept
    session.refresh(ask)
    assert ask.read_at is None
    _withdraw(session, admin, reg)
    session.commit()
    session.refresh(ask)
    session.refresh(other)
    assert ask.read_at is not None and ask.mail == "off"  # not asked in the digest either
    assert other.read_at is None  # what is not about the registration stays
    assert notifications.unread_count(session, actor=actor_of(learner)) == unread - 1
