"""The ``int`` of every address (``/evidence/<int:evidence_id>``) is at most 2**31 - 1: a larger
number names nothing (404) instead of reaching the database, which cannot hold it (SQLite's
integers are 64-bit, PostgreSQL's integer columns 32-bit: it was a server error)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def openapi_schema(_converter: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": MAX_ID}
