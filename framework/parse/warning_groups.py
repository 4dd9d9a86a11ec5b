"""A parse's warnings as a page shows them: the schema deviations of a lenient CASE import
("/CFItems/12/lastChangeDateTime: “lastChangeDateTime” in CFItems[12] is not a date and time",
one per place, each a sentence of :mod:`framework.parse.schema_words` after its JSON pointer)
grouped by kind without the pointer, "“lastChangeDateTime” in CFItems[…] is not a date and time
(in 40 places)". Other warnings are kept as they are. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SCHEMA = re.compile(r"^(/[^:\s]*): (.*)$")
_POSITION = re.compile(r"\[\d+\]")  # a list position in a sentence's place: CFItems[12]
# a sentence of schema_words names its place itself ("“x” in CFItems[3]", "CFDocument has no",
# "the package"); the importer's own warnings after a pointer do not ("item has a second parent")
_NAMES_ITS_PLACE = re.compile(r"“|\bCASE\b|\w\[\d+\]|^the package\b")


def _kind(pointer: str, message: str) -> tuple[str, str]:
    """(the place, what is wrong) of one warning after a pointer: a schema sentence with its list
    positions as "…" and no pointer (it names its place); the importer's own with its pointer."""
    if _NAMES_ITS_PLACE.search(message):
        return "", _POSITION.sub("[…]", message)
    return pointer, ": " + message


def group_warnings(warnings: Iterable[str]) -> list[str]:
    """One line per kind of deviation, first seen first, with the number of places where more
    than one; a warning that names no place (the package's own checks) is kept as it is."""
    groups: dict[tuple[str, str], list[str]] = {}
    for warning in warnings:
        found = _SCHEMA.match(warning)
        if found is None:
            groups.setdefault(("", warning), []).append(warning)
            continue
        pointer, message = found.groups()
        place, what = _kind(pointer, message)
        groups.setdefault((place, what), []).append(message if not place else pointer + what)
    lines = []
    for (_place, what), said in groups.items():
        lines.append(said[0] if len(said) == 1 else f"{what} (in {len(said)} places)")
    return lines
