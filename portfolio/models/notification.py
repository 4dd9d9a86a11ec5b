"""In-app notifications: a short text and a link for one person, read or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    link: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
