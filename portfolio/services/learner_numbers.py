"""The numbers awarding bodies know learners by: a person's unique learner number (ULN) and a
registration's awarding body (candidate) number. Administrators give and correct them; the
sign-off record and the sign-off register say them where given, the centre's own references
where not."""

from __future__ import annotations

from sqlmodel import Session, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import Person, Registration
from portfolio.services import audit
from portfolio.services.actors import Actor

ULN_LENGTH = 10  # Person.uln
REF_MAX = 30  # Registration.awarding_body_ref
# The ILR's stand-in for a learner who has no ULN: not a number of anyone's
_NO_ULN = "9999999999"


def check_uln(text: str) -> str | None:
    """The ULN written plainly (spaces dropped), None when empty, or a clear refusal: ten digits,
    the first not 0, the last the check digit of the other nine (weights 10 down to 2, the sum's
    remainder by 11 taken from 10; a remainder of 0 makes no number)."""
    uln = "".join(text.split())
    if not uln:
        return None
    if uln == _NO_ULN:
        raise Invalid(
            "9999999999 stands for a learner with no ULN: leave the box empty instead.", field="uln"
        )
    if len(uln) != ULN_LENGTH or not uln.isascii() or not uln.isdigit():
        raise Invalid("A unique learner number (ULN) is 10 digits.", field="uln")
    remainder = sum(int(d) * w for d, w in zip(uln[:9], range(10, 1, -1), strict=True)) % 11
    if uln[0] == "0" or remainder == 0 or 10 - remainder != int(uln[9]):
        raise Invalid(
            f"{uln} is not a unique learner number: its last digit does not check. "
            "Copy it again from the Learning Records Service.",
            field="uln",
        )
    return uln


def check_awarding_ref(text: str) -> str | None:
    """The awarding body's registration number as written (spaces at either end dropped), None
    when empty, or a clear refusal."""
    ref = text.strip()
    if not ref:
        return None
    if len(ref) > REF_MAX:
        raise Invalid(
            f"An awarding body registration number is at most {REF_MAX} characters.",
            field="awarding_body_ref",
        )
    if not ref.isprintable():
        raise Invalid(
            "Write the awarding body registration number in letters, digits and signs only.",
            field="awarding_body_ref",
        )
    return ref


def _admin(actor: Actor) -> None:
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators give learners' numbers.")


def set_uln(session: Session, *, actor: Actor, person_id: int, uln: str) -> Person:
    """Give, correct or (empty) take away a learner's ULN (administrators only); flushed, with a
    ``person.uln`` audit entry holding the old and new numbers. Refused for a number another
    account has, and for a person whose data was erased."""
    _admin(actor)
    person = session.get(Person, person_id, with_for_update=True)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    if person.erased_at is not None:
        raise Invalid("This person's personal data was erased; their details cannot be changed.")
    new = check_uln(uln)
    if new == person.uln:
        return person
    if new is not None:
        other = session.exec(
            select(Person.name).where(Person.uln == new, Person.id != person_id)
        ).first()
        if other is not None:
            raise Invalid(f"{other} already has the unique learner number {new}.", field="uln")
    _change(session, actor, person, "uln", new, action="person.uln")
    return person


def set_awarding_ref(
    session: Session, *, actor: Actor, registration_id: int, ref: str
) -> Registration:
    """Give, correct or (empty) take away a registration's awarding body number (administrators
    only); flushed, with a ``registration.awarding_body_ref`` audit entry of old and new."""
    _admin(actor)
    reg = session.get(Registration, registration_id, with_for_update=True)
    if reg is None:
        raise NotFound(f"No registration with id {registration_id}.")
    new = check_awarding_ref(ref)
    if new == reg.awarding_body_ref:
        return reg
    _change(session, actor, reg, "awarding_body_ref", new, action="registration.awarding_body_ref")
    return reg


def _change(
    session: Session, actor: Actor, row: Person | Registration, name: str, new: str | None,
    *, action: str,
) -> None:  # fmt: skip
    """Set the row's ``name`` to ``new`` (flushed) with one ``action`` audit entry of the old and
    new values, about the row (a person or a registration)."""
    old = getattr(row, name)
    setattr(row, name, new)
    session.add(row)
    session.flush()
    subject = "person" if isinstance(row, Person) else "registration"
    audit.record(
        session, actor=actor, action=action, subject_type=subject, subject_id=row.id,
        data={"old": old, "new": new},
    )  # fmt: skip


def row_problems(
    session: Session, *, uln: str, ref: str, registers: bool, existing: Person | None,
    seen: set[str],
) -> list[str]:  # fmt: skip
    """What is wrong with a bulk import row's ULN (its rule; on an earlier row, in ``seen``, to
    which it is added; another person's; not the one the row's person, ``existing``, has) and
    awarding body number (its rule; with no registration, ``registers``, to give it to)."""
    problems: list[str] = []
    try:
        number = check_uln(uln)
    except Invalid as error:
        problems.append(str(error))
        number = None
    if number is not None:
        holder = session.exec(select(Person.email).where(Person.uln == number)).first()
        if number in seen:
            problems.append(f"The ULN {number} is on an earlier row too.")
        elif holder is not None and (existing is None or holder != existing.email):
            problems.append(f"The ULN {number} is {holder}'s already.")
        elif existing is not None and existing.uln not in (None, number):
            problems.append(
                f"{existing.email} has the ULN {existing.uln}: correct it on their page."
            )
        seen.add(number)
    if ref.strip():
        try:
            check_awarding_ref(ref)
        except Invalid as error:
            problems.append(str(error))
        if not registers:
            problems.append(
                "An awarding body registration number needs a framework to register on."
            )
    return problems
