"""A parse's warnings as a page shows them: the schema deviations of a lenient CASE import
("/CFItems/12/lastChangeDateTime: '2017-05-25T18:05:33' is not a 'date-time'", one per place)
grouped by kind, "/CFItems/…/lastChangeDateTime is not a 'date-time' (in 40 places)", without
the JSON values. Other warnings are kept as they are. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SCHEMA = re.compile(r"^(/[^:\s]*): (.*)$")
# a value the validator quotes before saying what is wrong with it
_VALUE = re.compile(
    r"^(?:'[^']*'|-?\d+(?:\.\d+)?|None|True|False|\{.*\}|\[.*\]) "
    r"((?:is not|is too|does not|should not|has non-unique|is valid under) .*)$"
)
_INDEX = re.compile(r"/\d+(?=/|$)")


def _kind(pointer: str, message: str) -> tuple[str, str]:
    """(the place with its list positions as "…", what is wrong) of one schema deviation."""
    value = _VALUE.match(message)
    if value is not None:
        return _INDEX.sub("/…", pointer), " " + value.group(1)
    if message[:1] in "{[":  # a value cut short before the validator's words
        return _INDEX.sub("/…", pointer), " is not as the schema describes it"
    return pointer, ": " + message  # e.g. "'creator' is a required property"


def group_warnings(warnings: Iterable[str]) -> list[str]:
    """One line per kind of deviation, first seen first, with the number of places where more
    than one; a warning that names no place (the package's own checks) is kept as it is."""
    groups: dict[tuple[str, str], list[str]] = {}
    for warning in warnings:
        found = _SCHEMA.match(warning)
        if found is None:
            groups.setdefault(("", warning), []).append(warning)
            continue
        groups.setdefault(_kind(*found.groups()), []).append(found.group(1))
    lines = []
    for (place, what), places in groups.items():
        if not place:
            lines.append(what)
        elif len(places) == 1:
            lines.append(places[0] + what)
        else:
            lines.append(f"{place}{what} (in {len(places)} places)")
    return lines
