"""A lenient CASE import's schema warnings as an administrator reads them: one line per kind of
deviation with the number of places, not one line per place with JSON values in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.parse.case import parse_case
from framework.parse.warning_groups import group_warnings

CASE = Path(__file__).parents[1] / "data/shared/external/case/packages"


@pytest.mark.parametrize(
    ("warnings", "grouped"),
    [
        ([], []),
        (["the framework code “x y” in the package is not a code; not used"],
         ["the framework code “x y” in the package is not a code; not used"]),
        (["/CFItems/0/lastChangeDateTime: “lastChangeDateTime” in CFItems[0] is not a date and time"],
         ["“lastChangeDateTime” in CFItems[0] is not a date and time"]),
        (["/CFItems/0/lastChangeDateTime: “lastChangeDateTime” in CFItems[0] is not a date and time",
          "/CFItems/1/lastChangeDateTime: “lastChangeDateTime” in CFItems[1] is not a date and time",
          "/CFAssociations/3/sequenceNumber: “sequenceNumber” in CFAssociations[3] is not a whole number"],
         ["“lastChangeDateTime” in CFItems[…] is not a date and time (in 2 places)",
          "“sequenceNumber” in CFAssociations[3] is not a whole number"]),
        (["/CFDefinitions: “CFDefinitions” is not as CASE describes it"],
         ["“CFDefinitions” is not as CASE describes it"]),
        (["/CFDocument: CFDocument has no “creator”, which CASE requires"],
         ["CFDocument has no “creator”, which CASE requires"]),
        (["/CFAssociations/4: item has a second parent; skipped",
          "/CFAssociations/5: item has a second parent; skipped"],
         ["/CFAssociations/4: item has a second parent; skipped",
          "/CFAssociations/5: item has a second parent; skipped"]),
    ],
)  # fmt: skip
def test_warnings_are_grouped_by_kind(warnings: list[str], grouped: list[str]) -> None:
    assert group_warnings(warnings) == grouped


def test_the_opensalt_package_reads_in_a_few_lines() -> None:
    """The 59 schema deviations of a real OpenSALT export come down to a handful of lines, none
    with a timestamp or a Python value in it."""
    path = next(CASE.glob("opensalt-framework-*.json"))
    lines = group_warnings(parse_case(path.read_bytes(), source=path.name).warnings)
    assert 1 < len(lines) <= 10
    assert not any("2017-" in line or "None" in line for line in lines)
    assert any(line.endswith("places)") for line in lines)
