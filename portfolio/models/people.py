"""People, their roles, cohorts and registrations of learners on standards."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow

ROLES = ("admin", "assessor", "iqa", "learner", "eqa")


def new_session_secret() -> str:
    """A person's session secret: every log-in cookie is tied to it; a new one ends them all."""
    return secrets.token_hex(16)


class Person(SQLModel, table=True):
    # the lists of people and of registrations (by learner) are read by name a page at a time
    # a learner's unique learner number is one person's: two accounts never share it
    __table_args__ = (
        Index("ix_person_name", "name", "id"),
        Index("ix_person_uln", "uln", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(default="", max_length=255)
    roles: str = Field(default="", max_length=100)  # comma-separated subset of ROLES
    active: bool = True
    site: str = Field(default="Main site", max_length=200)
    assessor_status: str = Field(default="standard", max_length=20)  # new | standard | under_review
    session_secret: str = Field(default_factory=new_session_secret, max_length=64)
    failed_logins: int = 0  # failed log-ins in a row
    locked_until: datetime | None = None  # no log-in is tried before then (a growing delay)
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None
    erased_at: datetime | None = None  # personal data erased on request: name and e-mail replaced
    # a learner's unique learner number (ULN, 10 digits with a check digit), which awarding
    # bodies know them by; None: not given (the records then say the centre's own reference)
    uln: str | None = Field(default=None, max_length=10)

    @property
    def role_set(self) -> frozenset[str]:
        return roles_of(self.roles)

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    @property
    def shown_email(self) -> str | None:
        """The e-mail address as pages show it: None once the personal data is erased (what is
        stored then is a placeholder, an internal id in words, never shown)."""
        return None if self.erased_at is not None else self.email


class Cohort(SQLModel, table=True):
    __table_args__ = (Index("ix_cohort_name", "name", "id"),)  # its list, a page at a time

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    site: str = Field(default="Main site", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    # when an administrator closed it; None: open. A closed cohort is offered to no new
    # registration; those in it stay.
    closed_at: datetime | None = None


class Registration(SQLModel, table=True):
    """A learner registered on one version of a framework, with an assessor and an IQA."""

    __table_args__ = (
        UniqueConstraint("learner_id", "framework_id", name="uq_registration_learner_framework"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="person.id", index=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    assessor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    iqa_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    start_date: date
    planned_end: date
    created_at: datetime = Field(default_factory=utcnow)
    # a learner who left the programme: nothing new is mapped, decided or signed off until
    # an administrator reinstates them (both cleared)
    withdrawn_at: date | None = None
    withdrawn_reason: str | None = Field(default=None, max_length=200)
    # a break in learning (maternity leave, long-term sickness) since this day, for this reason,
    # the learner expected back by ``break_until`` if said: the registration stays active, its
    # plans are not overdue meanwhile, and ending the break moves the planned end on (all cleared)
    break_since: date | None = None
    break_reason: str | None = Field(default=None, max_length=200)
    break_until: date | None = None
    # the awarding body's registration (candidate) number for this learner on this qualification;
    # None: not given yet (the records then say the centre's own reference)
    awarding_body_ref: str | None = Field(default=None, max_length=30)


class RegistrationStandard(SQLModel, table=True):
    registration_id: int = Field(foreign_key="registration.id", primary_key=True)
    standard_id: int = Field(foreign_key="standard.id", primary_key=True, index=True)


def roles_of(roles: str) -> frozenset[str]:
    """The roles a person's stored ``roles`` column names (comma-separated)."""
    return frozenset(r for r in roles.split(",") if r)
