"""The titles of a bundle's evidence, checked as a title typed here is kept.

A title typed here is kept on one line, without the control and direction-changing characters
that could fake a line or reorder what a page shows (:mod:`portfolio.services.evidence.drafts`).
A bundle's title is refused, not cleaned, when it is not: a version's title is part of the
version's hash, which a sign-off's check recomputes from the stored version. Checked only while
a bundle is read (validation context :data:`READING`), so that a title stored here before titles
were cleaned still exports.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator, ValidationInfo

from portfolio.services.people import first_control

READING: Final = {"reading": True}  # the validation context of a bundle being imported
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_DIRECTION = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _one_line(value: str, info: ValidationInfo) -> str:
    """A title as one typed here is kept: one line, without the marks that reorder or hide what
    a page shows. A bundle's is refused, not cleaned: a version's title is part of its hash.
    Checked on reading only, so that a title stored before titles were cleaned still exports."""
    if not (info.context or {}).get("reading"):
        return value
    if "\x00" in value:
        fault = "a NUL character, which cannot be stored"
    elif any(c in _BREAKS for c in value):
        fault = "a line break"
    elif c := first_control(value):
        which = "a direction-changing" if c in _DIRECTION else "a control"
        fault = f"{which} character (U+{ord(c):04X})"
    else:
        return value
    raise ValueError(f"holds {fault}; a title is one line of plain text, as one typed here")


Title = Annotated[str, AfterValidator(_one_line)]
