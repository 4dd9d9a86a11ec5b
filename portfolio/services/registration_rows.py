"""The registrations as administrators' pages list them: every one (or one), or a page at a time
of those a person is learner, assessor or IQA of (an assessor may have hundreds of learners: their
pages read one page of them, however many there are)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Cohort, Framework, Person, Registration
from portfolio.paging import Paged, clamp, past
from portfolio.services.people import Actor
from portfolio.services.registration_standards import CENTRE, standards_of
from portfolio.words import ROLE_WORDS

PAGE_SIZE = 50


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.has("admin"):
        raise PermissionDenied(f"Only administrators {what}.")


@dataclass(frozen=True)
class RegistrationRow:
    """One line of the registrations list, as plain data."""

    id: int
    learner_id: int
    learner: str
    framework_id: int
    framework: str
    standards: list[str]
    assessor_id: int | None
    assessor: str
    iqa_id: int | None
    iqa: str
    cohort_id: int | None
    cohort: str
    start_date: date
    planned_end: date
    withdrawn_at: date | None = None
    withdrawn_reason: str | None = None
    break_since: date | None = None  # on a break in learning: still active
    break_reason: str | None = None
    break_until: date | None = None
    # every standard signed off (none reopened), the latest on this day: completed
    completed_on: date | None = None
    # the learner's personal data was erased: they can no longer learn, the record stays
    learner_erased: bool = False
    awarding_body_ref: str | None = None  # the awarding body's number for it, once given

    @property
    def state(self) -> str:
        """The registration's state in words: active, on a break, completed, withdrawn, or ended
        with the erasure of the learner's personal data."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.completed_on is not None:
            return "completed"
        if self.learner_erased:
            return "learner erased"
        return "on a break" if self.break_since is not None else "active"


def _listing(*extra: Any, after: tuple[tuple[str, int], int] | None = None) -> Any:
    """The registrations with their learner's, assessor's, IQA's and cohort's names and their
    framework, by learner's name (then the learner's id and the registration's: an index of
    people by name, then each learner's registrations, serve the order); ``extra``: more
    columns; ``after``: only those past the learner's name and id and the registration's id
    of a row (a keyset page)."""
    learner, assessor, iqa = aliased(Person), aliased(Person), aliased(Person)
    keys = [col(learner.name), col(learner.id), col(Registration.id)]
    query = (
        sa_select(
            Registration,
            col(learner.name),
            col(assessor.name),
            col(iqa.name),
            Framework,
            col(Cohort.name),
            col(learner.erased_at),
            *extra,
        )
        .join(learner, col(learner.id) == Registration.learner_id)
        .join(Framework, col(Framework.id) == Registration.framework_id)
        .outerjoin(assessor, col(assessor.id) == Registration.assessor_id)
        .outerjoin(iqa, col(iqa.id) == Registration.iqa_id)
        .outerjoin(Cohort, col(Cohort.id) == Registration.cohort_id)
        .order_by(*keys)
    )
    if after is not None:
        (name, learner_id), registration_id = after
        query = query.where(past(keys, [name, learner_id, registration_id]))
    return query


def _of(person_id: int, role: str | None = None) -> ColumnElement[bool]:
    """The registrations ``person_id`` assesses (``role`` "assessor"), quality-assures ("iqa"),
    or is learner, assessor or IQA of (None)."""
    if role == "assessor":
        return col(Registration.assessor_id) == person_id
    if role == "iqa":
        return col(Registration.iqa_id) == person_id
    return or_(
        col(Registration.learner_id) == person_id,
        col(Registration.assessor_id) == person_id,
        col(Registration.iqa_id) == person_id,
    )


