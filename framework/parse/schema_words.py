"""A CASE package's schema deviations in plain sentences, as an administrator reads them in the
import preview: "“lastChangeDateTime” in CFItems[3] is not a date and time", "CFDocument has no
“creator”, which CASE requires", never jsonschema's own wording with Python's values in it
("'2017-05-25T18:05:33' is not a 'date-time'", "'creator' is a required property"). Each sentence
names its place in words and holds no value from the package but the names of its fields, so the
same deviation in many places reads alike (``warning_groups`` counts them). Pure."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Any

TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a set of fields",
    "null": "empty",
}
FORMATS = {
    "date-time": "a date and time",
    "date": "a date",
    "uri": "a web address (URI)",
    "uuid": "an identifier in the form CASE requires (a UUID)",
}
ENUM_SHOWN = 8  # the allowed values named; more are "…"
_REQUIRED = re.compile(r"^(.*) is a required property$")


def _container(path: Sequence[Any]) -> str:
    """ "CFItems[3]", "CFDocument.licenseURI"; "the package" for the whole of it."""
    words = ""
    for part in path:
        words += f"[{part}]" if isinstance(part, int) else (f".{part}" if words else str(part))
    return words or "the package"


def _subject(path: Sequence[Any]) -> str:
    """What a sentence is about: "“lastChangeDateTime” in CFItems[3]", "CFItems[3]"."""
    if path and isinstance(path[-1], str):
        return f"“{path[-1]}”" + (f" in {_container(path[:-1])}" if len(path) > 1 else "")
    return _container(path)


def _missing(error: Any) -> str:
    found = _REQUIRED.match(str(error.message))
    if found is not None:
        try:
            return str(ast.literal_eval(found.group(1)))
        except (ValueError, SyntaxError):
            return found.group(1)
    return ""


def _unknown_fields(error: Any) -> list[str]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    known = set(schema.get("properties") or {})
    patterns = [re.compile(p) for p in (schema.get("patternProperties") or {})]
    return [
        str(k) for k in instance if k not in known and not any(p.search(str(k)) for p in patterns)
    ]


def _quoted(values: Sequence[Any]) -> str:
    shown = ", ".join(f"“{v}”" for v in values[:ENUM_SHOWN])
    return shown + (", …" if len(values) > ENUM_SHOWN else "")


def sentence(error: Any) -> str:
    """One jsonschema ``ValidationError`` as a sentence (no full stop: a warning is a line)."""
    path = list(error.absolute_path)
    kind, value = error.validator, error.validator_value
    if kind == "required" and (name := _missing(error)):
        return f"{_container(path)} has no “{name}”, which CASE requires"
    if kind == "type":
        wanted = [value] if isinstance(value, str) else list(value)
        return f"{_subject(path)} is not " + " or ".join(TYPES.get(t, t) for t in wanted)
    if kind == "format":
        return f"{_subject(path)} is not {FORMATS.get(str(value), f'in the “{value}” form')}"
    if kind == "enum" and isinstance(value, list):
        return f"{_subject(path)} is not one of {_quoted(value)}"
    if kind == "const":
        return f"{_subject(path)} is not “{value}”"
    if kind == "pattern":
        return f"{_subject(path)} is not in the form CASE requires"
    if kind in ("additionalProperties", "unevaluatedProperties") and (
        extra := _unknown_fields(error)
    ):
        fields = "a field" if len(extra) == 1 else "fields"
        return f"{_container(path)} has {fields} CASE does not know: {_quoted(extra)}"
    return f"{_subject(path)} is not as CASE describes it"
