"""The table of issued badges: one per sign-off, with its place in the revocation list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow


class Badge(SQLModel, table=True):
    """An Open Badges 3.0 credential issued for a sign-off, as signed (a VC-JWT).

    ``credential_uuid`` names it in its public address; ``status_list`` and ``status_index`` are
    its bit in the revocation list. Whether it is revoked is not stored here: it is revoked when
    its sign-off is no longer signed (reopened), so the list cannot drift from the records."""

    __table_args__ = (
        UniqueConstraint("status_list", "status_index", name="uq_badge_status_entry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    signoff_id: int = Field(foreign_key="signoff.id", unique=True, index=True)
    learner_id: int = Field(foreign_key="person.id", index=True)
    credential_uuid: str = Field(max_length=36, unique=True, index=True)
    status_list: int = 1
    status_index: int
    key_id: str = Field(max_length=64)  # the kid (RFC 7638 thumbprint) of the signing key
    token: str = Field(sa_column=Column(Text, nullable=False))  # the compact VC-JWT
    issued_at: datetime = Field(default_factory=utcnow)
    issued_by: int | None = Field(default=None, foreign_key="person.id")
