"""Demo quality assurance: an IQA cycle planned over the demo decisions, one sample reviewed
with an action for the assessor, and the demo EQA's live read-only grant to the cycle, so every
QA page has something to show (idempotent: nothing is added when the cycle exists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from mappings.quality.cycles import create_cycle
from mappings.quality.eqa import grant_eqa
from mappings.quality.models import Sample, SamplingCycle
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from portfolio.models import Person
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_end, day_words

CYCLE_NAME = "Demo IQA cycle"
IQA_EMAIL = "iqa@example.org"
EQA_EMAIL = "eqa@example.org"
ADMIN_EMAIL = "admin@example.org"
GRANT_DAYS = 60


@dataclass
class DemoQuality:
    created: list[str] = field(default_factory=list)

    def text(self) -> str:
        if not self.created:
            return "Demo quality assurance was already loaded; nothing changed."
        return "Demo quality assurance: " + "; ".join(self.created)


def _person(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email)).first()


def add_demo_quality(
    session: Session, *, today: date | None = None, zone: ZoneInfo = CENTRE
) -> DemoQuality:
    """Plan the demo cycle, review its first sample and grant the demo EQA access to it."""
    today = today or date.today()
    report = DemoQuality()
    iqa, eqa, admin = (_person(session, e) for e in (IQA_EMAIL, EQA_EMAIL, ADMIN_EMAIL))
    if iqa is None or eqa is None or admin is None:
        return report
    if session.exec(select(SamplingCycle).where(SamplingCycle.name == CYCLE_NAME)).first():
        return report
    me = Actor.of(iqa)
    cycle = create_cycle(
        session,
        actor=me,
        name=CYCLE_NAME,
        start=today - timedelta(days=365),
        end=today,
        seed=1,
        zone=zone,
    )
    planned = plan_cycle(session, actor=me, cycle_id=cycle.id or 0)
    report.created.append(f"cycle “{CYCLE_NAME}” with {len(planned.plan.samples)} samples")
    first = session.exec(
        select(Sample).where(Sample.cycle_id == cycle.id).order_by(col(Sample.position))
    ).first()
    if first is not None:
        view = sample_view(session, actor=me, sample_id=first.id or 0)
        review_sample(
            session,
            actor=me,
            sample_id=first.id or 0,
            outcome="agree",
            feedback="Decisions are sound and the feedback to the learner is clear.",
            checks={d.id: (True, "") for d in view.decisions},
            actions=[("Date every observation record you write", today + timedelta(days=14))],
            today=today,
        )
        report.created.append("one sample reviewed with an action for the assessor")
    last_day = today + timedelta(days=GRANT_DAYS)
    grant_eqa(
        session,
        actor=Actor.of(admin),
        person_id=eqa.id or 0,
        cycle_id=cycle.id or 0,
        expires_at=day_end(last_day, zone),
        zone=zone,
    )
    report.created.append(f"read-only access for {EQA_EMAIL} until {day_words(last_day)}")
    session.flush()
    return report
