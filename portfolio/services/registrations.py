"""Registrations of learners on framework versions, and removing people (re-exported: cohorts
from :mod:`portfolio.services.cohorts`, the lists of registrations from
:mod:`portfolio.services.registration_rows`).

Every function takes ``session``, ``actor`` and plain data, checks that the actor is an
administrator, flushes (never commits) and writes an audit entry for every change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NoSuch, NotFound, PermissionDenied
from portfolio.models import Cohort, Framework, Person, Registration, RegistrationStandard, Standard
from portfolio.models.base import utcnow
from portfolio.services import audit, cohorts, registration_holds
from portfolio.services.cohorts import CohortRow as CohortRow
from portfolio.services.cohorts import create_cohort as create_cohort
from portfolio.services.cohorts import list_cohorts as list_cohorts
from portfolio.services.people import Actor
from portfolio.services.registration_dates import check_dates
from portfolio.services.registration_rows import RegistrationRow as RegistrationRow
from portfolio.services.registration_rows import list_registrations as list_registrations
from portfolio.words import day_words


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.has("admin"):
        raise PermissionDenied(f"Only administrators {what}.")


# ---------------------------------------------------------------- checks


def person_with_role(session: Session, person_id: int, role: str, label: str) -> Person:
    """The person with ``person_id``, if they may be the ``label``; one not there (or removed) is
    :class:`NoSuch` on the field ``<role>_id``."""
    person = session.get(Person, person_id)
    if person is None or person.removed_at is not None:
        raise NoSuch(label, person_id, field=f"{role}_id")
    if not person.active:
        raise Invalid(f"{person.name} ({person.email}) is not active and cannot be the {label}.")
    if not person.has_role(role):
        raise Invalid(
            f"{person.name} ({person.email}) is not given the {label} role here, so cannot be "
            f"the {label}."
        )
    return person


def check_people(
    session: Session, learner_id: int, assessor_id: int | None, iqa_id: int | None
) -> None:
    """Roles and separation of duties: no one assesses or quality-assures their own work,
    and no one quality-assures their own decisions."""
    person_with_role(session, learner_id, "learner", "learner")
    if assessor_id is not None:
        person_with_role(session, assessor_id, "assessor", "assessor")
        if assessor_id == learner_id:
            raise Invalid("A learner cannot be their own assessor.")
    if iqa_id is not None:
        person_with_role(session, iqa_id, "iqa", "IQA")
        if iqa_id == learner_id:
            raise Invalid("A learner cannot be their own IQA.")
        if iqa_id == assessor_id:
            raise Invalid(
                "The IQA must not be the learner's assessor: no one quality-assures their own "
                "decisions. Choose a different IQA or assessor."
            )


def standard_ids(session: Session, framework_id: int, codes: Sequence[str]) -> list[int]:
    """Ids of the standards with ``codes`` in the framework version, in the order given."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise Invalid("Choose at least one standard.")
    rows = session.exec(
        select(Standard.code, Standard.id).where(Standard.framework_id == framework_id)
    ).all()
    by_code = {code: sid for code, sid in rows}
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        fw = session.get(Framework, framework_id)
        name = f"{fw.code} version {fw.version}" if fw is not None else "This framework version"
        named = ", ".join(unknown[:-1]) + " and " + unknown[-1] if len(unknown) > 1 else unknown[0]
        raise Invalid(
            f"{name} has no {'standards' if len(unknown) > 1 else 'standard'} {named}. "
            f"Its standards: {', '.join(sorted(by_code))}."
        )
    return [by_code[c] or 0 for c in wanted]


def _check_cohort(session: Session, cohort_id: int | None, *, now: int | None = None) -> None:
    """The cohort exists and, unless the registration is in it already (``now``), is open."""
    if cohort_id is not None and cohort_id == now:
        if session.get(Cohort, cohort_id) is None:
            raise cohorts.NoSuchCohort(cohort_id)
        return
    cohorts.check_open(session, cohort_id)


# ---------------------------------------------------------------- registrations


def register(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    framework_id: int,
    standard_codes: Sequence[str],
    assessor_id: int | None,
    iqa_id: int | None,
    cohort_id: int | None = None,
    start_date: date,
    planned_end: date,
) -> Registration:
    """Register a learner on one framework version and its chosen standards.

    ``assessor_id``/``iqa_id`` may be None only to allocate later. Nothing is written unless
    every rule holds."""
    _require_admin(actor, "register learners")
    framework = session.get(Framework, framework_id)
    if framework is None:
        raise NoSuch("framework version", framework_id, field="framework_id")
    check_people(session, learner_id, assessor_id, iqa_id)
    chosen = standard_ids(session, framework_id, standard_codes)
    _check_cohort(session, cohort_id)
    check_dates(start_date, planned_end)
    since = session.exec(
        select(col(Registration.start_date)).where(
            Registration.learner_id == learner_id, Registration.framework_id == framework_id
        )
    ).first()
    if since is not None:
        on = f"{framework.code} version {framework.version}, registered since {day_words(since)}"
        raise Invalid(f"The learner is already registered on {on}; change that one instead.")
    reg = Registration(
        learner_id=learner_id,
        framework_id=framework_id,
        cohort_id=cohort_id,
        assessor_id=assessor_id,
        iqa_id=iqa_id,
        start_date=start_date,
        planned_end=planned_end,
    )
    session.add(reg)
    session.flush()
    assert reg.id is not None
    session.add_all(RegistrationStandard(registration_id=reg.id, standard_id=s) for s in chosen)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="registration.create",
        subject_type="registration",
        subject_id=reg.id,
        data={
            "learner_id": learner_id,
            "framework": f"{framework.code} v{framework.version}",
            "standards": [c.strip() for c in standard_codes if c.strip()],
            "assessor_id": assessor_id,
            "iqa_id": iqa_id,
            "cohort_id": cohort_id,
        },
    )
    return reg


