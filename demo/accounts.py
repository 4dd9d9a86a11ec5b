"""Demo data: the sample framework and accounts a new user can log in with at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

from sqlmodel import Session, select

from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkSpec
from portfolio.models import Cohort, Person, Registration
from portfolio.services import frameworks, people, registrations
from portfolio.services.people import SYSTEM
from portfolio.services.registration_dates import default_planned_end
from portfolio.words import role_words

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the demo accounts only
SAMPLE = "supported-employment-nos.txt"
# The sample's own vocabulary for the suggestion engine (mappings/engine/vocabulary.py): data that
# belongs to this framework, imported with it.
SAMPLE_VOCABULARY = "supported-employment-vocabulary.txt"

# email, name, roles, site, assessor status
ACCOUNTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("admin@example.org", "Alex Admin", "admin", "Main site", "standard"),
    ("assessor1@example.org", "Asha Assessor", "assessor", "Main site", "standard"),
    ("assessor2@example.org", "Ben Assessor", "assessor", "North site", "new"),
    ("iqa@example.org", "Iris Quality", "iqa,assessor", "Main site", "standard"),
    ("learner1@example.org", "Lena Learner", "learner", "Main site", "standard"),
    ("learner2@example.org", "Leo Learner", "learner", "Main site", "standard"),
    ("learner3@example.org", "Lily Learner", "learner", "North site", "standard"),
    ("learner4@example.org", "Luca Learner", "learner", "North site", "standard"),
    ("learner5@example.org", "Lara Learner", "learner", "North site", "standard"),
    ("learner6@example.org", "Liam Learner", "learner", "Main site", "standard"),
    ("eqa@example.org", "Evan External", "eqa", "Main site", "standard"),
)
# learner email -> (cohort, assessor email, standards, weeks since start)
REGISTRATIONS = {
    "learner1@example.org": (
        "2026 Job coaches A",
        "assessor1@example.org",
        "SE01,SE03,SE04,SE07",
        40,
    ),
    "learner2@example.org": ("2026 Job coaches A", "assessor1@example.org", "SE01,SE04,SE06", 20),
    "learner3@example.org": ("2026 Job coaches B", "assessor2@example.org", "SE02,SE05,SE08", 8),
    "learner4@example.org": ("2026 Job coaches B", "assessor2@example.org", "SE01,SE03", 1),
    # on a break in learning, and completed (the two smallest standards): demo/states.py
    "learner5@example.org": ("2026 Job coaches B", "assessor2@example.org", "SE02,SE05", 16),
    "learner6@example.org": ("2026 Job coaches A", "assessor1@example.org", "SE03,SE05", 44),
}


@dataclass
class DemoReport:
    framework: str
    created: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [
            f"Sample framework: {self.framework}",
            "",
            "Demo log-ins (password for all: " + DEMO_PASSWORD + "):",
        ]
        for email, name, roles, _site, _status in ACCOUNTS:
            lines.append(f"  {email:<26} {name:<16} {role_words(roles)}")
        if self.created:
            lines.append("")
            lines.append("Created: " + ", ".join(self.created))
        else:
            lines.append("")
            lines.append("Demo data was already loaded; nothing changed.")
        return "\n".join(lines)


def sample_framework_text() -> str:
    return resources.files("demo").joinpath("data", SAMPLE).read_text("utf-8")


def sample_vocabulary_text() -> str:
    return resources.files("demo").joinpath("data", SAMPLE_VOCABULARY).read_text("utf-8")


def sample_spec() -> FrameworkSpec:
    """The sample framework as imported: its NOS text with its vocabulary."""
    spec = parse_nos_text(sample_framework_text(), source=SAMPLE)
    spec.vocabulary = sample_vocabulary_text()
    return spec


def load_demo(session: Session) -> DemoReport:
    spec = sample_spec()
    result = frameworks.import_framework(session, actor=SYSTEM, spec=spec)
    report = DemoReport(framework=f"{spec.title} ({spec.code} v{result.version})")
    if result.status == "created":
        report.created.append("sample framework")
    framework_id = result.framework_id
    assert framework_id is not None

    by_email: dict[str, Person] = {}
    for email, name, roles, site, status in ACCOUNTS:
        person = session.exec(select(Person).where(Person.email == email)).first()
        if person is None:
            person = people.create_person(
                session,
                actor=SYSTEM,
                name=name,
                email=email,
                roles=roles,
                password=DEMO_PASSWORD,
                site=site,
            )
            person.assessor_status = status
            report.created.append(email)
        by_email[email] = person

    iqa = by_email["iqa@example.org"]
    today = date.today()
    for email, (cohort_name, assessor_email, codes, weeks) in REGISTRATIONS.items():
        learner = by_email[email]
        existing = session.exec(
            select(Registration).where(
                Registration.learner_id == learner.id, Registration.framework_id == framework_id
            )
        ).first()
        if existing is not None:
            continue
        cohort = _cohort(session, cohort_name, learner.site)
        start = today - timedelta(weeks=weeks)
        register_learner(
            session,
            learner_id=learner.id or 0,
            framework_id=framework_id,
            codes=codes.split(","),
            assessor_id=by_email[assessor_email].id,
            iqa_id=iqa.id,
            cohort_id=cohort.id,
            start=start,
            planned_end=default_planned_end(start),
        )
        report.created.append(f"registration of {email}")
    return report


def _cohort(session: Session, name: str, site: str) -> Cohort:
    cohort = session.exec(select(Cohort).where(Cohort.name == name)).first()
    if cohort is None:
        cohort = Cohort(name=name, site=site)
        session.add(cohort)
        session.flush()
    return cohort


def register_learner(
    session: Session,
    *,
    learner_id: int,
    framework_id: int,
    codes: list[str],
    assessor_id: int | None,
    iqa_id: int | None,
    cohort_id: int | None,
    start: date,
    planned_end: date,
) -> Registration:
    """Register a learner as the system (checked like any registration)."""
    return registrations.register(
        session,
        actor=SYSTEM,
        learner_id=learner_id,
        framework_id=framework_id,
        standard_codes=codes,
        assessor_id=assessor_id,
        iqa_id=iqa_id,
        cohort_id=cohort_id,
        start_date=start,
        planned_end=planned_end,
    )
