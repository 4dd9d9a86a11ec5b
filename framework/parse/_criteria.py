"""Sub-criteria of older NOS (``P4.1``, ``P4.2`` under ``P4 ... including:``), the same way for every
NOS reader: each sub-criterion is a criterion of its own, code ``P4.1``, so it can be assessed by
itself; the statement it hangs from is not a criterion but the start of each sub-criterion's text
("keep the work area safe, including: storing tools ..."). A numbered item without sub-items is
kept as it is."""

from __future__ import annotations

from framework.spec import CriterionKind, CriterionSpec

LETTERS: dict[str, str] = {"performance": "P", "knowledge": "K", "assessment": "AC"}


def fold_sub_criteria(items: list[tuple[CriterionKind, str, str]]) -> list[CriterionSpec]:
    """``items``: (kind, printed number such as ``"4"`` or ``"4.1"``, text) in document order.
    Returns the criteria, positions 1..n; codes are the kind's letter and the number."""
    parents = {(kind, number.partition(".")[0]) for kind, number, _ in items if "." in number}
    stems: dict[tuple[CriterionKind, str], str] = {}
    out: list[CriterionSpec] = []
    for kind, number, text in items:
        if "." not in number and (kind, number) in parents:
            stems[(kind, number)] = text
            continue
        stem = stems.get((kind, number.partition(".")[0])) if "." in number else None
        out.append(
            CriterionSpec(
                kind=kind,
                code=f"{LETTERS[kind]}{number}",
                text=f"{stem} {text}" if stem else text,
                position=len(out) + 1,
            )
        )
    return out


def has_sub_criteria(numbers: list[str]) -> bool:
    return any("." in n for n in numbers)
