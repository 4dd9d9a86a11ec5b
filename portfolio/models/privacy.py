"""Personal data found in evidence: when each text of a version was scanned, and each finding
with what became of it (still found, replaced with a placeholder, or confirmed as intended)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow


class PrivacyScan(SQLModel, table=True):
    """One text of a version scanned: its body (``attachment_id`` None) or one attachment's text.
    A body is scanned again on every save, so its row is replaced; ``findings`` counts what the
    scan found."""

    __tablename__ = "privacy_scan"
    __table_args__ = IDS_NEVER_GIVEN_AGAIN

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="evidenceversion.id", index=True)
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    scanned_at: datetime = Field(default_factory=utcnow)
    findings: int = 0


class PrivacyFinding(SQLModel, table=True):
    """One piece of personal data in a version's body or in an attachment's text.

    ``start``/``end`` are character offsets into that text (``text`` is what stood there).
    ``state``: found (unresolved), replaced (the learner put a placeholder in its place) or
    confirmed (the learner says it is intended); ``decided_by``/``decided_at`` say who and when.
    """

    __tablename__ = "privacy_finding"
    __table_args__ = IDS_NEVER_GIVEN_AGAIN

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="evidenceversion.id", index=True)
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    kind: str = Field(max_length=40)
    start: int
    end: int
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = Field(default="found", max_length=16)  # found | replaced | confirmed
    placeholder: str = Field(default="", max_length=100)
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    found_at: datetime = Field(default_factory=utcnow)
