"""Reallocating learners: moving a set of registrations to another assessor or IQA at once (an
assessor leaves or is off sick and the centre shares out their caseload).

Each registration is changed by :func:`portfolio.services.registrations.update_allocation`, so the
rules (roles, no one assesses or quality-assures their own work, an IQA is never the assessor),
its ``registration.update`` audit entry and the deletion of its stored summary are the single
change's. Every registration is checked before any is changed: a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from portfolio.errors import Conflict, Invalid, NoSuch, PermissionDenied
from portfolio.models import Framework, Person, Registration
from portfolio.services import notifications, registration_holds, registrations
from portfolio.services.actors import Actor
from portfolio.services.people import normalise_email

ASSESSOR_FIELD = "to_assessor_id"
IQA_FIELD = "to_iqa_id"
REGISTRATIONS_FIELD = "registration_ids"
CASELOAD_LINK = "/caseload"


@dataclass(frozen=True)
class Reallocated:
    """What a reallocation did: how many registrations changed, and to whom."""

    moved: int
    assessor: str | None
    iqa: str | None
    moved_from: str | None = None


def learners_words(count: int) -> str:
    return f"{count} learner" if count == 1 else f"{count} learners"


def reallocate(
    session: Session,
    *,
    actor: Actor,
    registration_ids: Sequence[int],
    to_assessor_id: int | None = None,
    to_iqa_id: int | None = None,
) -> Reallocated:
    """Give every registration in ``registration_ids`` the assessor ``to_assessor_id`` and/or
    the IQA ``to_iqa_id`` (None keeps each one's own), in one transaction.

    The registrations are held in id order (PostgreSQL: ``FOR UPDATE``, one statement) before
    any is read or written (lock order: registrations before the audit trail). The new assessor
    and the new IQA are each told once, with the number of learners they take on."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators reallocate learners.")
    if to_assessor_id is None and to_iqa_id is None:
        raise Invalid("Choose who takes the learners on.", field=ASSESSOR_FIELD)
    wanted = sorted(set(registration_ids))
    if not wanted:
        raise Invalid("Tick at least one learner to move.", field=REGISTRATIONS_FIELD)
    registration_holds.hold_registrations(session, wanted)
    found = _load(session, wanted)
    unknown = [i for i in wanted if i not in found]
    if unknown:  # a stale or altered list of ticked learners: said in words (every id kept)
        raise NoSuch("registration", unknown, field=REGISTRATIONS_FIELD, then="; nothing was moved")
    assessor = _new(session, to_assessor_id, "assessor", "assessor", ASSESSOR_FIELD)
    iqa = _new(session, to_iqa_id, "iqa", "IQA", IQA_FIELD)
    field = ASSESSOR_FIELD if to_assessor_id is not None else IQA_FIELD
    for reg, learner, framework in found.values():
        try:  # the single change's rules, on what the registration would become
            registrations.check_people(
                session,
                reg.learner_id,
                to_assessor_id if to_assessor_id is not None else reg.assessor_id,
                to_iqa_id if to_iqa_id is not None else reg.iqa_id,
            )
        except Invalid as refused:
            on = f"{learner} on {framework.code} version {framework.version}"
            raise Invalid(f"{on}: {refused} Nothing was moved.", field=field) from refused
    moved = {"assessor": 0, "iqa": 0}
    changed = 0
    for reg, _learner, _framework in found.values():
        new_assessor = to_assessor_id if to_assessor_id is not None else reg.assessor_id
        new_iqa = to_iqa_id if to_iqa_id is not None else reg.iqa_id
        moved["assessor"] += new_assessor != reg.assessor_id
        moved["iqa"] += new_iqa != reg.iqa_id
        changed += new_assessor != reg.assessor_id or new_iqa != reg.iqa_id
        registrations.update_allocation(
            session,
            actor=actor,
            registration_id=reg.id or 0,
            assessor_id=new_assessor,
            iqa_id=new_iqa,
            cohort_id=reg.cohort_id,
        )
    _tell(session, actor, assessor, moved["assessor"], "assessor")
    _tell(session, actor, iqa, moved["iqa"], "IQA")
    return Reallocated(
        moved=changed,
        assessor=assessor.name if assessor else None,
        iqa=iqa.name if iqa else None,
    )


