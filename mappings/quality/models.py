"""Tables of internal quality assurance: the strategy, cycles, samples, reviews, actions, EQA grants.

Reviews and decision checks are appended once per sample; actions change status only forward
(open -> responded -> closed); EQA grants end by themselves at ``expires_at``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow

SAMPLE_KINDS = ("interim", "summative")
ADDED_BY = ("planner", "iqa")
OUTCOMES = ("agree", "disagree")
ACTION_STATES = ("open", "responded", "closed")


class SamplingStrategy(SQLModel, table=True):
    """The centre's written sampling strategy (one row), as data.

    ``data`` is :meth:`mappings.quality.sampling.SamplingStrategy.to_dict` (rates by assessor status,
    CAMERA dimensions, raising the rate after disagreements); ``interim`` and ``summative`` say
    which kinds of record are sampled."""

    __tablename__ = "iqa_strategy"

    id: int | None = Field(default=None, primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    interim: bool = True
    summative: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="person.id")


class SamplingCycle(SQLModel, table=True):
    __tablename__ = "iqa_cycle"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    start_date: date
    end_date: date
    iqa_id: int = Field(foreign_key="person.id", index=True)
    # the strategy as it was when the cycle was created: {"strategy": {...}, "interim": b, ...}
    strategy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seed: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int = Field(foreign_key="person.id")
    planned_at: datetime | None = None
    # the centre's time zone (IANA name, its ``TIME_ZONE``) when the cycle was created: the
    # cycle's days are its days. None: a cycle created before it was kept (migration 0056),
    # whose days stay UTC days, so the decisions it holds do not change
    time_zone: str | None = Field(default=None, max_length=64)


class Sample(SQLModel, table=True):
    """One assessment decision chosen for review: a sign-off (summative) or the decisions on a
    standard not yet signed off (interim)."""

    __tablename__ = "iqa_sample"
    # planning again deletes the planner's samples: their ids (in links, the API and the trail)
    # are never given to new ones (migration 0053)
    __table_args__ = (
        UniqueConstraint("cycle_id", "decision_key", name="uq_sample_cycle_key"),
        IDS_NEVER_GIVEN_AGAIN,
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="iqa_cycle.id", index=True)
    decision_key: str = Field(max_length=64)  # the planner's id: S<signoff> or I<reg>-<std>-<who>
    kind: str = Field(max_length=16)  # interim | summative
    registration_id: int = Field(foreign_key="registration.id", index=True)
    learner_id: int = Field(foreign_key="person.id", index=True)
    standard_id: int = Field(foreign_key="standard.id")
    signoff_id: int | None = Field(default=None, foreign_key="signoff.id")
    assessor_id: int = Field(foreign_key="person.id", index=True)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    added_by: str = Field(default="planner", max_length=16)  # planner | iqa
    position: int = 0
    dropped: bool = False
    dropped_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SampleReview(SQLModel, table=True):
    __tablename__ = "iqa_review"

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="iqa_sample.id", unique=True)
    outcome: str = Field(max_length=16)  # agree | disagree
    feedback: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewed_by: int = Field(foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow)
    reopened_signoff: bool = False


class SampleDecisionCheck(SQLModel, table=True):
    """The IQA's view of one assessor decision inside a reviewed sample."""

    __tablename__ = "iqa_decision_check"
    __table_args__ = (
        UniqueConstraint("review_id", "decision_id", name="uq_decision_check_review_decision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="iqa_review.id", index=True)
    decision_id: int = Field(foreign_key="decision.id")
    agree: bool
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Action(SQLModel, table=True):
    """Something the assessor must do after a review."""

    __tablename__ = "iqa_action"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="iqa_review.id", index=True)
    sample_id: int = Field(foreign_key="iqa_sample.id", index=True)
    assessor_id: int = Field(foreign_key="person.id", index=True)
    set_by: int = Field(foreign_key="person.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    due_date: date
    status: str = Field(default="open", max_length=16)  # open | responded | closed
    response: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    responded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closed_by: int | None = Field(default=None, foreign_key="person.id")


class EqaAccess(SQLModel, table=True):
    """A time-boxed, read-only grant for an external quality assurer to one cycle's samples."""

    __tablename__ = "eqa_access"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    cycle_id: int = Field(foreign_key="iqa_cycle.id", index=True)
    granted_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
