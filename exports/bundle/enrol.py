"""The learner's registration here for each registration of a bundle: found or made.

A registration is this centre's decision. The sending centre's cohort means nothing here (a
cohort of the same name here is another group of learners), so a bundle joins and makes no
cohort: the registration it makes has none, and the name is only reported, for an administrator
to place the learner in a cohort of this centre.

Which standards a learner is registered on is this centre's decision too: a bundle no key trusted
here verifies adds none to a registration the learner already has (a verified one does, as the
sending centre it vouches for registered them). The standards not added are reported; the
bundle's claims against their criteria are kept, awaiting a decision, and show once an
administrator adds the standard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from exports.bundle.manifest import RegistrationRecord
from portfolio.errors import Invalid
from portfolio.models.people import Registration, RegistrationStandard
from portfolio.words import day_words


def standard(standards: dict[tuple[int, str], int], fw_id: int, code: str, record: str) -> int:
    """The id of the standard ``code`` of the framework; :class:`Invalid` naming the record."""
    found = standards.get((fw_id, code))
    if found is None:
        raise Invalid(f"Bundle refused: {record}: standard {code} is not in its framework.")
    return found


@dataclass
class Placement:
    """The learner's registration here for one registration of a bundle, and what it did to it."""

    id: int
    made: bool  # made by the import, with the bundle's standards and dates
    added: list[str] = field(default_factory=list)  # codes added to a registration found here
    not_added: list[str] = field(default_factory=list)  # codes an unverified bundle did not add
    written: list[tuple[int, int, str]] = field(default_factory=list)  # (reg id, std id, code)


def registration(
    session: Session,
    r: RegistrationRecord,
    *,
    learner_id: int,
    fw_id: int,
    standards: dict[tuple[int, str], int],
    make: Callable[..., Registration],
    staff: Callable[[str | None], int | None],
    verified: bool,
) -> Placement:
    """The learner's registration on the framework ``fw_id`` (found, or made by ``make`` from
    the record, in no cohort), with the codes of the record's standards added to one found here
    and of those it does not hold: a registration made, or found under a ``verified`` bundle, is
    given them all."""
    reg = session.exec(
        select(Registration).where(
            Registration.learner_id == learner_id, Registration.framework_id == fw_id
        )
    ).first()
    made = reg is None
    adds = verified or made
    if reg is None:
        links: dict[str, Any] = {"assessor_id": staff(r.assessor), "iqa_id": staff(r.iqa)}
        reg = make(learner_id=learner_id, framework_id=fw_id, cohort_id=None, **links)
        session.flush()
    have = set(
        session.exec(
            select(RegistrationStandard.standard_id).where(
                RegistrationStandard.registration_id == reg.id
            )
        )
    )
    placed = Placement(id=reg.id or 0, made=made)
    for code in r.standards:
        sid = standard(standards, fw_id, code, f"registration {r.id}")
        if sid in have:
            continue
        if adds:
            session.add(RegistrationStandard(registration_id=placed.id, standard_id=sid))
            placed.written.append((placed.id, sid, code))
            if not made:
                placed.added.append(code)
        else:
            placed.not_added.append(code)
    return placed


def described(r: RegistrationRecord, registration_id: int, framework: str) -> str:
    """A registration the import made, for the report: "SE v1 (registration 7): SE01, SE03,
    from 4 Oct 2026 to 29 Sep 2027", its standards and dates as the bundle gave them."""
    codes = ", ".join(r.standards) or "no standard"
    dates = f"from {day_words(r.start_date)} to {day_words(r.planned_end)}"
    return f"{framework} (registration {registration_id}): {codes}, {dates}"
