"""The demo's learner on a break in learning and its completed registration: made through the
real services (so audited as real use), shown on the pages a new user explores, loaded once."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from demo.accounts import DEMO_PASSWORD, load_demo
from demo.assessments import add_demo_assessments
from demo.plans import add_demo_plans
from demo.quality import add_demo_quality
from demo.states import (
    BREAK_EMAIL,
    COMPLETED_EMAIL,
    COMPLETED_REF,
    COMPLETED_ULN,
    add_demo_states,
)
from exports.signoff_view import signoff_view
from mappings.assessment.completion import completed
from mappings.assessment.models import Claim, Decision, LearnerDeclaration, SignOff
from mappings.assessment.standing import load_standings, registrations_of_learner
from mappings.quality.models import Sample
from portfolio.models import AuditEntry, Criterion, Evidence, Person, Registration
from portfolio.words import day_words


def _person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def _registration(session: Session, email: str) -> Registration:
    (reg_id,) = registrations_of_learner(session, _person(session, email).id or 0)
    reg = session.get(Registration, reg_id)
    assert reg is not None
    return reg


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def _load(session: Session) -> None:
    load_demo(session)
    add_demo_assessments(session)
    add_demo_plans(session)
    add_demo_quality(session)


def test_a_demo_learner_is_on_a_break_recorded_by_an_administrator(session: Session) -> None:
    _load(session)
    report = add_demo_states(session)
    session.commit()
    today = date.today()
    reg = _registration(session, BREAK_EMAIL)
    assert reg.break_since is not None and reg.break_since < today
    assert reg.break_until is not None and reg.break_until > today
    assert reg.break_reason and reg.withdrawn_at is None
    (entry,) = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "registration.break_start", AuditEntry.subject_id == reg.id
        )
    ).all()
    assert entry.actor_id == _person(session, "admin@example.org").id
    assert entry.data["until"] == reg.break_until.isoformat()
    assert f"on a break for {BREAK_EMAIL} since {day_words(reg.break_since)}" in report.text()


def test_a_demo_learner_completed_every_standard_signed_off_by_their_assessor(
    session: Session,
) -> None:
    _load(session)
    samples = _count(session, Sample)
    report = add_demo_states(session)
    session.commit()
    learner = _person(session, COMPLETED_EMAIL)
    reg = _registration(session, COMPLETED_EMAIL)
    (standing,) = load_standings(session, [reg.id or 0])
    assert completed(standing) == date.today()
    assert [i.code for i in standing.standards] == ["SE03", "SE05"]
    assessor = _person(session, "assessor1@example.org")
    assert reg.assessor_id == assessor.id
    for info in standing.standards:
        assert info.signoff is not None and info.signoff.assessor_id == assessor.id
        assert info.signoff.learner_declaration_id is not None
    # every claim the sign-offs rest on was accepted by the assessor with a method that counts
    rows = session.exec(
        select(Claim, Criterion.kind)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .where(Evidence.learner_id == learner.id)
    ).all()
    assert rows and all(c.status == "accepted" for c, _ in rows)
    assert all(c.method in {"O", "WT", "P"} for c, kind in rows if kind == "performance")
    decided = session.exec(
        select(Decision).where(col(Decision.claim_id).in_([c.id for c, _ in rows]))
    ).all()
    assert {d.actor_id for d in decided} == {assessor.id}
    declared = session.exec(
        select(LearnerDeclaration).where(LearnerDeclaration.registration_id == reg.id)
    ).all()
    assert len(declared) == 2
    assert f"SE03, SE05 signed off for {COMPLETED_EMAIL}" in report.text()
    # planned after the demo's IQA cycle: its samples are those it had before
    assert _count(session, Sample) == samples


def test_the_states_show_on_the_caseload_and_the_learners_home(session: Session, client) -> None:
    _load(session)
    add_demo_states(session)
    session.commit()

    def login(email: str) -> None:
        client.post("/logout")
        answer = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert answer.status_code == 302, answer.get_data(as_text=True)

    def text(path: str) -> str:
        page = client.get(path)
        assert page.status_code == 200, path
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))

    login("assessor1@example.org")
    assert re.search(r"Liam Learner .*Completed on ", text("/caseload?show=finished"))
    login(COMPLETED_EMAIL)
    assert "You completed Supported Employment" in text("/")
    login("assessor2@example.org")
    assert "On a break since" in text("/caseload")
    login(BREAK_EMAIL)
    home = text("/")
    assert "your registration is on a break since" in home
    assert "expected back by" in home
    # her plan, set before the break and due a week ago, during it: paused, not overdue
    due = day_words(date.today() - timedelta(days=7))
    assert f"Reflect on a job carving conversation : Open , due {due}; paused: on a break" in home
    assert "Overdue" not in home


def test_the_completed_learners_records_say_his_numbers(session: Session) -> None:
    """A new user sees the numbers an awarding body knows a learner by on a sign-off record."""
    _load(session)
    add_demo_states(session)
    session.commit()
    liam = session.exec(select(Person).where(Person.email == COMPLETED_EMAIL)).one()
    [reg_id] = registrations_of_learner(session, liam.id)
    view = signoff_view(session, registration_id=reg_id, standard_code="SE03", centre="Demo")
    assert (view.uln, view.awarding_body_ref) == (COMPLETED_ULN, COMPLETED_REF)


def test_the_demo_states_load_once(session: Session) -> None:
    _load(session)
    add_demo_states(session)
    session.commit()
    tables = (Evidence, Claim, Decision, SignOff, LearnerDeclaration, AuditEntry)
    before = {t: _count(session, t) for t in tables}
    again = add_demo_states(session)
    assert again.created == [] and "nothing changed" in again.text()
    assert {t: _count(session, t) for t in tables} == before


def test_the_demo_command_prints_the_new_log_ins_and_states(cli) -> None:
    first = cli("demo")
    assert first.exit_code == 0, first.output
    assert re.search(r"learner5@example.org +Lara Learner +Learner", first.output)
    assert re.search(r"learner6@example.org +Liam Learner +Learner", first.output)
    assert "Demo states: " in first.output
    second = cli("demo")
    assert "Demo states were already loaded; nothing changed." in second.output


def test_the_demo_log_ins_say_each_persons_roles_in_words(session: Session) -> None:
    """The log-ins `make run` prints name roles as the pages do, not as codes ("iqa,assessor")."""
    lines = load_demo(session).text().splitlines()
    said = {line.split()[0]: line for line in lines if "@example.org " in line}
    assert said["iqa@example.org"].endswith("Internal quality assurer, assessor")
    assert said["admin@example.org"].endswith("Administrator")
    assert said["eqa@example.org"].endswith("External quality assurer")
    assert not any(line.endswith((" admin", " iqa,assessor", " eqa")) for line in said.values())
