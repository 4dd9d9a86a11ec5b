"""Tables of the exports: background export jobs and their progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow

KIND_COHORT_SIGNOFFS = "cohort_signoffs"
# deleted: done, its file deleted by an erasure (exports.forget)
JOB_STATES = ("queued", "running", "done", "failed", "deleted")


class ExportJob(SQLModel, table=True):
    """One background export (for example every sign-off document of a cohort, as a zip).

    ``result_path`` is relative to the instance folder and deterministic per job, so a retry
    overwrites the same file instead of leaving a second one behind.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # cohort_signoffs
    # queued -> running -> done | failed; done -> deleted (see JOB_STATES)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="queued", max_length=16, index=True)
    done: int = 0
    total: int = 0
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    result_path: str = Field(default="", max_length=500)
    attempts: int = 0
    created_by: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    queued_at: datetime | None = None  # queued again (a retry) then; None: when it was created
    started_at: datetime | None = None
    finished_at: datetime | None = None
