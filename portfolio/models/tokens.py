"""Personal access tokens for the JSON API. Only the SHA-256 of each token's secret is stored:
reading the database gives no one a working token; the secret is shown once, when it is made."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow


class ApiToken(SQLModel, table=True):
    """One person's token: it acts as them (their roles as they are at each request), limited to
    its scopes, until it is revoked or expires."""

    __tablename__ = "api_token"
    # the trail names a token by its id (in the data of the entries making and revoking it): an
    # erased person's token's id is never given to a new one (migration 0054)
    __table_args__ = IDS_NEVER_GIVEN_AGAIN

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of the secret
    prefix: str = Field(max_length=16)  # the secret's first characters, to recognise it by
    scopes: str = Field(max_length=200)  # space-separated, a subset of tokens.SCOPES
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