def _rows(
    session: Session, rows: Sequence[Any], zone: ZoneInfo, standards: bool = True
) -> list[RegistrationRow]:
    """Rows of :func:`_listing` as plain data, with their standards and the day each was
    completed (one more statement; none without ``standards``)."""
    found = standards_of(session, [r[0].id for r in rows], zone=zone) if standards else {}
    return [
        RegistrationRow(
            id=reg.id or 0,
            learner_id=reg.learner_id,
            learner=learner_name,
            framework_id=reg.framework_id,
            framework=f"{fw.code} v{fw.version}",
            standards=found.get(reg.id or 0, ([], None))[0],
            assessor_id=reg.assessor_id,
            assessor=assessor_name or "",
            iqa_id=reg.iqa_id,
            iqa=iqa_name or "",
            cohort_id=reg.cohort_id,
            cohort=cohort_name or "",
            start_date=reg.start_date,
            planned_end=reg.planned_end,
            withdrawn_at=reg.withdrawn_at,
            withdrawn_reason=reg.withdrawn_reason,
            break_since=reg.break_since,
            break_reason=reg.break_reason,
            break_until=reg.break_until,
            completed_on=found.get(reg.id or 0, ([], None))[1],
            learner_erased=erased_at is not None,
            awarding_body_ref=reg.awarding_body_ref,
        )
        for reg, learner_name, assessor_name, iqa_name, fw, cohort_name, erased_at, *_ in rows
    ]


def list_registrations(
    session: Session,
    *,
    actor: Actor,
    registration_id: int | None = None,
    person_id: int | None = None,
    zone: ZoneInfo = CENTRE,
) -> list[RegistrationRow]:
    """Every registration (or one, or those a person is learner, assessor or IQA of) with
    names and standard codes, and the day each was completed (in ``zone``, the centre's), in
    two queries. A person's page reads theirs a page at a time: :func:`page_of_person`."""
    _require_admin(actor, "list registrations")
    query = _listing()
    if registration_id is not None:
        query = query.where(col(Registration.id) == registration_id)
    if person_id is not None:
        query = query.where(_of(person_id))
    return _rows(session, session.execute(query).all(), zone)


def registrations_after(
    session: Session,
    *,
    actor: Actor,
    after: tuple[tuple[str, int], int] | None,
    limit: int,
    zone: ZoneInfo = CENTRE,
) -> tuple[list[RegistrationRow], tuple[tuple[str, int], int] | None]:
    """Up to ``limit`` registrations in the order of :func:`list_registrations`, those after
    ``after`` (the learner's name and id, and the id, of the last of the page before; None:
    from the start), and that position of the last of them while more follow (None at the
    end). A keyset page: one statement of ``limit + 1`` rows, and one for their standards."""
    _require_admin(actor, "list registrations")
    rows = session.execute(_listing(after=after).limit(limit + 1)).all()
    shown = _rows(session, rows[:limit], zone)
    if len(rows) <= limit:
        return shown, None
    return shown, ((shown[-1].learner, shown[-1].learner_id), shown[-1].id)


