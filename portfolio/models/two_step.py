"""Two-step verification (TOTP, RFC 6238) of a person's log-in, and their single-use recovery
codes. The TOTP secret is kept as it is (the server must compute the codes from it); of the
recovery codes only their SHA-256 is stored, as of passwords' reset links and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow


class TwoStep(SQLModel, table=True):
    """A person's two-step verification, present while it is turned on."""

    __tablename__ = "two_step"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    # encrypted (portfolio.sealing: a Fernet token); base32 as the app holds it when stored
    # before encryption came (migration 0038), until it is sealed
    secret: str = Field(max_length=255)
    # the last time step (30 s) whose code was accepted: a code is accepted once
    last_step: int = 0
    turned_on_at: datetime = Field(default_factory=utcnow)


class RecoveryCode(SQLModel, table=True):
    """One single-use code for logging in without the phone; shown once, when made."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of the code
    used_at: datetime | None = None
