"""IQA reviews, actions for assessors, and the EQA's time-boxed read-only access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from mappings.assessment import signoff
from mappings.assessment.models import SignOff
from mappings.quality.actions import (
    actions_for_assessor,
    actions_set_by,
    close_action,
    respond_action,
)
from mappings.quality.cycles import create_cycle
from mappings.quality.eqa import eqa_can_view, eqa_grants_of, grant_eqa, list_grants, revoke_eqa
from mappings.quality.models import Action, Sample
from mappings.quality.plan import add_sample, drop_sample, plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry
from portfolio.services import access
from portfolio.services import evidence as evidence_service
from tests.conftest import actor_of
from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START
from tests.mappings.test_assessment import _accept_all


@pytest.fixture
def signed(session, make_person, make_registration, make_evidence):
    """A learner with SE03 really signed off, and a planned cycle sampling it."""
    learner = make_person("learner")
    assessor = make_person("assessor")
    assessor.assessor_status = "new"
    iqa_person = make_person("iqa")
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa_person)
    _accept_all(session, learner, assessor, make_evidence, "SE03")
    record = signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code="SE03",
        summary="Competent.",
        assessor_declaration=True,
    ).signoff
    cycle = create_cycle(
        session, actor=actor_of(iqa_person), name="R1", start=CYCLE_START, end=CYCLE_END
    )
    plan_cycle(session, actor=actor_of(iqa_person), cycle_id=cycle.id)
    session.commit()
    sample = session.exec(select(Sample).where(Sample.signoff_id == record.id)).one()
    return learner, assessor, iqa_person, record, cycle, sample


def test_sample_view_shows_evidence_decisions_and_signoff(session, signed, count_queries) -> None:
    learner, assessor, me, record, _cycle, sample = signed
    with count_queries() as q:
        view = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    assert view.signoff.id == record.id and view.standard_code == "SE03"
    assert view.learner_name == learner.name and view.assessor_name == assessor.name
    assert view.decisions and all(d.actor_id == assessor.id for d in view.decisions)
    assert {d.method for d in view.decisions} == {"O", "PD"}
    assert any(e.frozen and e.title == "My account" for e in view.evidence)
    assert q.count <= 12


def test_disagreement_reopens_the_signoff_with_the_reason_logged(session, signed) -> None:
    _learner, assessor, me, record, cycle, sample = signed
    view = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    first, *rest = view.decisions
    review = review_sample(
        session,
        actor=actor_of(me),
        sample_id=sample.id,
        outcome="disagree",
        feedback="P1 rests on the learner's account only.",
        checks={first.id: (False, "No observation behind P1"), **{d.id: (True, "") for d in rest}},
        actions=[("Observe P1 in practice", date.today() + timedelta(days=14))],
        reopen=True,
    )
    assert review.reopened_signoff
    reopened = session.get(SignOff, record.id)
    assert reopened.status == "reopened" and reopened.reopened_by == me.id
    assert "P1 rests on the learner's account only." in reopened.reopen_reason
    assert cycle.name in reopened.reopen_reason
    logged = session.exec(select(AuditEntry).where(AuditEntry.action == "standard.reopen")).all()
    assert logged[-1].data["reason"] == reopened.reopen_reason
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "iqa.review")).first()
    actions = session.exec(select(Action).where(Action.sample_id == sample.id)).all()
    assert [(a.assessor_id, a.status) for a in actions] == [(assessor.id, "open")]
    again = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    assert again.review.outcome == "disagree" and again.checks[first.id].agree is False
    with pytest.raises(Conflict):
        review_sample(
            session, actor=actor_of(me), sample_id=sample.id, outcome="agree", feedback="",
            checks={},
        )  # fmt: skip


def test_the_assessor_is_told_the_review_reopened_their_signoff(session, signed) -> None:
    """The review's notice says the sign-off was reopened and is to be signed off again: it said
    only that the IQA disagreed, and the assessor learnt of the reopening from the standard's
    page, if they went there."""
    from portfolio.models import Notification

    _learner, assessor, me, _record, _cycle, sample = signed
    view = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    first, *rest = view.decisions
    review_sample(
        session,
        actor=actor_of(me),
        sample_id=sample.id,
        outcome="disagree",
        feedback="P1 rests on the learner's account only.",
        checks={first.id: (False, "No observation behind P1"), **{d.id: (True, "") for d in rest}},
        reopen=True,
    )
    told = session.exec(
        select(Notification.text).where(
            Notification.person_id == assessor.id, Notification.kind == "iqa_review"
        )
    ).one()
    assert "and disagreed, and reopened the sign-off of SE03: sign it off again once" in told


@pytest.mark.parametrize(
    ("outcome", "feedback", "agree", "note", "reopen", "message"),
    [
        ("agree", "", False, "bad", False, "overall outcome is disagree"),
        ("disagree", "", False, "bad", False, "feedback"),
        ("disagree", "x", False, "", False, "Say why"),
        ("agree", "", True, "", True, "Only a disagreement"),
        ("maybe", "", True, "", False, "agree or disagree"),
    ],
)
def test_review_rules(session, signed, outcome, feedback, agree, note, reopen, message) -> None:
    *_, me, _record, _cycle, sample = signed
    view = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    with pytest.raises(Invalid, match=message):
        review_sample(
            session,
            actor=actor_of(me),
            sample_id=sample.id,
            outcome=outcome,
            feedback=feedback,
            checks={view.decisions[0].id: (agree, note)},
            reopen=reopen,
        )


def test_a_disagreement_without_a_note_names_the_decision_in_words(session, signed) -> None:
    """The IQA is told which decision lacks its reason by criterion and evidence, not by an id."""
    *_, me, _record, _cycle, sample = signed
    first = sample_view(session, actor=actor_of(me), sample_id=sample.id).decisions[0]
    with pytest.raises(Invalid) as refused:
        review_sample(
            session, actor=actor_of(me), sample_id=sample.id, outcome="disagree",
            feedback="x", checks={first.id: (False, " ")},
        )  # fmt: skip
    said = str(refused.value)
    wanted = f"{first.criterion} ({first.evidence_title}, version"
    assert said.startswith("Say why you disagree with ") and wanted in said, said
    assert f"decision {first.id}" not in said


def test_nobody_reviews_someone_elses_cycle_or_their_own_decisions(
    session, signed, make_person
) -> None:
    _learner, assessor, _me, _record, cycle, sample = signed
    with pytest.raises(NotFound):
        review_sample(
            session, actor=actor_of(make_person("iqa")), sample_id=sample.id, outcome="agree",
            feedback="", checks={},
        )  # fmt: skip
    # the assessor, even holding the IQA role too, may not review their own decision
    assessor.roles = "assessor,iqa"
    session.add(assessor)
    cycle.iqa_id = assessor.id
    session.add(cycle)
    session.commit()
    with pytest.raises(PermissionDenied, match="own assessment decisions"):
        review_sample(
            session, actor=actor_of(assessor), sample_id=sample.id, outcome="agree",
            feedback="", checks={},
        )  # fmt: skip


def test_actions_lifecycle_and_overdue_listing(session, signed, make_person) -> None:
    _learner, assessor, me, _record, _cycle, sample = signed
    past = date.today() - timedelta(days=20)
    with pytest.raises(Invalid, match="due today or later"):
        review_sample(
            session, actor=actor_of(me), sample_id=sample.id, outcome="agree", feedback="",
            checks={}, actions=[("late", date.today() - timedelta(days=1))],
        )  # fmt: skip
    review_sample(
        session,
        actor=actor_of(me),
        sample_id=sample.id,
        outcome="agree",
        feedback="Sound decisions.",
        checks={},
        actions=[("Date every record", past + timedelta(days=5)), ("Add K5", date.today())],
        today=past,
    )
    listed = actions_set_by(session, actor=actor_of(me))
    assert [(r.action.text, r.overdue) for r in listed] == [
        ("Date every record", True),
        ("Add K5", False),
    ]
    mine = actions_for_assessor(session, actor=actor_of(assessor))
    assert [r.action.text for r in mine] == ["Date every record", "Add K5"]
    overdue = listed[0].action
    with pytest.raises(NotFound):
        respond_action(
            session, actor=actor_of(make_person("assessor")), action_id=overdue.id, response="x"
        )
    with pytest.raises(Invalid, match="response"):
        respond_action(session, actor=actor_of(assessor), action_id=overdue.id, response=" ")
    respond_action(
        session, actor=actor_of(assessor), action_id=overdue.id, response="Dated them all."
    )
    assert not actions_set_by(session, actor=actor_of(me))[0].overdue  # answered
    with pytest.raises(PermissionDenied):
        close_action(session, actor=actor_of(assessor), action_id=overdue.id)
    closed = close_action(session, actor=actor_of(me), action_id=overdue.id)
    assert closed.status == "closed" and closed.closed_by == me.id
    assert [r.action.text for r in actions_set_by(session, actor=actor_of(me))] == ["Add K5"]
    with pytest.raises(Invalid, match="closed"):
        respond_action(session, actor=actor_of(assessor), action_id=overdue.id, response="y")
    with pytest.raises(Invalid, match="already closed"):
        close_action(session, actor=actor_of(me), action_id=overdue.id)
    actions = {e.action for e in session.exec(select(AuditEntry)).all()}
    assert {"iqa.action.respond", "iqa.action.close"} <= actions


def test_eqa_sees_only_sampled_learners_and_only_before_expiry(
    session, signed, make_person, make_registration, make_evidence
) -> None:
    learner, _assessor, me, _record, cycle, sample = signed
    eqa = make_person("eqa")
    admin = make_person("admin")
    other = make_registration(iqa=make_person("iqa"), assessor=make_person("assessor"))
    expires = datetime.now(UTC) + timedelta(days=7)
    with pytest.raises(Invalid, match="EQA role"):
        grant_eqa(session, actor=actor_of(admin), person_id=me.id, cycle_id=cycle.id,
                      expires_at=expires)  # fmt: skip
    with pytest.raises(PermissionDenied):
        grant_eqa(session, actor=actor_of(me), person_id=eqa.id, cycle_id=cycle.id,
                      expires_at=expires)  # fmt: skip
    assert not eqa_can_view(session, eqa, learner.id)
    grant = grant_eqa(
        session, actor=actor_of(admin), person_id=eqa.id, cycle_id=cycle.id, expires_at=expires
    )
    assert eqa_can_view(session, eqa, learner.id)
    assert not eqa_can_view(session, eqa, other.learner_id)
    assert not eqa_can_view(session, eqa, learner.id, now=expires + timedelta(seconds=1))
    assert access.relation(session, actor_of(eqa), learner.id) == {"eqa"}
    assert access.relation(session, actor_of(eqa), other.learner_id) == set()
    # read-only: viewing works, changing is refused
    assert evidence_service.page_for_learner(
        session, actor=actor_of(eqa), learner_id=learner.id
    ).rows
    with pytest.raises(PermissionDenied):
        make_evidence(learner, author=eqa)
    view = sample_view(session, actor=actor_of(eqa), sample_id=sample.id)
    assert view.sample.id == sample.id
    with pytest.raises((PermissionDenied, NotFound)):
        review_sample(session, actor=actor_of(eqa), sample_id=sample.id, outcome="agree",
                          feedback="", checks={})  # fmt: skip
    [live] = eqa_grants_of(session, actor=actor_of(eqa))
    assert [s.id for s, *_ in live.samples] == [sample.id]
    # a dropped sample is no longer open to the EQA
    drop_sample(session, actor=actor_of(me), sample_id=sample.id)
    assert not eqa_can_view(session, eqa, learner.id)
    with pytest.raises(NotFound):
        sample_view(session, actor=actor_of(eqa), sample_id=sample.id)
    add_sample(session, actor=actor_of(me), cycle_id=cycle.id, decision_key=sample.decision_key)
    revoke_eqa(session, actor=actor_of(admin), grant_id=grant.id, zone=ZoneInfo("Europe/London"))
    assert not eqa_can_view(session, eqa, learner.id)
    rows = list_grants(session, actor=actor_of(admin))
    assert [(r.person_name, r.active) for r in rows] == [(eqa.name, False)]
