"""Rules of assessment records that protect data owned by lower packages."""

from __future__ import annotations

from sqlmodel import Session, col, select

from mappings.assessment.models import SignOff
from portfolio.models import Standard


def signed_standards_stay(
    session: Session, registration_id: int, standard_ids: list[int]
) -> str | None:
    """A standard signed off on a registration cannot be taken off it (reopen it first)."""
    if not standard_ids:
        return None
    codes = session.exec(
        select(Standard.code)
        .join(SignOff, col(SignOff.standard_id) == Standard.id)
        .where(
            SignOff.registration_id == registration_id,
            SignOff.status == "signed",
            col(SignOff.standard_id).in_(standard_ids),
        )
    ).all()
    if codes:
        return (
            f"{', '.join(sorted(set(codes)))} is signed off for this learner and cannot be taken off "
            "the registration; reopen the sign-off first."
        )
    return None
