"""LTI 1.3: the platforms (VLEs such as Moodle) an administrator registered, the people their
launches were matched to, and the nonces already used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portfolio.models.base import IDS_NEVER_GIVEN_AGAIN, utcnow

# what a platform's e-mail addresses may link, from the least to the most trusting
EMAIL_LINKS = ("none", "learners", "staff")
# the roles an account holds that a platform's e-mail address alone never links, under the
# default rule ("learners")
STAFF_ROLES = frozenset({"admin", "assessor", "iqa", "eqa"})


class LtiPlatform(SQLModel, table=True):
    """A VLE registered by an administrator: who signs its launches and where its keys are."""

    __tablename__ = "lti_platform"
    # a removed platform's id (in the trail, in a form still open) is never given to a new one
    # (migration 0053)
    __table_args__ = (
        UniqueConstraint("issuer", "client_id", name="uq_lti_platform_client"),
        IDS_NEVER_GIVEN_AGAIN,
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    issuer: str = Field(max_length=255, index=True)  # the platform's `iss`, e.g. its address
    client_id: str = Field(max_length=255)  # what the platform calls this tool (`aud`)
    deployment_ids: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    auth_login_url: str = Field(max_length=500)  # the platform's OIDC authorisation endpoint
    token_url: str = Field(max_length=500)  # its OAuth 2 token endpoint (kept for services)
    jwks_url: str = Field(max_length=500)  # its public key set
    # which unlinked accounts a launch may link by the e-mail it brings (EMAIL_LINKS): the
    # centre's decision, made when the platform is registered
    email_links: str = Field(default="learners", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def deployments(self) -> list[str]:
        return [d for d in self.deployment_ids.splitlines() if d]


class LtiLink(SQLModel, table=True):
    """A person of the platform (issuer and `sub`) matched to an account here: stored on the
    first launch matched by e-mail, used on every later one whatever e-mail it brings."""

    __tablename__ = "lti_link"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_lti_link_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_launch_at: datetime = Field(default_factory=utcnow)


class LtiNonce(SQLModel, table=True):
    """A nonce of an accepted launch: a second launch with it is a replay and is refused."""

    __tablename__ = "lti_nonce"

    id: int | None = Field(default=None, primary_key=True)
    nonce_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of issuer and nonce
    used_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
