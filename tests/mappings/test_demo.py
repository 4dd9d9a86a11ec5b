"""Demo assessments: realistic states for each demo learner, made through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import select

from demo.accounts import load_demo
from demo.assessments import add_demo_assessments
from demo.plans import PLANS, add_demo_plans
from mappings.assessment import plan_reads
from mappings.assessment.models import AssessmentPlan, Claim, Decision, SignOff
from mappings.assessment.signoff import frozen_evidence_intact
from mappings.assessment.standing import load_standings, registrations_of_learner
from portfolio.models import AuditEntry, Evidence, Person
from portfolio.models.base import utcnow
from portfolio.services.people import Actor


def _counts(session) -> dict[str, int]:
    return {
        table.__name__: session.exec(select(func.count()).select_from(table)).one()
        for table in (Evidence, Claim, Decision, SignOff, AuditEntry)
    }


def _standing(session, email):
    person = session.exec(select(Person).where(Person.email == email)).one()
    (standing,) = load_standings(session, registrations_of_learner(session, person.id))
    return standing


def test_demo_assessments_give_each_learner_a_realistic_state_and_are_idempotent(
    session,
) -> None:
    load_demo(session)
    report = add_demo_assessments(session)
    session.commit()
    assert "SE03 signed off for learner1@example.org" in report.text()

    first = _standing(session, "learner1@example.org")
    info, se03 = first.standard("SE03")
    assert se03.complete and info.signoff is not None
    assert frozen_evidence_intact(session, info.signoff.id) == []
    # signed on the learner's own declaration, with its wording, and the assessor's
    assert info.signoff.learner_id == first.learner.id and info.signoff.learner_declaration_id
    assert info.signoff.learner_wording.startswith("I declare that the evidence listed for SE03")
    assert info.signoff.assessor_wording.startswith("I confirm that I have judged")
    se01_info, se01 = first.standard("SE01")
    assert se01_info.signoff is None and 0 < se01.met < se01.total
    assert se01.referred >= 1
    referrals = session.exec(
        select(Decision)
        .join(Claim, Claim.id == Decision.claim_id)
        .join(Evidence, Evidence.id == Claim.evidence_id)
        .where(Evidence.learner_id == first.learner.id, Decision.new_status == "referred")
    ).all()
    assert referrals and all(d.feedback for d in referrals)

    second = _standing(session, "learner2@example.org")
    assert 0 < second.met < second.total
    assert sum(s.awaiting for s in second.coverage.standards) >= 3
    assert all(i.signoff is None for i in second.standards)

    third = session.exec(select(Person).where(Person.email == "learner3@example.org")).one()
    statuses = session.exec(select(Evidence.status).where(Evidence.learner_id == third.id)).all()
    assert statuses.count("draft") == 2
    assert _standing(session, "learner3@example.org").met == 0

    fourth = session.exec(select(Person).where(Person.email == "learner4@example.org")).one()
    assert session.exec(select(Evidence).where(Evidence.learner_id == fourth.id)).all() == []

    kinds = set(session.exec(select(Evidence.kind)).all())
    assert {
        "reflective_account",
        "star_narrative",
        "witness_testimony",
        "observation_record",
        "professional_discussion",
        "product",
    } <= kinds

    before = _counts(session)
    again = add_demo_assessments(session)
    assert again.created == [] and "nothing changed" in again.text()
    assert _counts(session) == before


def test_demo_command_adds_the_assessments(cli) -> None:
    first = cli("demo")
    assert first.exit_code == 0, first.output
    assert "Demo assessments:" in first.output
    assert (
        "Demo assessment plans: 3 plans for learner2@example.org; 1 plan for learner3@example.org; "
        "1 plan for learner5@example.org" in first.output
    )
    second = cli("demo")
    assert "Demo assessments were already loaded; nothing changed." in second.output
    assert "Demo assessment plans were already loaded; nothing changed." in second.output


def test_demo_plans_show_an_open_an_overdue_and_a_submitted_plan_once(session) -> None:
    load_demo(session)
    add_demo_assessments(session)
    report = add_demo_plans(session)
    session.commit()
    assert "3 plans for learner2@example.org" in report.text()
    states, kinds = {}, {}
    for email in ("learner2@example.org", "learner3@example.org"):
        person = session.exec(select(Person).where(Person.email == email)).one()
        for row in plan_reads.open_plans(session, person.id, date.today())[0]:
            states[row.title] = row.state.label
            kinds[row.title] = row.evidence_kind
    assert states == {
        "Reflect on your next job-match visit": "Open",
        "Ask your employer contact for a witness testimony": "Overdue",
        "Observation: your next vocational profiling session": "Open",
        "Reflect on your first supervision": "Evidence submitted",
    }
    # each asks for the kind of evidence its words ask for
    assert kinds == {
        "Reflect on your next job-match visit": "reflective_account",
        "Ask your employer contact for a witness testimony": "witness_testimony",
        "Observation: your next vocational profiling session": "observation_record",
        "Reflect on your first supervision": "reflective_account",
    }
    count = session.exec(select(func.count()).select_from(AssessmentPlan)).one()
    again = add_demo_plans(session)
    assert again.created == [] and "nothing changed" in again.text()
    assert (
        session.exec(select(func.count()).select_from(AssessmentPlan)).one() == count == 5
    )  # learner5's, paused by her break: tests/demo


def test_a_demo_plan_offers_assessor1_the_observation_record_it_asks_for(session) -> None:
    """learner2's plan asking for an observation record: its page offers their assessor,
    assessor1, "Write the observation record for this plan"; the learner reads that the
    assessor writes it."""
    load_demo(session)
    add_demo_assessments(session)
    add_demo_plans(session)
    session.commit()
    learner = session.exec(select(Person).where(Person.email == "learner2@example.org")).one()
    assessor = session.exec(select(Person).where(Person.email == "assessor1@example.org")).one()
    (plan_id,) = session.exec(
        select(AssessmentPlan.id).where(
            AssessmentPlan.learner_id == learner.id,
            AssessmentPlan.evidence_kind == "observation_record",
        )
    ).all()
    shown = plan_reads.plan_page(
        session, actor=Actor.of(assessor), plan_id=plan_id, today=date.today()
    )
    assert shown.may_record and shown.evidence_kind_words == "Observation record"
    assert [(c.standard, c.code) for c in shown.criteria] == [("SE04", "P1"), ("SE04", "P5")]
    own = plan_reads.plan_page(
        session, actor=Actor.of(learner), plan_id=plan_id, today=date.today()
    )
    assert not own.may_record


def test_demo_plans_were_set_the_days_ago_the_demo_says(session) -> None:
    """A plan's page says "Set by … on <day>": the demo's plans were set when their data says
    (set_days_ago), not all at the moment the demo ran, so the overdue plan was set five weeks
    ago and reads so; never changed since, each was last changed when set."""
    load_demo(session)
    add_demo_assessments(session)
    add_demo_plans(session)
    session.commit()
    now = utcnow()
    wanted = {p.title: p.set_days_ago for plans in PLANS.values() for p in plans}
    rows = session.exec(select(AssessmentPlan)).all()
    assert {row.title for row in rows} == set(wanted)
    for row in rows:
        assert row.set_at.date() == (now - timedelta(days=wanted[row.title])).date(), row.title
        assert row.updated_at == row.set_at, row.title
