"""In-app notifications: a short text and a link for one person, read or not; what each person
wants by e-mail for each kind; and the comments on evidence items that notify the other party."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow

# the kinds of notification, in the words of the account settings page
KINDS = {
    "decision": "Decisions on your claims",
    "referral": "Referred claims",
    "comment": "Comments on evidence",
    "submission": "Evidence submitted for a decision",
    "iqa_action": "Actions set by your IQA",
    "iqa_review": "Your IQA's reviews of your decisions",
    "iqa_response": "Responses to the actions you set",
    "eqa_access": "Access granted to sampled portfolios",
    "declaration": "Standards waiting for your declaration",
    "signoff_ready": "Standards ready for you to sign off",
    "plan": "Plans your assessor sets or changes",
    "break": "Breaks in learning",
    "other": "Other notices",
}
# what a person may choose for a kind of e-mail
MODES = {"now": "Straight away", "digest": "In a daily digest", "off": "No e-mail"}


class Notification(SQLModel, table=True):
    # the unread alone (every page's bell counts them; a person's history only grows); an erased
    # person's notification's id (``/notifications/<id>/read``) is never given to a new one
    # (migration 0054)
    __table_args__ = (
        Index(
            "ix_notification_unread",
            "person_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
        IDS_NEVER_GIVEN_AGAIN,
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    link: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    kind: str = Field(default="other", max_length=32)
    # by e-mail: "now", "digest" or "off" (the person's choice when it was made); when it went
    mail: str = Field(default="off", max_length=8, index=True)
    mailed_at: datetime | None = None


class NotificationPreference(SQLModel, table=True):
    """One person's choice for one kind of e-mail (none: straight away)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("person_id", "kind", name="uq_preference_person_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=32)
    mode: str = Field(default="now", max_length=8)


class EvidenceComment(SQLModel, table=True):
    """One message of the conversation on an evidence item, between the learner and their
    assessor; never edited once written, its body blanked (``[erased]``) when the item's
    content is erased."""

    __tablename__ = "evidence_comment"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
