"""Small shared pieces of the table definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# the table options of a table whose deleted rows' ids must never be given to new rows (a draft's,
# deleted when it is discarded, or an IQA sample's, deleted when the cycle is planned again, are
# named by the audit trail, links and API clients): SQLite's AUTOINCREMENT (migrations 0051 and
# 0053); PostgreSQL's sequences never give an id twice anyway
IDS_NEVER_GIVEN_AGAIN: dict[str, Any] = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """The one clock of the database: aware UTC (SQLModel stores datetimes as UTC)."""
    return datetime.now(UTC)
