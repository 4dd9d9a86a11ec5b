"""The sending centre's record: what an unverified bundle's assessors decided, kept as text.

When no trusted key verifies a bundle's signature, its decisions, VACSR judgements and sign-offs
have no authority here (nor does its word on who wrote a version, when not the learner). They are not recreated as decisions (which count towards coverage and
name a local person); each becomes a :class:`ReceivedRecord` row holding the people's names and
e-mail addresses as text, shown beside the evidence as "decisions made at the sending centre".

Pure: records in, rows out; the caller adds them to its session.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from exports.bundle.manifest import ClaimRecord, JudgementRecord, SignOffRecord, VersionRecord
from mappings.assessment.claims import VACSR
from mappings.assessment.models import ReceivedRecord
from mappings.assessment.recorded import AUTHORSHIP, version_subject
from portfolio.services.people import without_controls

CENTRE_MAX = 200


def text(value: str, limit: int | None = None) -> str:
    """Free text of a bundle as it may be stored on every backend: no NUL, at most ``limit``."""
    value = value.replace("\x00", "")
    return value[:limit] if limit is not None else value


@dataclass(frozen=True)
class Sender:
    """Who sent the bundle and how far it is believed: the fields every received row shares."""

    learner_id: int
    centre: str
    signature: str  # unsigned | untrusted | invalid
    key: str | None
    names: Mapping[str, str]  # e-mail -> name, as the bundle's people give them (checked)

    def row(
        self,
        *,
        by: str | None,
        evidence_id: int | None,
        kind: str,
        subject: str,
        outcome: str,
        at: datetime,
        note: str,
        method: str | None = None,
    ) -> ReceivedRecord:
        email = (by or "").strip().lower()
        return ReceivedRecord(
            learner_id=self.learner_id,
            evidence_id=evidence_id,
            kind=kind,
            subject=text(subject, 300),
            outcome=text(outcome, 200),
            method=text(method, 16) if method else None,
            note=text(note),
            at=at,
            by_email=email,
            by_name=self.names.get(email, ""),
            centre=text(without_controls(self.centre), CENTRE_MAX),
            signature=self.signature,
            key_fingerprint=self.key,
        )


def decisions(sender: Sender, claim: ClaimRecord, evidence_id: int) -> Iterator[ReceivedRecord]:
    """One row for each decision of the claim's history."""
    subject = f"{claim.criterion.standard} {claim.criterion.code}"
    for d in claim.decisions:
        yield sender.row(
            by=d.actor,
            evidence_id=evidence_id,
            kind="decision",
            subject=subject,
            outcome=d.new_status,
            method=d.method,
            note=d.feedback,
            at=d.at,
        )


def authorship(sender: Sender, v: VersionRecord, evidence_id: int) -> ReceivedRecord:
    """Who wrote a version, when the bundle names someone other than its learner (an assessor's
    observation record): the version is kept under the learner's portfolio, its author as text."""
    return sender.row(
        by=v.created_by,
        evidence_id=evidence_id,
        kind=AUTHORSHIP,
        subject=version_subject(v.number),
        outcome="written",
        note="",
        at=v.created_at,
    )


def recorded(sender: Sender, v: VersionRecord, evidence_id: int) -> ReceivedRecord:
    """A version the bundle says was written at another centre still (``recorded_by``): its
    author and that centre as the bundle gives them, as text."""
    assert v.recorded_by is not None
    said = v.recorded_by
    row = authorship(sender, v, evidence_id)
    row.by_email = text(without_controls(said.email).lower(), 320)
    row.by_name = text(without_controls(said.name), 200)
    row.centre = text(without_controls(said.centre), CENTRE_MAX)
    return row


def judgement(sender: Sender, j: JudgementRecord, evidence_id: int) -> ReceivedRecord:
    flags = [f for f in VACSR if getattr(j, f)]
    missing = [f for f in VACSR if not getattr(j, f)]
    outcome = ", ".join(flags) or "none"
    if missing:
        outcome += "; not " + ", ".join(missing)
    return sender.row(
        by=j.actor,
        evidence_id=evidence_id,
        kind="judgement",
        subject=f"version {j.version_number}",
        outcome=outcome,
        note=j.note,
        at=j.at,
    )


def signoff(sender: Sender, s: SignOffRecord) -> ReceivedRecord:
    outcome = f"{s.status} ({s.document_id})"
    note = "\n\n".join(filter(None, (s.summary, s.feedback)))
    return sender.row(
        by=s.assessor,
        evidence_id=None,
        kind="sign-off",
        subject=f"standard {s.standard}",
        outcome=outcome,
        note=note,
        at=s.signed_at,
    )
