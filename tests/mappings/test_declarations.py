"""The learner's declaration for a standard: their own act, with the exact wording, over the
evidence set as it stands; sign-off needs it and keeps both declarations."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from mappings.assessment import claims, declarations, signoff
from mappings.assessment.models import Claim, LearnerDeclaration, SignOff
from mappings.privacy.requests import erase_person
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Notification
from portfolio.services import audit, notifications
from portfolio.words import day_words
from tests.conftest import actor_of
from tests.mappings.test_assessment import _accept_all


@pytest.fixture
def case(make_person, make_registration):
    learner = make_person("learner")
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01,SE03")
    return learner, assessor, iqa, reg


def _sign(session, assessor, reg, code="SE03"):
    return signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code=code,
        summary="Competent throughout.",
        assessor_declaration=True,
    )


def _declare(session, learner, reg, code="SE03", **kwargs):
    return declarations.declare(
        session, actor=actor_of(learner), registration_id=reg.id, standard_code=code, **kwargs
    )


def test_signoff_needs_the_learners_own_declaration(session, case, make_evidence) -> None:
    # every piece of evidence was submitted with a declaration of authenticity, but the learner
    # never confirmed the sign-off wording: that is no declaration on the record
    learner, assessor, _iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    with pytest.raises(Invalid, match="not confirmed their declaration"):
        _sign(session, assessor, reg)
    assert session.exec(select(SignOff)).all() == []


def test_only_the_learner_declares_and_only_when_complete(
    session, case, make_evidence, make_person
) -> None:
    learner, assessor, iqa, reg = case
    with pytest.raises(Invalid, match="once every criterion is met"):
        _declare(session, learner, reg)
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    with pytest.raises(PermissionDenied):
        _declare(session, assessor, reg)
    with pytest.raises(PermissionDenied):
        _declare(session, iqa, reg)
    with pytest.raises(NotFound):
        _declare(session, make_person("learner"), reg)
    with pytest.raises(NotFound):
        _declare(session, learner, reg, code="SE04")
    [awaiting] = declarations.awaiting_declarations(session, learner_id=learner.id)
    assert awaiting.code == "SE03" and not awaiting.asked_again
    with pytest.raises(Conflict, match="changed while you were reading"):
        _declare(session, learner, reg, evidence_set_sha256="0" * 64)
    row = _declare(session, learner, reg, evidence_set_sha256=awaiting.evidence_set_sha256)
    session.commit()
    assert row.learner_id == learner.id and row.wording == awaiting.wording
    assert row.wording.startswith("I declare that the evidence listed for SE03 ")
    assert row.evidence_set_sha256 == awaiting.evidence_set_sha256
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "standard.declaration")
    ).one()
    assert entry.actor_id == learner.id and entry.subject_id == row.id
    assert entry.data["wording"] == row.wording
    assert declarations.awaiting_declarations(session, learner_id=learner.id) == []
    with pytest.raises(Invalid, match="already confirmed"):
        _declare(session, learner, reg)


def test_signoff_keeps_both_declarations_as_made(session, case, make_evidence) -> None:
    learner, assessor, _iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    made = _declare(session, learner, reg)
    session.commit()
    before = audit.head(session)
    record = _sign(session, assessor, reg).signoff
    session.commit()
    assert record.learner_declaration_id == made.id and record.learner_id == learner.id
    assert record.learner_declared_at == made.declared_at
    assert record.learner_wording == made.wording
    assert record.assessor_wording == declarations.ASSESSOR_WORDING
    assert record.assessor_id == assessor.id and record.assessor_declared_at == record.signed_at
    assert (record.audit_entries, record.audit_head_sha256) == (before.entries, before.hash)


def test_changed_evidence_asks_the_learner_again(session, case, make_evidence) -> None:
    learner, assessor, _iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    first = _declare(session, learner, reg)
    session.commit()
    # more accepted evidence for a criterion of SE03: the evidence set is no longer the one declared
    extra = make_evidence(learner, title="Another account")
    [k1] = [
        c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == "SE03" and c.code == "K1"
    ]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=extra.id, criterion_ids=[k1])
    claim = session.exec(select(Claim).where(Claim.evidence_id == extra.id)).one()
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id,
        expected_revision=claim.revision,
        decision="accepted",
        method="PD",
    )
    session.commit()
    [again] = declarations.awaiting_declarations(session, learner_id=learner.id)
    assert again.asked_again and again.evidence_set_sha256 != first.evidence_set_sha256
    with pytest.raises(Invalid, match="not confirmed their declaration"):
        _sign(session, assessor, reg)
    second = _declare(session, learner, reg)
    record = _sign(session, assessor, reg).signoff
    assert record.learner_declaration_id == second.id
    assert record.evidence_set_sha256 == second.evidence_set_sha256


def test_learner_is_notified_once_when_complete(session, case, make_evidence) -> None:
    learner, assessor, _iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    rows = session.exec(
        select(Notification).where(
            Notification.person_id == learner.id, Notification.kind == "declaration"
        )
    ).all()
    assert len(rows) == 1  # many claims accepted, one notification while it waits unread
    [note] = rows
    assert "SE03" in note.text and "confirm your declaration" in note.text
    assert note.link == declarations.declaration_link(reg.id, "SE03")
    unread = notifications.unread_count(session, actor=actor_of(learner))
    assert unread > 1  # and the decisions themselves
    assert {n.kind for n in notifications.list_for(session, actor=actor_of(assessor))} <= {
        "submission"
    }
    _declare(session, learner, reg)
    session.commit()
    assert notifications.unread_count(session, actor=actor_of(learner)) == unread - 1
    assert session.exec(select(LearnerDeclaration)).one().learner_id == learner.id


def test_notifications_are_read_only_by_their_person(session, case) -> None:
    learner, assessor, _iqa, _reg = case
    note = notifications.notify(session, person_id=learner.id, text="Hello", link="/x")
    assert note is not None
    assert notifications.notify(session, person_id=learner.id, text="Hello", link="/x") is None
    with pytest.raises(NotFound):
        notifications.mark_read(session, actor=actor_of(assessor), notification_id=note.id)
    notifications.mark_read(session, actor=actor_of(learner), notification_id=note.id)
    assert notifications.unread_count(session, actor=actor_of(learner)) == 0
    assert [n.text for n in notifications.list_for(session, actor=actor_of(learner))] == ["Hello"]


def claim_method(session, claim: Claim) -> str:
    """The method that meets the claim's criterion: observed (P) or discussed (K)."""
    from portfolio.models import Criterion

    criterion = session.get(Criterion, claim.criterion_id)
    return "O" if criterion.kind == "performance" else "PD"