def hold_learner(session: Session, learner_id: int) -> None:
    """Hold every registration of the learner until this transaction ends (PostgreSQL: their
    rows ``FOR UPDATE``, in id order, one statement; SQLite writes one transaction at a time, so
    nothing is spent). A learner's write that changes what their registrations' stored summaries
    count (a version submitted or edited, claims mapped) takes it before it writes, as a decision
    holds its registration: a summary being stored (it holds them ``FOR SHARE``) is waited for
    and then deleted, and one stored after waits for the write and reads what it committed
    (:mod:`portfolio.services.registration_holds`)."""
    registration_holds.hold_learners(session, [learner_id])


def registration_codes(session: Session, registration_id: int) -> list[str]:
    """Codes of the standards a registration holds, in framework order."""
    rows = session.exec(
        select(Standard.code)
        .join(RegistrationStandard, col(RegistrationStandard.standard_id) == Standard.id)
        .where(RegistrationStandard.registration_id == registration_id)
        .order_by(col(Standard.position))
    ).all()
    return list(rows)


# Checks run before standards are taken off a registration; each returns a reason to refuse, or
# None. Packages above this one (assessment records live in ``mappings``) register theirs.
RemovalGuard = Callable[[Session, int, list[int]], str | None]
_REMOVAL_GUARDS: list[RemovalGuard] = []


def register_removal_guard(guard: RemovalGuard) -> None:
    if guard not in _REMOVAL_GUARDS:
        _REMOVAL_GUARDS.append(guard)


def _change_standards(
    session: Session, registration_id: int, framework_id: int, standard_codes: Sequence[str]
) -> dict[str, list[str]] | None:
    """Make the registration's standards exactly ``standard_codes`` unless a removal guard
    refuses; the old and new codes, or None when they are the same."""
    old_codes = registration_codes(session, registration_id)
    new_ids = standard_ids(session, framework_id, standard_codes)
    new_codes = list(dict.fromkeys(c.strip() for c in standard_codes if c.strip()))
    if set(new_codes) == set(old_codes):
        return None
    current = set(
        session.exec(
            select(RegistrationStandard.standard_id).where(
                RegistrationStandard.registration_id == registration_id
            )
        ).all()
    )
    dropped = current - set(new_ids)
    for guard in _REMOVAL_GUARDS:
        reason = guard(session, registration_id, sorted(dropped))
        if reason:
            raise Invalid(reason)
    for row in session.exec(
        select(RegistrationStandard).where(
            RegistrationStandard.registration_id == registration_id,
            col(RegistrationStandard.standard_id).not_in(new_ids),
        )
    ):
        session.delete(row)
    session.add_all(
        RegistrationStandard(registration_id=registration_id, standard_id=s)
        for s in new_ids
        if s not in current
    )
    return {"old": old_codes, "new": sorted(new_codes)}


def update_allocation(
    session: Session,
    *,
    actor: Actor,
    registration_id: int,
    assessor_id: int | None,
    iqa_id: int | None,
    standard_codes: Sequence[str] | None = None,
    cohort_id: int | None = None,
    planned_end: date | None = None,
) -> Registration:
    """Change the assessor, IQA, standards, cohort or planned end of a registration.

    The framework version never changes: a learner stays on the version they started.
    ``standard_codes=None`` keeps the standards; ``planned_end=None`` keeps the date."""
    _require_admin(actor, "change allocations")
    # held, and read as committed after a sign-off under way (it holds the row too), so the
    # removal guards see what it signed (PostgreSQL: FOR UPDATE)
    reg = session.get(Registration, registration_id, with_for_update=True, populate_existing=True)
    if reg is None:
        raise NotFound(f"No registration with id {registration_id}.")
    check_people(session, reg.learner_id, assessor_id, iqa_id)
    _check_cohort(session, cohort_id, now=reg.cohort_id)
    new_end = planned_end or reg.planned_end
    check_dates(reg.start_date, new_end)
    changes: dict[str, object] = {}
    if standard_codes is not None:
        changed = _change_standards(session, registration_id, reg.framework_id, standard_codes)
        if changed is not None:
            changes["standards"] = changed
    for name, value in (
        ("assessor_id", assessor_id),
        ("iqa_id", iqa_id),
        ("cohort_id", cohort_id),
        ("planned_end", new_end),
    ):
        old = getattr(reg, name)
        if old != value:
            if isinstance(value, date):
                changes[name] = {"old": old.isoformat(), "new": value.isoformat()}
            else:
                changes[name] = {"old": old, "new": value}
            setattr(reg, name, value)
    if not changes:
        return reg
    session.add(reg)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="registration.update",
        subject_type="registration",
        subject_id=registration_id,
        data={
            k: {"old": str(v["old"]), "new": str(v["new"])} if k == "planned_end" else v  # type: ignore[index]
            for k, v in changes.items()
        },
    )
    return reg


# ---------------------------------------------------------------- people


def remove_person(session: Session, *, actor: Actor, person_id: int) -> Person:
    """Mark a person removed and inactive. Their evidence, decisions and registrations stay."""
    _require_admin(actor, "remove people")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    if person_id == actor.id:
        raise Invalid("You cannot remove your own account.")
    if person.removed_at is not None:
        raise Invalid(f"{person.name} was already removed.")
    person.removed_at = utcnow()
    person.active = False
    session.add(person)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="person.remove",
        subject_type="person",
        subject_id=person_id,
        data={"email": person.email},
    )
    return person
