"""The append-only audit trail; each entry carries the hash of the one before.

An entry about a decision, a claim, an evidence version or a sign-off also records the canonical
hash of each such row as the write left it (:class:`AuditRow`); ``row_hash`` binds those records
into the entry's own hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow


class AuditEntry(SQLModel, table=True):
    # an item's history (its page) and a person's (a subject access export) by subject, in order;
    # the administrators' search of the trail by who acted and by action, newest first, a page
    # at a time (each page one range of one index whatever the trail's length)
    __table_args__ = (
        Index("ix_auditentry_subject", "subject_type", "subject_id", "id"),
        Index("ix_auditentry_actor", "actor_id", "id"),
        Index("ix_auditentry_action", "action", "id"),
        Index("ix_auditentry_about", "about_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=64)
    subject_type: str = Field(max_length=64)
    subject_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    # sha256 over the entry's AuditRow records; None when it records no row (and for entries
    # written before rows were recorded, whose hash therefore stays what it was)
    row_hash: str | None = Field(default=None, max_length=64)
    # the entry's place in the trail (1 for the first): the head is read without counting the
    # trail; not hashed (the links are), and checked against the walk by ``audit.verify``
    seq: int | None = None
    # the person the subject belongs to (a learner for their registrations, evidence, claims,
    # sign-offs, plans, declarations and IQA samples), found when the entry is written
    # (``audit_about``): the search "about whom" reads ix_auditentry_about. Not hashed (derived
    # from the subject, which is): entries written before it keep their hashes
    about_id: int | None = None


class AuditRow(SQLModel, table=True):
    """One row an entry records: its table, id and canonical hash after the write (no hash when
    the entry removed the row)."""

    __table_args__ = (Index("ix_auditrow_kind_row", "kind", "row_id", "entry_id"),)

    entry_id: int = Field(foreign_key="auditentry.id", primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    row_id: int = Field(primary_key=True)
    hash: str | None = Field(default=None, max_length=64)


class AuditCheck(SQLModel, table=True):
    """One run of ``portfolio audit verify`` (or a check an administrator started): when, by
    whom (None: the command line), how many entries it walked, whether the trail was intact and,
    if not, the first finding and how many there were. Not part of the trail: checking it does
    not change it."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    by_id: int | None = Field(default=None, foreign_key="person.id")
    entries: int = 0
    intact: bool = True
    findings: int = 0
    first_finding: str = Field(default="", max_length=500)
