"""A break in learning: recorded and ended by an administrator, each in one transaction with one
audit entry; the planned end moves on by the break's length; the learner's work goes on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from mappings.assessment import claims, plan_reads, plans
from mappings.assessment.models import Claim
from mappings.privacy import requests
from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import AuditEntry, Registration
from portfolio.services import breaks, withdrawals
from tests.conftest import actor_of

TODAY = date.today()


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


def _start(session, who, reg, reason="Maternity leave", until=None, today=None):
    return breaks.start_break(
        session,
        actor=actor_of(who),
        registration_id=reg.id,
        reason=reason,
        until=until,
        today=today,
    )


def test_only_administrators_start_and_end_a_break(session, case, make_person) -> None:
    learner, assessor, _admin, reg = case
    for who in (learner, assessor, make_person("iqa")):
        with pytest.raises(PermissionDenied, match="Only administrators"):
            _start(session, who, reg)
        with pytest.raises(PermissionDenied, match="Only administrators"):
            breaks.end_break(session, actor=actor_of(who), registration_id=reg.id)
    assert session.get(Registration, reg.id).break_since is None


def test_a_break_is_recorded_once_with_one_audit_entry(session, case) -> None:
    *_, admin, reg = case
    until = TODAY + timedelta(days=180)
    _start(session, admin, reg, reason="  Maternity   leave ", until=until)
    session.commit()
    stored = session.get(Registration, reg.id)
    assert (stored.break_since, stored.break_reason, stored.break_until) == (
        TODAY,
        "Maternity leave",
        until,
    )
    (entry,) = _entries(session, reg, "registration.break_start")
    assert entry.data == {"since": TODAY.isoformat(), "until": until.isoformat()}
    with pytest.raises(Invalid, match="already on a break"):
        _start(session, admin, reg)
    assert len(_entries(session, reg, "registration.break_start")) == 1


def test_ending_a_break_moves_the_planned_end_on_by_its_length(session, case) -> None:
    *_, admin, reg = case
    began = TODAY - timedelta(days=40)
    _start(session, admin, reg, today=began)
    session.commit()
    was = session.get(Registration, reg.id).planned_end
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    stored = session.get(Registration, reg.id)
    assert stored.planned_end == was + timedelta(days=40)
    assert (stored.break_since, stored.break_reason, stored.break_until) == (None, None, None)
    (entry,) = _entries(session, reg, "registration.break_end")
    assert entry.data == {
        "since": began.isoformat(),
        "until": None,
        "days": 40,
        "planned_end": {
            "was": was.isoformat(),
            "now": (was + timedelta(days=40)).isoformat(),
        },
    }
    with pytest.raises(Invalid, match="is not on a break"):
        breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)


def test_bad_input_is_refused_and_nothing_is_written(session, case) -> None:
    *_, admin, reg = case
    for kwargs, field in (
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"until": TODAY}, "until"),
        ({"until": TODAY + timedelta(days=6 * 366)}, "until"),
    ):
        with pytest.raises(Invalid) as refused:
            _start(session, admin, reg, **kwargs)
        assert refused.value.field == field
    assert session.get(Registration, reg.id).break_since is None
    assert _entries(session, reg, "registration.break_start") == []


def test_no_break_on_a_withdrawn_registration_nor_a_withdrawal_during_one(session, case) -> None:
    *_, admin, reg = case
    withdrawals.withdraw(
        session, actor=actor_of(admin), registration_id=reg.id, on=TODAY, reason="Moved away"
    )
    with pytest.raises(Invalid, match="reinstate the registration before a break"):
        _start(session, admin, reg)
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    _start(session, admin, reg)
    with pytest.raises(Invalid, match="end the break before recording a withdrawal"):
        withdrawals.withdraw(
            session, actor=actor_of(admin), registration_id=reg.id, on=TODAY, reason="Gone"
        )


def test_the_learner_still_writes_and_maps_evidence_on_a_break(
    session, case, make_evidence
) -> None:
    learner, _assessor, admin, reg = case
    _start(session, admin, reg)
    session.commit()
    item = make_evidence(learner)
    criterion = claims.claimable_criteria(session, learner.id)[0].criterion_id
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=[criterion]
    )
    session.commit()
    found = session.exec(select(Claim.criterion_id).where(Claim.evidence_id == item.id)).all()
    assert found == [criterion]


def test_a_plan_is_not_overdue_while_its_learner_is_on_a_break(session, case) -> None:
    learner, assessor, admin, reg = case
    target = plan_reads.targets_of(session, reg.id)[0]
    plan = plans.set_plan(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        title="Reflect",
        body="Write it up",
        due_on=TODAY + timedelta(days=3),
        criterion_ids=[target.criterion_id],
    )
    session.commit()
    later = TODAY + timedelta(days=10)
    home, _more = plan_reads.open_plans(session, learner.id, later)
    assert home[0].state.key == "overdue"
    _start(session, admin, reg)
    session.commit()
    home, _more = plan_reads.open_plans(session, learner.id, later)
    listed = plan_reads.plans_of(
        session, actor=actor_of(assessor), learner_id=learner.id, today=later
    )
    page = plan_reads.plan_page(session, actor=actor_of(learner), plan_id=plan.id, today=later)
    for state in (home[0].state, listed[0].state, page.state):
        assert state.key == "open"
        assert "late" not in state.words and "on a break" in state.words


def test_erasing_the_learner_erases_why_they_took_a_break_and_keeps_the_dates(
    session, case
) -> None:
    learner, _assessor, admin, reg = case
    until = TODAY + timedelta(days=30)
    _start(session, admin, reg, reason="Cancer treatment", until=until)
    session.commit()
    requests.erase_person(session, actor=actor_of(admin), person_id=learner.id, store=None)
    session.commit()
    session.expire_all()
    stored = session.get(Registration, reg.id)
    assert (stored.break_since, stored.break_reason, stored.break_until) == (
        TODAY,
        "(erased)",
        until,
    )
    trail = session.exec(select(AuditEntry.data)).all()
    assert not any("Cancer treatment" in str(data) for data in trail)
