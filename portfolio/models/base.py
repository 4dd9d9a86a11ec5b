"""Small shared pieces of the table definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# the table options of a table whose deleted rows' ids must never be given to new rows (a draft's,
# deleted when it is discarded, an IQA sample's, deleted when the cycle is planned again, or an
# erased person's API token's, are named by the audit trail, links and API clients): SQLite's
# AUTOINCREMENT (migrations 0051, 0053 and 0054); PostgreSQL's sequences never give an id twice
IDS_NEVER_GIVEN_AGAIN: dict[str, Any] = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """The one clock of the database: aware UTC (SQLModel stores datetimes as UTC)."""
    return datetime.now(UTC)
