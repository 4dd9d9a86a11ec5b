"""The one lock that orders the writers judging a registration's standards.

Deciding a claim, the learner's declaration and signing a standard off each check what stands (is the
standard signed off? is every criterion met?) and then write. On PostgreSQL (READ COMMITTED) two
of them at once would each check before the other wrote: a claim referred while its standard is
signed off would leave a sign-off resting on a referred claim. Each therefore holds the
registration's row (``FOR UPDATE``) before its last check, and checks again what the other may
have committed meanwhile. SQLite writes one transaction at a time (``BEGIN IMMEDIATE``), so there
nothing is held and no statement is spent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, SignOff
from portfolio.models import Evidence, Registration, RegistrationStandard

_HELD = "mappings.assessment.holds"  # session.info: (transaction, registration ids it holds)


def concurrent(session: Session) -> bool:
    """Whether writers of this database run side by side (PostgreSQL), so checks need a hold."""
    return session.get_bind().dialect.name == "postgresql"


def hold_registration(session: Session, registration_id: int) -> date | None:
    """Hold the registration's row until this transaction ends (waiting for a writer holding it);
    the day the learner withdrew from it, as committed now (None while active): an administrator
    withdrawing the learner holds the row too, so a writer that waited for them is refused."""
    withdrawn: date | None = session.execute(
        sa_select(col(Registration.withdrawn_at))
        .where(col(Registration.id) == registration_id)
        .with_for_update()
    ).scalar_one()
    transaction, held = session.info.get(_HELD, (None, set()))
    if transaction is not session.get_transaction():
        transaction, held = session.get_transaction(), set()
    held.add(registration_id)
    session.info[_HELD] = (transaction, held)
    return withdrawn


def share_registrations(session: Session, registration_ids: Iterable[int]) -> None:
    """Hold these registrations' rows from every writer until this transaction ends (``FOR
    SHARE``, in id order; PostgreSQL only): what is read of them next is as the last writer
    committed it, and no writer judging them can change it meanwhile. A summary store takes it
    before it reads anything, so it waits holding nothing another writer waits for; writers
    holding several registrations take them in id order too (:func:`hold_registrations`)."""
    wanted = sorted(set(registration_ids))
    if wanted and concurrent(session):
        session.exec(
            select(Registration.id)
            .where(col(Registration.id).in_(wanted))
            .order_by(col(Registration.id))
            .with_for_update(read=True)
        ).all()


def hold_registrations(session: Session, registration_ids: Iterable[int]) -> None:
    """:func:`hold_registration` of each, in id order (PostgreSQL only; those held already are
    not held again), so two writers holding several never wait for each other in a circle."""
    if concurrent(session):
        for registration_id in sorted(set(registration_ids)):
            if not holding(session, registration_id):
                hold_registration(session, registration_id)


def holding(session: Session, registration_id: int) -> bool:
    """Whether this transaction holds the registration already: what it reads of the
    registration's sign-offs is then as committed, and no other writer can change it."""
    transaction, held = session.info.get(_HELD, (None, set()))
    return transaction is session.get_transaction() and registration_id in held


def signed_now(session: Session, registration_id: int, standard_id: int) -> bool:
    """Whether the standard is signed off in the registration, as committed now."""
    found = session.exec(
        select(SignOff.id).where(
            SignOff.registration_id == registration_id,
            SignOff.standard_id == standard_id,
            SignOff.status == "signed",
        )
    ).first()
    return found is not None


def still_registered(session: Session, registration_id: int, standard_id: int) -> bool:
    """Whether the standard is on the registration, as committed now (an administrator may
    have taken it off)."""
    found = session.exec(
        select(RegistrationStandard.standard_id).where(
            RegistrationStandard.registration_id == registration_id,
            RegistrationStandard.standard_id == standard_id,
        )
    ).first()
    return found is not None


ClaimState = tuple[int, int, str, str | None]  # evidence, criterion, status, method


def claim_states(session: Session, learner_id: int, criteria: Iterable[int]) -> set[ClaimState]:
    """The learner's claims of submitted evidence on ``criteria`` as committed now: what the
    coverage of those criteria rests on."""
    wanted = sorted(set(criteria))
    if not wanted:
        return set()
    rows = session.exec(
        select(Claim.evidence_id, Claim.criterion_id, Claim.status, Claim.method)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .where(
            Evidence.learner_id == learner_id,
            col(Evidence.submitted_at).is_not(None),
            col(Claim.criterion_id).in_(wanted),
        )
    ).all()
    return {(eid, cid, status, method) for eid, cid, status, method in rows}
