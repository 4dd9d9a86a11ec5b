"""What the centre that sent an item in a bundle said it decided about it: shown on the evidence
page as that centre's word, never as a decision of this centre."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, bindparam
from sqlmodel import Session, col, select

from mappings.assessment.models import ReceivedRecord

_EVIDENCE_ID: BindParameter[int] = bindparam("evidence_id")


@dataclass(frozen=True)
class ReceivedRow:
    """A decision or judgement of the centre that sent this item in an unverified bundle."""

    at: datetime
    kind: str
    subject: str
    outcome: str
    method: str | None
    note: str
    by: str  # name and e-mail as that centre gave them: text, nobody here
    centre: str
    signature: str


_RECEIVED = (
    select(ReceivedRecord)
    .where(col(ReceivedRecord.evidence_id) == _EVIDENCE_ID)
    .order_by(col(ReceivedRecord.at), col(ReceivedRecord.id))
)


def received_rows(session: Session, evidence_id: int) -> list[ReceivedRow]:
    rows = session.exec(_RECEIVED, params={"evidence_id": evidence_id})
    return [
        ReceivedRow(
            at=r.at,
            kind=r.kind,
            subject=r.subject,
            outcome=r.outcome,
            method=r.method,
            note=r.note,
            by=" ".join(filter(None, (r.by_name, f"<{r.by_email}>" if r.by_email else ""))),
            centre=r.centre,
            signature=r.signature,
        )
        for r in rows
    ]
