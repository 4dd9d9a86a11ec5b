"""A version the witness confirmed is not asked about again: ``witness.request`` refuses, and
the testimony's page shows, in place of the form, who confirmed it and when, in words, with how
a new version can be asked about. A confirmation covers only the version it names."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from portfolio.models import EvidenceVersion, WitnessConfirmation
from portfolio.words import day_words, local


def confirmation_of(session: Session, version: EvidenceVersion) -> WitnessConfirmation | None:
    """The witness's confirmation of ``version``: their newest answer about it, if it confirms
    it (None if they never answered about it, or last said it is not accurate)."""
    row = session.exec(
        select(WitnessConfirmation)
        .where(
            WitnessConfirmation.version_id == version.id,
            col(WitnessConfirmation.answered_at).is_not(None),
        )
        .order_by(col(WitnessConfirmation.answered_at).desc(), col(WitnessConfirmation.id).desc())
        .limit(1)
    ).first()
    return row if row is not None and row.answer == "accurate" else None


def confirmed_words(
    row: WitnessConfirmation,
    version: EvidenceVersion,
    *,
    draft: bool,
    yours: bool,
    learner: str,
    zone: ZoneInfo,
    refused: bool = False,
) -> str:
    """Why the witness is not asked about the latest submitted version, which they confirmed:
    who confirmed which version, when, and how a new version can be confirmed. ``refused``: said
    to a request refused ("...: nothing was sent."), else on the page in place of the form."""
    name = str((version.fields or {}).get("witness_name") or "").strip()
    who = (
        f"the witness, {name} ({row.witness_email}),"
        if name
        else f"the witness ({row.witness_email})"
    )
    answered = day_words(local(row.answered_at or row.requested_at, zone).date())
    submitted = day_words(local(version.declared_at or version.created_at, zone).date())
    said = (
        f"On {answered} {who} confirmed the version {'you' if yours else learner} submitted on "
        f"{submitted}. The witness is not asked again about a version they confirmed"
        + (": nothing was sent." if refused else ".")
    )
    if yours:
        then = (
            "If you submit your draft changes, you can then ask the witness to confirm the new "
            "version."
            if draft
            else "If you change the testimony and submit it again, you can ask the witness to "
            "confirm the new version."
        )
    else:
        then = (
            f"If {learner} submits the draft changes made since, the witness can be asked to "
            "confirm the new version."
            if draft
            else f"If {learner} changes the testimony and submits it again, the witness can be "
            "asked to confirm the new version."
        )
    return f"{said} {then}"
