"""Assessment plans: who sets, changes, ends and reads them, what is refused, and their state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from mappings.assessment import plan_reads, plan_writing, plans
from mappings.assessment.models import AssessmentPlan, AssessmentPlanCriterion
from mappings.assessment.plan_state import state_of
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Criterion, Standard
from portfolio.services import withdrawals
from tests.conftest import actor_of
from tests.mappings.test_iqa_web import planned  # noqa: F401

TODAY = date(2026, 12, 6)


@pytest.fixture
def case(session, make_person, make_registration):
    learner, assessor, iqa = make_person("learner"), make_person("assessor"), make_person("iqa")
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01,SE03")
    people = {
        "learner": learner,
        "assessor": assessor,
        "iqa": iqa,
        "admin": make_person("admin"),
        "other_learner": make_person("learner"),
        "other_assessor": make_person("assessor"),
    }
    session.commit()
    return reg, people


def _criteria(session, code: str, *numbers: str) -> list[int]:
    return list(
        session.exec(
            select(Criterion.id)
            .join(Standard, col(Standard.id) == Criterion.standard_id)
            .where(Standard.code == code, col(Criterion.code).in_(numbers))
        ).all()
    )


def _set(session, reg, person, **changes):
    values = {
        "title": "Reflect on your last job-match visit",
        "body": "Write a **reflective account** of the visit.",
        "criterion_ids": _criteria(session, "SE03", "P4", "P5", "P6", "P7"),
        "due_on": TODAY + timedelta(days=14),
        "today": TODAY,
    }
    values.update(changes)
    return plans.set_plan(session, actor=actor_of(person), registration_id=reg.id, **values)


def _edit(session, plan, person, **changes):
    values = {
        "title": "Changed",
        "body": "Changed",
        "criterion_ids": _criteria(session, "SE03", "P4"),
        "due_on": TODAY + timedelta(days=3),
        "evidence_kind": None,
        "today": TODAY,
    }
    values.update(changes)
    return plans.edit_plan(session, actor=actor_of(person), plan_id=plan.id, **values)


def _audits(session, action: str) -> int:
    return len(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_the_allocated_assessor_sets_a_plan_with_one_audit_entry(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    assert plan.status == "open" and plan.learner_id == people["learner"].id
    stored = session.exec(
        select(AssessmentPlanCriterion).where(AssessmentPlanCriterion.plan_id == plan.id)
    ).all()
    assert len(stored) == 4
    assert _audits(session, "plan.set") == 1


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("learner", PermissionDenied),
        ("iqa", PermissionDenied),
        ("admin", PermissionDenied),
        ("other_assessor", NotFound),
        ("other_learner", NotFound),
    ],
)
def test_only_the_allocated_assessor_sets_edits_and_ends_plans(session, case, who, error) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    actor = actor_of(people[who])
    with pytest.raises(error):
        _set(session, reg, people[who])
    with pytest.raises(error):
        _edit(session, plan, people[who], due_on=TODAY)
    with pytest.raises(error):
        plans.mark_done(session, actor=actor, plan_id=plan.id)
    with pytest.raises(error):
        plans.close_plan(session, actor=actor, plan_id=plan.id, reason="No longer needed")
    session.rollback()
    kept = session.get(AssessmentPlan, plan.id)
    assert kept.status == "open" and kept.title == "Reflect on your last job-match visit"
    assert len(session.exec(select(AssessmentPlan)).all()) == 1


@pytest.mark.parametrize(
    ("who", "reads"),
    [
        ("learner", True),
        ("assessor", True),
        ("iqa", True),
        ("admin", True),
        ("other_assessor", False),
        ("other_learner", False),
    ],
)
def test_who_reads_plans(session, case, who, reads) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    actor = actor_of(people[who])
    if reads:
        page = plan_reads.plan_page(session, actor=actor, plan_id=plan.id, today=TODAY)
        assert page.title == plan.title and [c.code for c in page.criteria] == [
            "P4",
            "P5",
            "P6",
            "P7",
        ]
        assert page.may_assess == (who == "assessor")
        assert page.may_write == (who == "learner")
        listed = plan_reads.plans_of(
            session, actor=actor, learner_id=people["learner"].id, today=TODAY
        )
        assert [p.id for p in listed] == [plan.id]
    else:
        with pytest.raises(NotFound):
            plan_reads.plan_page(session, actor=actor, plan_id=plan.id, today=TODAY)
        with pytest.raises(NotFound):
            plan_reads.plans_of(session, actor=actor, learner_id=people["learner"].id, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "  "}, "title", "Give the plan a title"),
        ({"title": "x" * 201}, "title", "200 characters"),
        ({"body": "\n"}, "body", "Say what the learner should do"),
        ({"due_on": None}, "due_on", "Give the date"),
        ({"due_on": TODAY - timedelta(days=1)}, "due_on", "cannot be in the past"),
        ({"due_on": date(2062, 1, 1)}, "due_on", "check the year"),
        ({"criterion_ids": []}, "criteria", "Tick the criteria"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    session, case, changes, field, words
) -> None:
    reg, people = case
    with pytest.raises(Invalid) as refused:
        _set(session, reg, people["assessor"], **changes)
    assert refused.value.field == field and words in str(refused.value)
    session.rollback()
    assert session.exec(select(AssessmentPlan)).all() == []
    assert _audits(session, "plan.set") == 0


def test_criteria_not_on_the_registration_are_refused(session, case) -> None:
    reg, people = case
    outside = _criteria(session, "SE04", "P1")  # SE04 is not on this registration
    with pytest.raises(Invalid, match="only target criteria of the learner's standards"):
        _set(session, reg, people["assessor"], criterion_ids=outside)
    session.rollback()
    assert session.exec(select(AssessmentPlan)).all() == []


def test_a_refused_edit_loses_nothing(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    with pytest.raises(Invalid):
        _edit(session, plan, people["assessor"], criterion_ids=_criteria(session, "SE04", "P1"))
    session.rollback()
    kept = session.get(AssessmentPlan, plan.id)
    assert kept.title.startswith("Reflect") and kept.due_on == TODAY + timedelta(days=14)
    assert len(plan_reads.criterion_ids_of(session, plan.id)) == 4


def test_the_assessor_edits_an_open_plan(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    session.commit()
    plans.edit_plan(
        session,
        actor=actor_of(people["assessor"]),
        plan_id=plan.id,
        title="Reflect on two visits",
        body="Two visits this time.",
        criterion_ids=_criteria(session, "SE01", "P1"),
        due_on=TODAY + timedelta(days=20),
        evidence_kind=None,
        today=TODAY,
    )
    session.commit()
    page = plan_reads.plan_page(
        session, actor=actor_of(people["learner"]), plan_id=plan.id, today=TODAY
    )
    assert page.title == "Reflect on two visits"
    assert [(c.standard, c.code) for c in page.criteria] == [("SE01", "P1")]
    assert _audits(session, "plan.edit") == 1


def test_a_withdrawn_registration_takes_no_plan(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    withdrawals.withdraw(
        session,
        actor=actor_of(people["admin"]),
        registration_id=reg.id,
        on=date.today(),
        reason="Moved away",
    )
    session.commit()
    with pytest.raises(Invalid, match="withdrew from .* no plan is set"):
        _set(session, reg, people["assessor"])
    with pytest.raises(Invalid, match="withdrew"):
        _edit(session, plan, people["assessor"])
    session.rollback()
    assert len(session.exec(select(AssessmentPlan)).all()) == 1
    # an open plan may still be closed, saying why
    plans.close_plan(
        session, actor=actor_of(people["assessor"]), plan_id=plan.id, reason="Learner left"
    )
    assert session.get(AssessmentPlan, plan.id).status == "closed"


def test_done_and_closed_plans_end_once(session, case) -> None:
    reg, people = case
    assessor = actor_of(people["assessor"])
    one, two = _set(session, reg, people["assessor"]), _set(session, reg, people["assessor"])
    plans.mark_done(session, actor=assessor, plan_id=one.id)
    with pytest.raises(Invalid, match="Say why"):
        plans.close_plan(session, actor=assessor, plan_id=two.id, reason=" ")
    plans.close_plan(session, actor=assessor, plan_id=two.id, reason="Covered by observation")
    with pytest.raises(Invalid, match="already done"):
        plans.mark_done(session, actor=assessor, plan_id=one.id)
    with pytest.raises(Invalid, match="already closed"):
        plans.close_plan(session, actor=assessor, plan_id=two.id, reason="Again")
    rows = plan_reads.plans_of(
        session, actor=assessor, learner_id=people["learner"].id, today=TODAY
    )
    assert {r.state.label for r in rows} == {"Done", "Closed"}
    assert _audits(session, "plan.done") == 1 and _audits(session, "plan.close") == 1


def test_the_learner_links_only_their_own_evidence_to_their_own_plan(
    session, case, make_evidence
) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"])
    mine = make_evidence(people["learner"], title="My visit", submit=False)
    theirs = make_evidence(people["other_learner"], title="Not mine", submit=False)
    session.commit()
    learner = actor_of(people["learner"])
    with pytest.raises(NotFound):
        plans.link_evidence(session, actor=learner, plan_id=plan.id, evidence_id=theirs.id)
    with pytest.raises(NotFound):
        plans.link_evidence(
            session, actor=actor_of(people["other_learner"]), plan_id=plan.id, evidence_id=theirs.id
        )
    with pytest.raises(NotFound):
        plans.link_evidence(
            session, actor=actor_of(people["assessor"]), plan_id=plan.id, evidence_id=mine.id
        )
    plans.link_evidence(session, actor=learner, plan_id=plan.id, evidence_id=mine.id)
    page = plan_reads.plan_page(session, actor=learner, plan_id=plan.id, today=TODAY)
    assert [e.title for e in page.evidence] == ["My visit"]
    assert page.state.key == "open"  # a draft is not yet submitted evidence


def test_the_allocated_assessor_links_a_record_they_wrote_to_an_open_plan(
    session, case, make_evidence
) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"], evidence_kind="observation_record")
    learner, assessor = people["learner"], people["assessor"]
    record = make_evidence(
        learner, kind="observation_record", title="Seen at the desk", author=assessor, submit=False
    )
    by_learner = make_evidence(learner, title="My visit", submit=False)
    # the assessor's plan, for writing: its criteria to tick; the IQA's and a stranger's: none
    shown = plan_writing.plan_for_writing(session, actor=actor_of(assessor), plan_id=plan.id)
    assert shown.open and shown.by_assessor and len(shown.criterion_ids) == 4
    for who in ("iqa", "other_assessor", "other_learner"):
        with pytest.raises(NotFound):
            plan_writing.plan_for_writing(session, actor=actor_of(people[who]), plan_id=plan.id)
    # only the allocated assessor, only a record they wrote for this learner
    with pytest.raises(NotFound):
        plans.link_evidence(
            session, actor=actor_of(assessor), plan_id=plan.id, evidence_id=by_learner.id
        )
    with pytest.raises(PermissionDenied, match="allocated assessor"):
        plans.link_evidence(
            session, actor=actor_of(people["iqa"]), plan_id=plan.id, evidence_id=record.id
        )
    with pytest.raises(NotFound):
        plans.link_evidence(
            session,
            actor=actor_of(people["other_assessor"]),
            plan_id=plan.id,
            evidence_id=record.id,
        )
    with pytest.raises(NotFound):  # the learner does not link the assessor's record
        plans.link_evidence(
            session, actor=actor_of(learner), plan_id=plan.id, evidence_id=record.id
        )
    before = _audits(session, "plan.link")
    plans.link_evidence(session, actor=actor_of(assessor), plan_id=plan.id, evidence_id=record.id)
    session.commit()
    assert _audits(session, "plan.link") == before + 1
    page = plan_reads.plan_page(session, actor=actor_of(assessor), plan_id=plan.id, today=TODAY)
    assert [e.title for e in page.evidence] == ["Seen at the desk"]
    # an ended plan takes no more
    other = make_evidence(
        learner, kind="professional_discussion", title="Talked", author=assessor, submit=False
    )
    plans.mark_done(session, actor=actor_of(assessor), plan_id=plan.id)
    with pytest.raises(Invalid, match="already done"):
        plans.link_evidence(
            session, actor=actor_of(assessor), plan_id=plan.id, evidence_id=other.id
        )


def test_state_follows_submission_and_due_date(session, case, make_evidence) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"], due_on=TODAY + timedelta(days=1))
    learner = actor_of(people["learner"])
    later = TODAY + timedelta(days=4)
    shown, more = plan_reads.open_plans(session, people["learner"].id, later)
    assert not more and shown[0].state.key == "overdue"
    assert shown[0].state.words == f"due {(TODAY + timedelta(days=1)).day} Dec 2026, 3 days late"
    item = make_evidence(people["learner"], title="Done it", submit=True)
    plans.link_evidence(session, actor=learner, plan_id=plan.id, evidence_id=item.id)
    shown, _ = plan_reads.open_plans(session, people["learner"].id, later)
    assert shown[0].state.label == "Evidence submitted"


def test_home_lists_open_plans_soonest_due_first_and_says_when_there_are_more(
    session, case
) -> None:
    reg, people = case
    days = [9, 3, 7, 1, 5, 2, 8]
    for d in days:
        _set(session, reg, people["assessor"], title=f"Due in {d}", due_on=TODAY + timedelta(d))
    shown, more = plan_reads.open_plans(session, people["learner"].id, TODAY, limit=5)
    assert [p.title for p in shown] == [f"Due in {d}" for d in (1, 2, 3, 5, 7)]
    assert more


@pytest.mark.parametrize(
    ("status", "due", "submitted", "label", "words"),
    [
        ("open", date(2026, 12, 20), False, "Open", "due 20 Dec 2026"),
        ("open", date(2026, 12, 6), False, "Open", "due 6 Dec 2026, today"),
        ("open", date(2026, 12, 5), False, "Overdue", "due 5 Dec 2026, 1 day late"),
        ("open", date(2026, 12, 3), False, "Overdue", "due 3 Dec 2026, 3 days late"),
        ("open", date(2026, 12, 3), True, "Evidence submitted", "due 3 Dec 2026, 3 days late"),
        ("done", date(2026, 12, 3), False, "Done", "marked done by the assessor"),
        ("closed", date(2026, 12, 3), True, "Closed", "closed: Not needed"),
    ],
)
def test_state_words(status, due, submitted, label, words) -> None:
    state = state_of(status, due, submitted, TODAY, "Not needed")
    assert (state.label, state.words) == (label, words)


def test_an_eqa_with_access_reads_plans_and_sets_none(session, make_person, planned) -> None:  # noqa: F811
    from datetime import UTC, datetime

    from mappings.quality.eqa import grant_eqa
    from portfolio.models import Person, Registration

    centre, sample = planned
    reg = session.get(Registration, sample.registration_id)
    assessor = session.get(Person, reg.assessor_id)
    plan = _set(
        session,
        reg,
        assessor,
        criterion_ids=[plan_reads.targets_of(session, reg.id)[0].criterion_id],
        today=date.today(),
        due_on=date.today() + timedelta(days=7),
    )
    eqa = make_person("eqa")
    with pytest.raises(NotFound):  # no grant, no access
        plan_reads.plan_page(session, actor=actor_of(eqa), plan_id=plan.id, today=TODAY)
    grant_eqa(
        session,
        actor=actor_of(make_person("admin")),
        person_id=eqa.id,
        cycle_id=centre.cycle.id,
        expires_at=datetime.now(UTC) + timedelta(days=5),
    )
    session.commit()
    page = plan_reads.plan_page(session, actor=actor_of(eqa), plan_id=plan.id, today=TODAY)
    assert page.title == plan.title and not page.may_assess and not page.may_write
    with pytest.raises(PermissionDenied):
        plans.mark_done(session, actor=actor_of(eqa), plan_id=plan.id)
    with pytest.raises(PermissionDenied):
        _set(session, reg, eqa, today=date.today(), due_on=date.today() + timedelta(days=7))


@pytest.mark.parametrize("kind", ["witness_testimony", "observation_record", None])
def test_a_plan_keeps_the_kind_of_evidence_asked_for_and_its_audit_entry_says_it(
    session, case, kind
) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"], evidence_kind=kind)
    session.commit()
    assert session.get(AssessmentPlan, plan.id).evidence_kind == kind
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "plan.set")).one()
    assert entry.data["evidence_kind"] == kind
    page = plan_reads.plan_page(
        session, actor=actor_of(people["learner"]), plan_id=plan.id, today=TODAY
    )
    assert page.evidence_kind == kind
    assert page.evidence_kind_words == (
        {"witness_testimony": "Witness testimony", "observation_record": "Observation record"}.get(
            kind or "", "Any kind: the learner chooses"
        )
    )


def test_an_empty_kind_asks_for_any_kind(session, case) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"], evidence_kind="")
    session.commit()
    assert session.get(AssessmentPlan, plan.id).evidence_kind is None


@pytest.mark.parametrize("kind", ["essay", "Witness testimony", " product"])
def test_a_kind_not_known_is_refused_and_nothing_stored(session, case, kind) -> None:
    reg, people = case
    with pytest.raises(Invalid) as refused:
        _set(session, reg, people["assessor"], evidence_kind=kind)
    assert refused.value.field == "evidence_kind"
    assert "is not a kind of evidence" in str(refused.value)
    assert "Reflective account" in str(refused.value)  # the kinds it may be, in words
    session.rollback()
    assert session.exec(select(AssessmentPlan)).all() == []
    assert _audits(session, "plan.set") == 0


def test_an_edit_changes_the_kind_asked_for_and_a_kind_not_known_loses_nothing(
    session, case
) -> None:
    reg, people = case
    plan = _set(session, reg, people["assessor"], evidence_kind="reflective_account")
    session.commit()

    def edit(kind):
        _edit(
            session,
            plan,
            people["assessor"],
            criterion_ids=_criteria(session, "SE01", "P1"),
            evidence_kind=kind,
        )

    with pytest.raises(Invalid, match="is not a kind of evidence") as refused:
        edit("essay")
    assert refused.value.field == "evidence_kind"
    session.rollback()
    kept = session.get(AssessmentPlan, plan.id)
    assert kept.title.startswith("Reflect") and kept.evidence_kind == "reflective_account"
    assert _audits(session, "plan.edit") == 0
    edit("professional_discussion")
    session.commit()
    assert session.get(AssessmentPlan, plan.id).evidence_kind == "professional_discussion"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "plan.edit")).one()
    assert entry.data["evidence_kind"] == "professional_discussion"
    edit(None)
    session.commit()
    assert session.get(AssessmentPlan, plan.id).evidence_kind is None
