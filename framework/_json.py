"""Reading JSON documents, with errors a person can act on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from framework.spec import FrameworkFormatError


def load_json(text: str | bytes, source: str = "") -> Any:
    """``json.loads``; bad JSON, bad UTF-8, too deep nesting and numbers too long to read raise
    :class:`FrameworkFormatError`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkFormatError(
            f"not JSON: {exc.msg}", source=source, place=f"line {exc.lineno}"
        ) from None
    except UnicodeDecodeError as exc:
        raise FrameworkFormatError(
            "not UTF-8: save the file as UTF-8", source=source, place=f"byte {exc.start}"
        ) from None
    except RecursionError:
        raise FrameworkFormatError("JSON nested too deeply", source=source, place="/") from None
    except ValueError as exc:  # a number too long to read (Python's limit on digits)
        raise FrameworkFormatError(f"not JSON: {exc}", source=source, place="/") from None
    try:
        place = lone_surrogate(data)
    except RecursionError:
        raise FrameworkFormatError("JSON nested too deeply", source=source, place="/") from None
    if place is not None:
        raise FrameworkFormatError(NOT_UNICODE, source=source, place=place)
    return data


NOT_UNICODE = (
    "text that is not valid Unicode (half of a UTF-16 pair written alone, such as \\ud800), "
    "which cannot be stored"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(data: Any, place: str = "") -> str | None:
    """The JSON pointer of the first string (or key) in ``data`` holding half of a UTF-16 pair:
    JSON may escape one alone ("\\ud800"), and Python reads it into text that no database or
    hash can encode. A real pair ("\\ud83d\\ude00") is one character and passes."""
    if isinstance(data, str):
        return (place or "/") if _SURROGATE.search(data) else None
    if isinstance(data, dict):
        items: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return place or "/"
        step = str(key).replace("~", "~0").replace("/", "~1")
        found = lone_surrogate(value, f"{place}/{step}")
        if found is not None:
            return found
    return None