def reallocate_every(
    session: Session,
    *,
    actor: Actor,
    from_id: int,
    to_id: int,
    iqa: bool = False,
    keep: Sequence[int] = (),
    expected: int | None = None,
) -> Reallocated:
    """Move every learner (withdrawn ones too) whose assessor, or with ``iqa`` whose IQA, is
    ``from_id`` to ``to_id``, but for the registrations in ``keep``: :func:`reallocate`. They
    are found on the server, held as they are found (PostgreSQL: ``FOR UPDATE``), whatever a page
    showed of them. ``expected``: how many the page said there were; if there are now more or
    fewer (someone changed them meanwhile), nothing is moved."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators reallocate learners.")
    source = session.get(Person, from_id)
    if source is None:
        raise NoSuch("person", from_id, then="; nothing was moved")
    column = Registration.iqa_id if iqa else Registration.assessor_id
    found = select(Registration.id).where(col(column) == from_id).order_by(col(Registration.id))
    if session.get_bind().dialect.name == "postgresql":
        found = found.with_for_update()
    ids = [i or 0 for i in session.exec(found).all()]
    role = "the IQA" if iqa else "the assessor"
    if not ids:
        raise Invalid(
            f"{source.name} ({source.email}) is {role} of no learners; nothing was moved."
        )
    if expected is not None and len(ids) != expected:
        raise Conflict(
            f"{source.name} is now {role} of {learners_words(len(ids))}, not the {expected} the "
            "page showed: someone changed them meanwhile. Nothing was moved; look again."
        )
    kept = set(keep)
    done = reallocate(
        session,
        actor=actor,
        registration_ids=[i for i in ids if i not in kept],
        to_iqa_id=to_id if iqa else None,
        to_assessor_id=None if iqa else to_id,
    )
    return Reallocated(done.moved, done.assessor, done.iqa, moved_from=source.name)


def reallocate_all(
    session: Session, *, actor: Actor, from_email: str, to_email: str, iqa: bool = False
) -> Reallocated:
    """Move every learner (withdrawn ones too) whose assessor, or with ``iqa`` whose IQA, is
    the person with ``from_email`` to the person with ``to_email``: :func:`reallocate_every`."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators reallocate learners.")
    source = _by_email(session, from_email)
    target = _by_email(session, to_email)
    return reallocate_every(
        session, actor=actor, from_id=source.id or 0, to_id=target.id or 0, iqa=iqa
    )


def _by_email(session: Session, email: str) -> Person:
    found = session.exec(
        select(Person).where(
            Person.email == normalise_email(email), col(Person.removed_at).is_(None)
        )
    ).first()
    if found is None:
        raise Invalid(f"No one here has the e-mail address {email.strip()}.")
    return found


def _load(session: Session, wanted: list[int]) -> dict[int, tuple[Registration, str, Framework]]:
    """The registrations with these ids, their learner's name and framework, in id order (read
    as committed: they are held)."""
    rows = session.exec(
        select(Registration, Person.name, Framework)
        .join(Person, col(Person.id) == Registration.learner_id)
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .where(col(Registration.id).in_(wanted))
        .order_by(col(Registration.id))
        .execution_options(populate_existing=True)
    ).all()
    return {reg.id or 0: (reg, name, fw) for reg, name, fw in rows}


def _new(
    session: Session, person_id: int | None, role: str, label: str, field: str
) -> Person | None:
    if person_id is None:
        return None
    try:
        return registrations.person_with_role(session, person_id, role, label)
    except Invalid as refused:
        raise Invalid(f"{refused} Nothing was moved.", field=field) from refused


def _tell(session: Session, actor: Actor, person: Person | None, count: int, label: str) -> None:
    if person is None or not count:
        return
    notifications.notify(
        session,
        person_id=person.id or 0,
        text=f"{actor.name if actor.id else 'An administrator'} made you the {label} of {learners_words(count)} more: "
        "they are on your caseload.",
        link=CASELOAD_LINK,
    )
