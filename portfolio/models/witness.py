"""A witness's confirmation of their testimony, asked for by an e-mailed link: single use,
expiring; only a hash of its token is kept. The answer is the witness's own, made without an
account here: no person of this site is recorded as having given it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow

ANSWERS = {"accurate": "an accurate account", "not_accurate": "not accurate"}


class WitnessConfirmation(SQLModel, table=True):
    """One request to a witness to confirm one submitted version of a witness testimony, and
    (once answered) their answer. The version is named by id and by its content hash, so a
    later version is never covered by it. A later request for the same item replaces it while
    it is unanswered (``replaced_at``, ``replaced_by``)."""

    __tablename__ = "witness_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of the token
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    version_id: int = Field(foreign_key="evidenceversion.id")
    version_number: int
    version_sha256: str = Field(max_length=64)  # the content hash of the version shown
    witness_email: str = Field(max_length=320)
    requested_by: int = Field(foreign_key="person.id")
    requested_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    answered_at: datetime | None = None
    answer: str = Field(default="", max_length=16)  # "" (none yet) | accurate | not_accurate
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # a later request for the same item, sent before this one was answered, withdrew it: the
    # link no longer works (migration 0033)
    replaced_at: datetime | None = None
    replaced_by: int | None = Field(default=None, foreign_key="witness_confirmation.id")