def page_of_all(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PAGE_SIZE,
    zone: ZoneInfo = CENTRE,
) -> Paged[RegistrationRow]:  # fmt: skip
    """Page ``page`` (past the end: the last) of every registration in the order of
    :func:`list_registrations`: one statement with how many there are beside each row, and one
    for the rows' standards, however many registrations there are."""
    _require_admin(actor, "list registrations")
    query = _listing(func.count().over()).limit(per_page)
    page = min(max(1, page), 1_000_000)  # past the end is clamped below; this keeps the offset sane
    rows = session.execute(query.offset((page - 1) * per_page)).all()
    if not rows and page > 1:  # past the end: the last page
        every = session.execute(sa_select(func.count(col(Registration.id)))).scalar_one()
        page = clamp(page, int(every), per_page)
        rows = session.execute(query.offset((page - 1) * per_page)).all()
    total = int(rows[0][-1]) if rows else 0
    return Paged(rows=_rows(session, rows, zone), total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class PersonRegistrations(Paged[RegistrationRow]):
    """One page of the registrations of a person, and how many of all of them (on every page)
    they assess and quality-assure."""

    assessed: int = 0
    assured: int = 0


def page_of_person(
    session: Session,
    *,
    actor: Actor,
    person_id: int,
    role: str | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    zone: ZoneInfo = CENTRE,
    standards: bool = True,
) -> PersonRegistrations:
    """Page ``page`` (past the end: the last) of the registrations ``person_id`` is learner,
    assessor or IQA of, or with ``role`` ("assessor", "iqa") of those they assess or
    quality-assure, by learner's name: one statement with the counts beside each row, and one
    for the rows' standards (none without ``standards``); however many there are."""
    _require_admin(actor, "list registrations")
    if role not in (None, "assessor", "iqa"):
        raise Invalid(f"Unknown role “{role}”.")
    where = _of(person_id, role)
    counts = (
        func.count().over(),
        func.sum(case((col(Registration.assessor_id) == person_id, 1), else_=0)).over(),
        func.sum(case((col(Registration.iqa_id) == person_id, 1), else_=0)).over(),
    )
    query = _listing(*counts).where(where).limit(per_page)
    page = min(max(1, page), 1_000_000)  # past the end is clamped below; this keeps the offset sane
    rows = session.execute(query.offset((page - 1) * per_page)).all()
    if not rows and page > 1:  # past the end: the last page
        total = session.execute(sa_select(func.count(col(Registration.id))).where(where))
        page = clamp(page, int(total.scalar_one()), per_page)
        rows = session.execute(query.offset((page - 1) * per_page)).all()
    total, assessed, assured = rows[0][-3:] if rows else (0, 0, 0)
    return PersonRegistrations(
        rows=_rows(session, rows, zone, standards), total=int(total), page=page,
        per_page=per_page, assessed=int(assessed or 0), assured=int(assured or 0),
    )  # fmt: skip


CASELOAD_ROLES = ("assessor", "iqa")
NO_CASELOAD = "Only assessors and IQAs have a caseload."


def caseload_roles(actor: Actor, role: str | None = None) -> tuple[str, ...]:
    """The roles whose caseload ``actor`` reads: ``role`` ("assessor" or "iqa"), which they
    must hold now, or (None) each of the two they hold. PermissionDenied for anyone holding
    neither (an administrator, a learner, an EQA: they have no caseload), or asking for the
    caseload of a role they do not hold; Invalid for another role."""
    if role is not None and role not in CASELOAD_ROLES:
        raise Invalid(
            f"Unknown role “{role}”: a caseload is an assessor's or an IQA's.", field="role"
        )
    held = tuple(r for r in CASELOAD_ROLES if actor.has(r) and role in (None, r))
    if not held:
        if role is not None and any(actor.has(r) for r in CASELOAD_ROLES):
            word = ROLE_WORDS[role]  # "assessor", "internal quality assurer": both take "an"
            raise PermissionDenied(f"Only an {word} has that caseload, and you are not one.")
        raise PermissionDenied(NO_CASELOAD)
    return held


def caseload_after(
    session: Session,
    *,
    actor: Actor,
    role: str | None = None,
    after: tuple[tuple[str, int], int] | None,
    limit: int,
    zone: ZoneInfo = CENTRE,
) -> tuple[list[RegistrationRow], tuple[tuple[str, int], int] | None]:
    """The registrations ``actor`` is allocated as assessor or IQA (``role``: as that one only;
    see :func:`caseload_roles`), their own learners, in the order and keyset pages of
    :func:`registrations_after`: one statement of ``limit + 1`` rows and one for their
    standards, however many learners they have and however far down the list the page is."""
    roles = caseload_roles(actor, role)
    mine = or_(*(_of(actor.id, r) for r in roles))
    rows = session.execute(_listing(after=after).where(mine).limit(limit + 1)).all()
    shown = _rows(session, rows[:limit], zone)
    if len(rows) <= limit:
        return shown, None
    return shown, ((shown[-1].learner, shown[-1].learner_id), shown[-1].id)
