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
        (["/CFItems/0/lastChangeDateTime: '2017-05-25T18:05:33' is not a 'date-time'"],
         ["/CFItems/0/lastChangeDateTime is not a 'date-time'"]),
        (["/CFItems/0/lastChangeDateTime: '2017-05-25T18:05:33' is not a 'date-time'",
          "/CFItems/1/lastChangeDateTime: '2017-05-25T18:05:29' is not a 'date-time'",
          "/CFAssociations/3/sequenceNumber: '1' is not of type 'integer'"],
         ["/CFItems/…/lastChangeDateTime is not a 'date-time' (in 2 places)",
          "/CFAssociations/3/sequenceNumber is not of type 'integer'"]),
        (["/CFDefinitions: {'CFItemTypes': [{'identifier': 'a', 'description': None..."],
         ["/CFDefinitions is not as the schema describes it"]),
        (["/CFDocument: 'creator' is a required property"],
         ["/CFDocument: 'creator' is a required property"]),
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
