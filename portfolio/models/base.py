"""Small shared pieces of the table definitions."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The one clock of the database: aware UTC (SQLModel stores datetimes as UTC)."""
    return datetime.now(UTC)
