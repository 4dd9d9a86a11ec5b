"""Log-in sessions kept on the server, and password-reset links. Only hashes of their tokens are
stored: reading the database gives no one a working cookie or link."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow


class LoginSession(SQLModel, table=True):
    """One log-in: the browser's cookie names it by a random token; ending it logs that browser
    (and any copy of its cookie) out."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of the token
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)  # the sign-in: log-in or VLE launch
    last_seen_at: datetime = Field(default_factory=utcnow)
    # the last time the person gave their password again in this session (making an API token
    # asks for a sign-in or such a confirmation less than 15 minutes old)
    confirmed_at: datetime | None = None
    ended_at: datetime | None = None
    ended_why: str = Field(default="", max_length=20)  # logout | everywhere | password | idle


class PasswordReset(SQLModel, table=True):
    """An e-mailed link to set a new password: single use, expiring."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of the token
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
