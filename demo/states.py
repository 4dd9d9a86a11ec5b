"""Demo states a new user would not otherwise see: a learner on a break in learning and a
completed registration.

* learner5 (Lara Learner): the administrator put her registration on a break three weeks ago
  (maternity leave), expected back in about six months (:mod:`portfolio.services.breaks`);
* learner6 (Liam Learner): registered on SE03 and SE05 (the sample's two smallest standards),
  every claim accepted by assessor1 with a method that counts under the rules, each standard
  declared by him and signed off by assessor1 today, so the registration is completed
  (:mod:`mappings.assessment.completion`); his evidence is data, ``demo/data/completed.toml``.
  The administrator gave his unique learner number and his registration's awarding body number,
  which his sign-off records say (:mod:`portfolio.services.learner_numbers`).

Everything goes through the real services, so the audit trail records it as real use. Run after
:func:`demo.quality.add_demo_quality`: the demo's IQA cycle was planned before these, and its
samples stay those of the other learners. Idempotent: a break once started (even if since
ended) is not started again, and a learner who has evidence is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from demo.assessments import add_demo_assessments
from mappings.assessment.standing import registrations_of_learner
from portfolio.models import AuditEntry, Person
from portfolio.services import learner_numbers
from portfolio.services.breaks import start_break
from portfolio.services.people import Actor
from portfolio.words import day_words

ADMIN_EMAIL = "admin@example.org"
BREAK_EMAIL = "learner5@example.org"
BREAK_REASON = "Maternity leave"
BREAK_DAYS_AGO = 21
BREAK_WEEKS_AWAY = 26  # expected back about six months after the break began
COMPLETED_EMAIL = "learner6@example.org"
COMPLETED_DATA = "completed.toml"
COMPLETED_ULN = "1234567899"  # made up, with a check digit that checks; not a real learner's
COMPLETED_REF = "DEMO/2026/0006"  # the awarding body's number for his registration


@dataclass
class DemoStates:
    created: list[str] = field(default_factory=list)

    def text(self) -> str:
        if not self.created:
            return "Demo states were already loaded; nothing changed."
        return "Demo states: " + "; ".join(self.created)


def _person(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email)).first()


def add_demo_states(session: Session, *, today: date | None = None) -> DemoStates:
    """Put the demo's learner on a break and complete the other's registration (idempotent)."""
    today = today or date.today()
    report = DemoStates()
    on_break = _start_break(session, today)
    if on_break:
        report.created.append(on_break)
    completion = add_demo_assessments(session, today=today, data=COMPLETED_DATA)
    report.created.extend(completion.created)
    numbered = _give_numbers(session)
    if numbered:
        report.created.append(numbered)
    session.flush()
    return report


def _start_break(session: Session, today: date) -> str:
    """The break of learner5's registration, begun three weeks ago by the administrator."""
    learner, admin = _person(session, BREAK_EMAIL), _person(session, ADMIN_EMAIL)
    if learner is None or admin is None:
        return ""
    reg_ids = registrations_of_learner(session, learner.id or 0)
    if not reg_ids:
        return ""
    started = session.exec(
        select(AuditEntry.id).where(
            AuditEntry.action == "registration.break_start",
            AuditEntry.subject_type == "registration",
            AuditEntry.subject_id == reg_ids[0],
        )
    ).first()
    if started is not None:
        return ""
    since = today - timedelta(days=BREAK_DAYS_AGO)
    start_break(
        session,
        actor=Actor.of(admin),
        registration_id=reg_ids[0],
        reason=BREAK_REASON,
        until=since + timedelta(weeks=BREAK_WEEKS_AWAY),
        today=since,
    )
    return f"on a break for {BREAK_EMAIL} since {day_words(since)}"


def _give_numbers(session: Session) -> str:
    """learner6's ULN and his registration's awarding body number, given by the administrator
    (once: a learner who has a ULN is left alone)."""
    learner, admin = _person(session, COMPLETED_EMAIL), _person(session, ADMIN_EMAIL)
    if learner is None or admin is None or learner.uln is not None:
        return ""
    reg_ids = registrations_of_learner(session, learner.id or 0)
    if not reg_ids:
        return ""
    actor = Actor.of(admin)
    learner_numbers.set_uln(session, actor=actor, person_id=learner.id or 0, uln=COMPLETED_ULN)
    learner_numbers.set_awarding_ref(
        session, actor=actor, registration_id=reg_ids[0], ref=COMPLETED_REF
    )
    return f"ULN {COMPLETED_ULN} and awarding body number {COMPLETED_REF} for {COMPLETED_EMAIL}"
