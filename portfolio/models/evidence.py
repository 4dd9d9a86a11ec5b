"""Evidence: a learner's item with immutable versions and content-addressed attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, func, literal_column
from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow

KINDS = {
    "reflective_account": "Reflective account",
    "star_narrative": "STAR narrative",
    "review_note": "Review note",
    "witness_testimony": "Witness testimony",
    "observation_record": "Observation record",
    "professional_discussion": "Professional discussion",
    "product": "Product",
    "other": "Other",
}
ASSESSOR_KINDS = ("observation_record", "professional_discussion")


class Evidence(SQLModel, table=True):
    # a learner's list in each order (newest or oldest activity, title in lower case), read a
    # page at a time from a position (listing.page_after): one range of one index per page
    __table_args__ = (
        Index("ix_evidence_learner_activity", "learner_id", "activity_date", "id"),
        Index("ix_evidence_learner_title", "learner_id", func.lower(literal_column("title")), "id"),
        IDS_NEVER_GIVEN_AGAIN,
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=300)
    activity_date: date
    status: str = Field(default="draft", max_length=16)  # draft | submitted
    current_version: int = 1
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    # when its content and files were erased (retention or a request); the versions' hashes stay
    erased_at: datetime | None = None


class EvidenceVersion(SQLModel, table=True):
    """One version of an item. A submitted version is never changed; editing makes a new one."""

    __table_args__ = (
        UniqueConstraint("evidence_id", "number", name="uq_version_evidence_number"),
        IDS_NEVER_GIVEN_AGAIN,
    )

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    number: int
    title: str = Field(max_length=300)
    activity_date: date
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # kind-specific fields: STAR sections, witness name/role/relationship
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sha256: str = Field(default="", max_length=64)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    declared_at: datetime | None = None  # learner's declaration of authenticity


class Attachment(SQLModel, table=True):
    __table_args__ = IDS_NEVER_GIVEN_AGAIN

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="evidenceversion.id", index=True)
    sha256: str = Field(max_length=64, index=True)  # content address in the file store
    filename: str = Field(max_length=255)  # the client's name: display only, never a path
    mime: str = Field(max_length=100)
    size: int
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None  # the file is gone from the store once no one else's


class AttachmentReading(SQLModel, table=True):
    """What was read of one attachment, once, in the background: its text within the caps, and
    how long reading it (``extract_ms``) and then working out its version's suggestions
    (``suggest_ms``) took. ``status``: pending, done, truncated (done, but a cap stopped the
    reading) or failed (``error`` says why)."""

    __table_args__ = IDS_NEVER_GIVEN_AGAIN

    id: int | None = Field(default=None, primary_key=True)
    attachment_id: int = Field(foreign_key="attachment.id", unique=True, index=True)
    status: str = Field(default="pending", max_length=16, index=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    chars: int = 0
    pages: int | None = None
    truncated: str = Field(default="", max_length=16)  # "", chars, pages or time
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # no longer written (kept for rows read before revision 0010): an attachment's text is ranked
    # with its version's, and those suggestions are stored per version (version_suggestions)
    suggestions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    attempts: int = 0
    queued_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    extract_ms: int | None = None
    suggest_ms: int | None = None
