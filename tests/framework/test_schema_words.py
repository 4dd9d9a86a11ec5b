"""A CASE package's schema deviations said in plain sentences (the import preview and
``portfolio framework import`` show them), not in jsonschema's wording with Python's values:
real packages from tests/data and copies of them broken on purpose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framework.parse.case import parse_case
from framework.parse.warning_groups import group_warnings
from framework.spec import FrameworkFormatError

PACKAGES = Path(__file__).parents[1] / "data/shared/external/case/packages"
OPENSALT = next(PACKAGES.glob("opensalt-framework-*.json"))


def _smart() -> dict:
    return json.loads((PACKAGES / "SmartLevelFramework.json").read_text(encoding="utf-8"))


def _said(package: dict) -> list[str]:
    """The warnings of a lenient import, without their JSON pointers."""
    warnings = parse_case(json.dumps(package)).warnings
    return [w.split(": ", 1)[1] for w in warnings if w.startswith("/")]


def test_a_real_packages_deviations_are_sentences() -> None:
    warnings = parse_case(OPENSALT.read_bytes()).warnings
    assert len(warnings) == 59 and all(w.startswith("/") for w in warnings)  # pointers kept
    said = [w.split(": ", 1)[1] for w in warnings]
    assert "“lastChangeDateTime” in CFAssociations[0] is not a date and time" in said
    assert not any("'" in s or "2017-" in s for s in said)
    lines = group_warnings(warnings)
    assert (
        "“lastChangeDateTime” in CFAssociations[…] is not a date and time (in 39 places)" in lines
    )


def _broken(change) -> list[str]:
    package = _smart()
    change(package)
    return _said(package)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda p: p["CFDocument"].pop("creator"), "CFDocument has no “creator”, which CASE requires"),
        (lambda p: p["CFItems"][3].update(lastChangeDateTime="yesterday"),
         "“lastChangeDateTime” in CFItems[3] is not a date and time"),
        (lambda p: p["CFItems"][1].update(fullStatement=7), "“fullStatement” in CFItems[1] is not text"),
        (lambda p: p["CFItems"][0].update(identifier="not-a-uuid"),
         "“identifier” in CFItems[0] is not"),
        (lambda p: p["CFDocument"].update(caseVersion="1.1", shoeSize=44),  # 1.1 allows no others
         "CFDocument has a field CASE does not know: “shoeSize”"),
        (lambda p: p["CFAssociations"][0].update(associationType="likes"),
         "“associationType” in CFAssociations[0] is not one of “isChildOf”"),
    ],
)  # fmt: skip
def test_a_broken_copy_is_said_in_words(change, words: str) -> None:
    said = _broken(change)
    assert any(s.startswith(words) for s in said), said
    assert not any("'" in s for s in said), said


def test_strict_mode_refuses_in_the_same_words() -> None:
    package = _smart()
    del package["CFDocument"]["creator"]
    with pytest.raises(FrameworkFormatError) as refused:
        parse_case(json.dumps(package), strict=True)
    assert refused.value.place == "/CFDocument"
    assert "CASE 1.0 schema: CFDocument has no “creator”, which CASE requires" in str(refused.value)