def test_a_new_version_of_the_evidence_asks_the_learner_again(session, case, make_evidence) -> None:
    from portfolio.models import Evidence
    from portfolio.services import evidence as evidence_service

    learner, assessor, _iqa, reg = case
    ra, _obs, _pd = _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    _declare(session, learner, reg)
    notifications.mark_all_read(session, actor=actor_of(learner))
    session.commit()
    me = actor_of(learner)
    current = session.get(Evidence, ra.id)
    evidence_service.update(
        session,
        actor=me,
        evidence_id=ra.id,
        expected_version=current.current_version,
        draft=evidence_service.Draft(
            kind=current.kind,
            title="My account (revised)",
            activity_date=current.activity_date,
            body="I supported a job seeker, and here is more.",
        ),
    )
    evidence_service.submit(session, actor=me, evidence_id=ra.id, declaration=True)
    session.commit()
    # the new version is not what the assessor accepted: its claims await a decision again, so
    # SE03 is not complete and there is nothing to declare yet
    assert declarations.awaiting_declarations(session, learner_id=learner.id) == []
    with pytest.raises(Invalid, match="not yet met"):
        _sign(session, assessor, reg)
    session.rollback()
    for claim in session.exec(select(Claim).where(Claim.evidence_id == ra.id)).all():
        assert claim.status == "claimed"
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision="accepted",
            method=claim_method(session, claim),
        )
    session.commit()
    [again] = declarations.awaiting_declarations(session, learner_id=learner.id)
    assert again.code == "SE03" and again.asked_again
    [note] = notifications.list_for(session, actor=me)[:1]
    assert note.read_at is None and "changed" in note.text and "SE03" in note.text
    with pytest.raises(Invalid, match="not confirmed their declaration"):
        _sign(session, assessor, reg)


def test_an_erased_learner_declares_nothing(session, case, make_evidence, make_person) -> None:
    """Once the learner's personal data is erased the declaration service refuses, in words,
    writing nothing: an erased person cannot log in, but services check for themselves."""
    learner, assessor, _iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    session.commit()
    erase_person(session, actor=actor_of(make_person("admin")), person_id=learner.id, store=None)
    session.commit()
    audited = session.exec(select(func.count()).select_from(AuditEntry)).one()
    refused = f"The learner's personal data was erased on {day_words(date.today())}: "
    with pytest.raises(Invalid, match=refused) as raised:
        _declare(session, learner, reg)
    assert "awarding body's record" in str(raised.value)
    session.rollback()
    assert session.exec(select(LearnerDeclaration)).all() == []
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == audited
