"""The people of a bundle: checked as any registration's are, and never given a role by it.

Its learner is found by e-mail (and must be a learner here) or created as a learner, whatever
roles the bundle states; anyone else a verified bundle names is recorded as a person with no
role who cannot log in, so that their decisions have an author (found again when an earlier
bundle recorded them; someone of this centre, with a role or a log-in, refuses the bundle). An unverified bundle
makes nobody but its learner (see :mod:`exports.bundle.restore`).
"""

from __future__ import annotations

from sqlmodel import Session, select

from exports.bundle.manifest import Manifest, PersonRecord
from portfolio.errors import Invalid
from portfolio.models.people import Person
from portfolio.services import audit, people
from portfolio.services.people import Actor


def check_people(manifest: Manifest) -> dict[str, str]:
    """Every person's e-mail and name, checked as a registration's are: e-mail -> name."""
    names: dict[str, str] = {}
    for entry in [manifest.learner, *manifest.people]:
        try:
            email = people.check_email(entry.email)
            names[email] = people.check_name(entry.name)
        except Invalid as exc:
            raise Invalid(
                f"Bundle refused: manifest.json, person “{entry.email[:80]}”: {exc} "
                "Nothing was imported."
            ) from None
    return names


def find_person(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email)).first()


def learner(
    session: Session, actor: Actor, entry: PersonRecord, names: dict[str, str]
) -> tuple[Person, bool]:
    """The bundle's learner here: (the person, whether created now)."""
    email = people.normalise_email(entry.email)
    found = find_person(session, email)
    if found is not None and not found.has_role("learner"):
        raise Invalid(
            f"Bundle refused: its learner {email} is someone here who is not a learner. "
            "Nothing was imported."
        )
    if found is not None:
        return found, False
    made = people.create_person(
        session,
        actor=actor,
        name=names[email],
        email=email,
        roles=["learner"],
        password=None,
        site=site(entry.site),
    )
    return made, True


def named(
    session: Session, actor: Actor, entry: PersonRecord, names: dict[str, str]
) -> tuple[Person, bool]:
    """Someone a verified bundle names: (found, or recorded without a role; whether created)."""
    email = people.normalise_email(entry.email)
    found = find_person(session, email)
    if found is not None and (found.roles or found.active):
        raise Invalid(
            f"Bundle refused: it names {email} as an author of its records, and {email} is "
            "someone of this centre. A bundle cannot record decisions, judgements or sign-offs "
            "in the name of this centre's people, whoever signed it; import it without trusting "
            "its key to keep them as the sending centre's record. Nothing was imported."
        )
    if found is not None:  # recorded from an earlier bundle: no role, cannot log in
        return found, False
    made = Person(name=names[email], email=email, roles="", active=False, site=site(entry.site))
    session.add(made)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="person.create",
        subject_type="person",
        subject_id=made.id,
        data={"email": email, "roles": "", "from": "bundle"},
    )
    return made, True


def site(value: str) -> str:
    value = people.without_controls(value)[:200]
    return value or "Main site"
