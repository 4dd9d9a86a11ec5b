"""Frameworks (suites), their standards (units) and criteria, identified by URN/code and version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portfolio.models.base import utcnow


class Framework(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("code", "version", name="uq_framework_code_version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, index=True)
    urn: str = Field(default="", max_length=128)
    title: str = Field(max_length=500)
    version: str = Field(default="1", max_length=32)
    overview: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_format: str = Field(default="", max_length=32)
    content_hash: str = Field(max_length=64)
    # stages, values, glossary and metadata of the suite introduction
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # the assessment strategy (coverage rules, method codes), as data
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Standard(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("framework_id", "code", name="uq_standard_framework_code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    code: str = Field(max_length=64)
    urn: str = Field(default="", max_length=128)
    title: str = Field(max_length=1000)
    overview: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: str = Field(default="", max_length=32)
    date_approved: str = Field(default="", max_length=64)
    review_date: str = Field(default="", max_length=64)
    validity: str = Field(default="", max_length=64)
    status: str = Field(default="", max_length=64)
    originating_organisation: str = Field(default="", max_length=500)
    occupations: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    keywords: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = 0


class Criterion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("standard_id", "code", name="uq_criterion_standard_code"),)

    id: int | None = Field(default=None, primary_key=True)
    standard_id: int = Field(foreign_key="standard.id", index=True)
    kind: str = Field(max_length=16)  # performance | knowledge | assessment
    code: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    position: int = 0
