"""Reading JSON documents, with errors a person can act on."""

from __future__ import annotations

import json
from typing import Any

from framework.spec import FrameworkFormatError


def load_json(text: str | bytes, source: str = "") -> Any:
    """``json.loads``; bad JSON, bad UTF-8, too deep nesting and numbers too long to read raise
    :class:`FrameworkFormatError`."""
    try:
        return json.loads(text)
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
