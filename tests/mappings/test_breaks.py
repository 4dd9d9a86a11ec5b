"""A break in learning: recorded and ended by an administrator, each in one transaction with one
audit entry; the planned end moves on by the break's length; the learner's work goes on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from mappings.assessment import claims, plan_reads, plans
from mappings.assessment.models import AssessmentPlan, Claim
from mappings.privacy import requests
from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import AuditEntry, Framework, Notification, Registration
from portfolio.models.base import utcnow
from portfolio.services import breaks, withdrawals
from portfolio.words import day_words
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
        "plans": [],  # none open
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


def _plan(session, assessor, reg, title, due_on, set_on):
    target = plan_reads.targets_of(session, reg.id)[0]
    made = plans.set_plan(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        title=title,
        body="Write it up",
        due_on=due_on,
        criterion_ids=[target.criterion_id],
        today=set_on,
    )
    made.set_at = utcnow() - timedelta(days=(TODAY - set_on).days)  # set that day, as the demo's
    made.due_chosen_on = plans.server_day(made.set_at)
    session.add(made)
    session.flush()
    return made


def test_ending_a_break_moves_the_open_plans_due_from_its_start_on_by_its_length(
    session, case
) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=40)
    before = began - timedelta(days=20)
    due = {
        "due before the break": began - timedelta(days=5),
        "due the day it began": began,
        "due during it": began + timedelta(days=10),
        "due after it": TODAY + timedelta(days=7),
        "done": began + timedelta(days=3),
        "closed": began + timedelta(days=4),
    }
    made = {t: _plan(session, assessor, reg, t, d, before) for t, d in due.items()}
    plans.mark_done(session, actor=actor_of(assessor), plan_id=made["done"].id)
    plans.close_plan(
        session, actor=actor_of(assessor), plan_id=made["closed"].id, reason="Not needed"
    )
    _start(session, admin, reg, today=began)
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    session.expire_all()
    now = {t: session.get(AssessmentPlan, p.id).due_on for t, p in made.items()}
    moved = ("due the day it began", "due during it", "due after it")
    assert now == {t: d + timedelta(days=40) if t in moved else d for t, d in due.items()}
    states = {p.id: p.state.key for p in plan_reads.open_plans(session, learner.id, TODAY, 10)[0]}
    assert states[made["due before the break"].id] == "overdue"  # overdue again, not moved
    assert states[made["due during it"].id] == "open"
    (entry,) = _entries(session, reg, "registration.break_end")
    assert entry.data["plans"] == [
        {
            "id": made[t].id,
            "was": due[t].isoformat(),
            "now": (due[t] + timedelta(days=40)).isoformat(),
        }
        for t in moved
    ]
    # and each plan moved has an entry of its own, by the administrator who ended the break, so
    # the plan's own trail says why its due date changed (no plan.edit: the assessor changed nothing)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "plan.edit")).all() == []
    own = session.exec(
        select(AuditEntry).where(AuditEntry.action == "plan.move").order_by(col(AuditEntry.id))
    ).all()
    assert [(e.subject_type, e.subject_id, e.actor_id, e.data) for e in own] == [
        (
            "assessment_plan",
            made[t].id,
            admin.id,
            {
                "registration_id": reg.id,
                "break_since": began.isoformat(),
                "days": 40,
                "due_on": {
                    "was": due[t].isoformat(),
                    "now": (due[t] + timedelta(days=40)).isoformat(),
                },
            },
        )
        for t in moved
    ]
    (told,) = session.exec(
        select(Notification).where(
            Notification.person_id == learner.id,
            Notification.kind == "plan",
            col(Notification.text).startswith("Your break"),
        )
    ).all()
    assert told.text == (
        "Your break in learning moved 3 of your plans on "
        f"{session.get(Framework, reg.framework_id).title} later by 40 days: "
        f"“due the day it began” is now due {day_words(due['due the day it began'] + timedelta(days=40))}, "
        f"“due during it” {day_words(due['due during it'] + timedelta(days=40))} and "
        f"“due after it” {day_words(due['due after it'] + timedelta(days=40))}."
    )
    assert told.link == f"/learners/{learner.id}/progress#plans-heading"


def test_a_break_ended_the_day_it_began_moves_no_plan_and_tells_of_none(session, case) -> None:
    learner, assessor, admin, reg = case
    plan = _plan(session, assessor, reg, "Reflect", TODAY + timedelta(days=3), TODAY)
    _start(session, admin, reg)
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    assert session.get(AssessmentPlan, plan.id).due_on == TODAY + timedelta(days=3)
    (entry,) = _entries(session, reg, "registration.break_end")
    assert entry.data["days"] == 0 and entry.data["plans"] == []
    told = session.exec(
        select(Notification.text).where(
            Notification.person_id == learner.id, Notification.kind == "plan"
        )
    ).all()
    assert [t for t in told if t.startswith("Your break")] == []


def test_one_plan_moved_on_is_told_with_a_link_to_it(session, case) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=1)
    plan = _plan(session, assessor, reg, "Reflect", TODAY + timedelta(days=3), began)
    _start(session, admin, reg, today=began)
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    (told,) = session.exec(
        select(Notification).where(
            Notification.person_id == learner.id,
            col(Notification.text).startswith("Your break"),
        )
    ).all()
    title = session.get(Framework, reg.framework_id).title
    assert told.text == (
        f"Your break in learning moved your plan “Reflect” on {title} later by 1 day: "
        f"it is now due {day_words(TODAY + timedelta(days=4))}."
    )
    assert (told.link, told.kind) == (f"/plans/{plan.id}", "plan")


def test_a_plan_set_during_a_break_moves_on_by_the_days_of_it_after_it_was_set(
    session, case
) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=40)
    _start(session, admin, reg, today=began)
    # set by the assessor 30 days into the break (10 days before the learner's return): its clock
    # ran 10 days of the break, not 40; one set the day the learner is back ran none of it
    during = _plan(
        session,
        assessor,
        reg,
        "Set during it",
        TODAY + timedelta(days=14),
        TODAY - timedelta(days=10),
    )
    ahead = _plan(
        session,
        assessor,
        reg,
        "Set before it",
        TODAY + timedelta(days=14),
        began - timedelta(days=1),
    )
    today = _plan(session, assessor, reg, "Set today", TODAY + timedelta(days=14), TODAY)
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    session.expire_all()
    assert session.get(AssessmentPlan, during.id).due_on == TODAY + timedelta(days=24)
    assert session.get(AssessmentPlan, ahead.id).due_on == TODAY + timedelta(days=54)
    assert session.get(AssessmentPlan, today.id).due_on == TODAY + timedelta(days=14)
    (entry,) = _entries(session, reg, "registration.break_end")
    assert [p["id"] for p in entry.data["plans"]] == [during.id, ahead.id]
    days = {
        e.subject_id: e.data["days"]
        for e in session.exec(select(AuditEntry).where(AuditEntry.action == "plan.move")).all()
    }
    assert days == {during.id: 10, ahead.id: 40}
    (told,) = session.exec(
        select(Notification.text).where(
            Notification.person_id == learner.id,
            col(Notification.text).startswith("Your break"),
        )
    ).all()
    title = session.get(Framework, reg.framework_id).title
    assert told == (
        f"Your break in learning moved on 2 of your plans on {title}: “Set during it” is now due "
        f"{day_words(TODAY + timedelta(days=24))} (10 days later) and “Set before it” "
        f"{day_words(TODAY + timedelta(days=54))} (40 days later)."
    )


def test_a_plan_whose_due_date_was_changed_during_a_break_moves_on_from_that_day(
    session, case
) -> None:
    learner, assessor, admin, reg = case
    began, back = TODAY - timedelta(days=30), TODAY + timedelta(days=10)
    before = began - timedelta(days=10)
    redated = _plan(session, assessor, reg, "Re-dated", TODAY + timedelta(days=5), before)
    renamed = _plan(session, assessor, reg, "Renamed", TODAY + timedelta(days=6), before)
    kept = _plan(session, assessor, reg, "Kept", TODAY + timedelta(days=7), before)
    _start(session, admin, reg, today=began)
    session.commit()

    def edit(plan, title, due_on):
        plans.edit_plan(
            session,
            actor=actor_of(assessor),
            plan_id=plan.id,
            title=title,
            body="Write it up",
            criterion_ids=[plan_reads.targets_of(session, reg.id)[0].criterion_id],
            due_on=due_on,
            evidence_kind=None,
        )

    # today, 30 days into the break: the assessor gives one a new date (its clock runs from
    # today, 10 days of the break), and only renames another (its date was chosen before)
    edit(redated, "Re-dated", TODAY + timedelta(days=20))
    edit(renamed, "Renamed again", TODAY + timedelta(days=6))
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id, today=back)
    session.commit()
    session.expire_all()
    assert session.get(AssessmentPlan, redated.id).due_on == TODAY + timedelta(days=30)
    assert session.get(AssessmentPlan, renamed.id).due_on == TODAY + timedelta(days=46)
    assert session.get(AssessmentPlan, kept.id).due_on == TODAY + timedelta(days=47)
    days = {
        e.subject_id: e.data["days"]
        for e in session.exec(select(AuditEntry).where(AuditEntry.action == "plan.move")).all()
    }
    assert days == {redated.id: 10, renamed.id: 40, kept.id: 40}


def _assessor_told(session, assessor):
    return session.exec(
        select(Notification)
        .where(Notification.person_id == assessor.id, col(Notification.text).contains("back from"))
        .order_by(col(Notification.id))
    ).all()


def test_the_assessor_is_told_in_the_break_s_end_which_plans_they_set_moved_on(
    session, case
) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=40)
    before = began - timedelta(days=20)
    due = {"Reflect": began + timedelta(days=10), "Observe": TODAY + timedelta(days=7)}
    for title, on in due.items():
        _plan(session, assessor, reg, title, on, before)
    _plan(session, assessor, reg, "Overdue", began - timedelta(days=1), before)  # not moved
    _start(session, admin, reg, today=began)
    session.commit()
    was = session.get(Registration, reg.id).planned_end
    before_end = set(session.exec(select(Notification.id)).all())
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    title = session.get(Framework, reg.framework_id).title
    # one notice for the assessor, of the break's end and the plans it moved (kind break, e-mailed
    # as they chose for breaks), linking to the learner's plans; none of kind plan
    theirs = session.exec(
        select(Notification).where(
            Notification.person_id == assessor.id, col(Notification.id).not_in(before_end)
        )
    ).all()
    assert [(n.kind, n.link, n.mail) for n in theirs] == [
        ("break", f"/learners/{learner.id}/progress#plans-heading", "now")
    ]
    assert theirs[0].text == (
        f"{learner.name}'s registration on {title} is back from its break, which ended on "
        f"{day_words(TODAY)}: the planned end is now {day_words(was + timedelta(days=40))}; "
        "2 of the plans you set are now due 40 days later: "
        f"“Reflect” {day_words(due['Reflect'] + timedelta(days=40))} and "
        f"“Observe” {day_words(due['Observe'] + timedelta(days=40))}."
    )


def test_the_assessor_is_told_each_plan_s_days_and_whose_plans_they_were(
    session, case, make_person
) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=40)
    _start(session, admin, reg, today=began)
    _plan(
        session,
        assessor,
        reg,
        "Set during it",
        TODAY + timedelta(days=14),
        TODAY - timedelta(days=10),
    )
    _plan(
        session,
        assessor,
        reg,
        "Set before it",
        TODAY + timedelta(days=14),
        began - timedelta(days=1),
    )
    # the learner is given to another assessor before the break ends: the plans were not theirs
    other = make_person("assessor")
    stored = session.get(Registration, reg.id)
    stored.assessor_id = other.id
    session.add(stored)
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    assert _assessor_told(session, assessor) == []
    (told,) = _assessor_told(session, other)
    assert told.text.endswith(
        "; 2 of the learner's plans are now due later: “Set during it” "
        f"{day_words(TODAY + timedelta(days=24))} (10 days later) and “Set before it” "
        f"{day_words(TODAY + timedelta(days=54))} (40 days later)."
    )
    assert told.link == f"/learners/{learner.id}/progress#plans-heading"


def test_one_plan_moved_is_named_to_its_assessor_and_no_one_when_unallocated(session, case) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=1)
    _plan(session, assessor, reg, "Reflect", TODAY + timedelta(days=3), began - timedelta(days=1))
    _start(session, admin, reg, today=began)
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    (told,) = _assessor_told(session, assessor)
    assert told.text.endswith(
        f"; the plan you set, “Reflect”, is now due {day_words(TODAY + timedelta(days=4))} "
        "(1 day later)."
    )
    # unallocated: the learner alone is told the break ended; no one else
    stored = session.get(Registration, reg.id)
    stored.assessor_id = None
    session.add(stored)
    session.commit()
    _start(session, admin, reg, today=began)
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    ended = session.exec(
        select(Notification.person_id).where(col(Notification.text).contains("back from"))
    ).all()
    assert sorted(ended) == sorted([learner.id, learner.id, assessor.id])


def test_a_plan_keeps_the_day_its_due_date_was_chosen_and_only_a_new_due_date_changes_it(
    session, case
) -> None:
    learner, assessor, admin, reg = case
    target = plan_reads.targets_of(session, reg.id)[0].criterion_id
    made = plans.set_plan(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        title="Reflect",
        body="Write it up",
        due_on=TODAY + timedelta(days=10),
        criterion_ids=[target],
    )
    assert made.due_chosen_on == TODAY == plans.server_day(made.set_at)
    made.due_chosen_on = TODAY - timedelta(days=20)  # as if chosen 20 days ago
    session.add(made)
    session.commit()

    def chosen_after(**changes) -> date:
        plans.change_plan(session, actor=actor_of(assessor), plan_id=made.id, changes=changes)
        session.commit()
        session.expire_all()
        return session.get(AssessmentPlan, made.id).due_chosen_on

    # a change keeping the due date (the date sent again, or not sent) is no choice of it
    assert chosen_after(title="Reflect again") == TODAY - timedelta(days=20)
    assert chosen_after(due_on=TODAY + timedelta(days=10)) == TODAY - timedelta(days=20)
    plans.edit_plan(
        session,
        actor=actor_of(assessor),
        plan_id=made.id,
        title="Reflect",
        body="Write it up again",
        criterion_ids=[target],
        due_on=TODAY + timedelta(days=10),
        evidence_kind=None,
    )
    session.commit()
    assert session.get(AssessmentPlan, made.id).due_chosen_on == TODAY - timedelta(days=20)
    # a new due date is chosen today
    assert chosen_after(due_on=TODAY + timedelta(days=12)) == TODAY


def test_a_break_s_move_leaves_the_day_the_due_date_was_chosen(session, case) -> None:
    learner, assessor, admin, reg = case
    began = TODAY - timedelta(days=30)
    before = began - timedelta(days=10)
    plan = _plan(session, assessor, reg, "Reflect", TODAY + timedelta(days=5), before)
    _start(session, admin, reg, today=began)
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    session.expire_all()
    moved = session.get(AssessmentPlan, plan.id)
    assert moved.due_on == TODAY + timedelta(days=35)  # moved on by the whole break
    assert moved.due_chosen_on == before  # the assessor chose it then, not the break's end
    # a second break moves it on by the whole of that one too: the first move was no choice
    _start(session, admin, reg, today=TODAY - timedelta(days=4))
    session.commit()
    breaks.end_break(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    session.expire_all()
    moved = session.get(AssessmentPlan, plan.id)
    assert (moved.due_on, moved.due_chosen_on) == (TODAY + timedelta(days=39), before)


def test_a_learner_on_a_break_is_not_said_to_fall_behind_plan_while_away(session, case) -> None:
    """Red/amber/green is judged on the day the break began while it lasts: a learner on
    maternity leave read "Red: behind plan" on their progress page, as the days away counted
    as time they should have been working (their planned end moves on only when they return)."""
    from mappings.assessment.standing import learner_standings

    learner, _assessor, admin, reg = case
    later = TODAY + timedelta(days=100)  # elapsed 160 of 360 days, nothing met: red
    assert [s.rag for s in learner_standings(session, learner.id, later)] == ["red"]
    _start(session, admin, reg, today=TODAY)  # 60 of 360 days had passed: amber then
    session.commit()
    assert [s.rag for s in learner_standings(session, learner.id, later)] == ["amber"]
    assert [s.rag for s in learner_standings(session, learner.id, TODAY)] == ["amber"]
