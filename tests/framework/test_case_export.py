"""CASE 1.1 export: the real OpenSALT packages keep their identifiers through CASE -> ours -> CASE,
every export validates strictly against the official 1EdTech schema, and a framework that did not
come from CASE gets the same derived identifiers every time."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from framework.case_records import NAMESPACE
from framework.export_case import framework_to_case
from framework.export_json import framework_from_json, framework_to_json
from framework.parse import parse
from framework.parse.case import parse_case
from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkFormatError, FrameworkSpec

CASE = Path(__file__).resolve().parents[1] / "data" / "shared" / "external" / "case"
PACKAGES = sorted((CASE / "packages").glob("*.json"))
CHANGED = "2026-03-01T09:30:00Z"


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        raise ValueError("not an RFC 3339 date-time with a time zone")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@pytest.fixture(scope="module")
def strict() -> jsonschema.protocols.Validator:
    """The official CASE 1.1 CFPackage schema (Draft 2019-09, additionalProperties false where
    it says so), with the uuid and date-time formats checked."""
    schema = json.loads((CASE / "schema" / "case-v1p1-cfpackage.json").read_text("utf-8"))
    checker = jsonschema.FormatChecker(formats=("uuid",))
    checker.checks("date-time", raises=ValueError)(_date_time)
    assert "uuid" in checker.checkers
    return jsonschema.Draft201909Validator(schema, format_checker=checker)


def _errors(validator: jsonschema.protocols.Validator, package: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]


def _ids(package: dict) -> dict[str, object]:
    return {
        "document": (package["CFDocument"]["identifier"], package["CFDocument"]["uri"]),
        "items": {(i["identifier"], i["uri"]) for i in package["CFItems"]},
        "associations": {
            (
                a["identifier"],
                a["uri"],
                a["associationType"],
                a["originNodeURI"]["identifier"],
                a["destinationNodeURI"]["identifier"],
            )
            for a in package["CFAssociations"]
        },
    }


def _content(spec: FrameworkSpec) -> list[tuple[str, list[tuple[str, str, str]]]]:
    return [(s.code, [(c.code, c.kind, c.text) for c in s.criteria]) for s in spec.standards]


def test_the_validator_is_strict(strict) -> None:
    """It refuses what the brief calls strict: an extra field, a missing one, a bad UUID."""
    package = json.loads((CASE / "packages" / "SmartLevelFramework.json").read_text("utf-8"))
    assert _errors(strict, package) == []
    extra = copy.deepcopy(package)
    extra["CFItems"][0]["CFDocumentURI"] = {"identifier": "x"}
    missing = copy.deepcopy(package)
    del missing["CFAssociations"][0]["uri"]
    bad_uuid = copy.deepcopy(package)
    bad_uuid["CFItems"][0]["identifier"] = "item-1"
    for broken in (extra, missing, bad_uuid):
        assert _errors(strict, broken)


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.stem)
def test_real_package_round_trip_keeps_identifiers(path: Path, strict) -> None:
    original = json.loads(path.read_text("utf-8"))
    spec = parse_case(path.read_bytes(), path.name)
    package = framework_to_case(spec, changed=CHANGED)
    assert _errors(strict, package) == []
    assert package["CFDocument"]["caseVersion"] == "1.1"
    before, after = _ids(original), _ids(package)
    assert after["document"] == before["document"]
    assert after["items"] == before["items"]
    # every association the package had, with the same ends; none invented
    assert after["associations"] == before["associations"]
    # the kept records go through our own JSON export and the database's JSON column
    again = framework_from_json(framework_to_json(spec))
    assert framework_to_case(again, changed=CHANGED) == package
    # and reading the export gives the same framework
    assert _content(parse_case(json.dumps(package).encode(), "again.json")) == _content(spec)


def test_opensalt_staging_export_becomes_valid_1_1(strict) -> None:
    """The real OpenSALT export breaks the 1.1 schema 61 ways (CASE 1.0 fields, times without a
    zone); its export keeps the identifiers and times (given a zone) and validates."""
    path = next(p for p in PACKAGES if p.name.startswith("opensalt-framework"))
    original = json.loads(path.read_text("utf-8"))
    assert _errors(strict, original)
    package = framework_to_case(parse_case(path.read_bytes(), path.name), changed=CHANGED)
    assert _errors(strict, package) == []
    stamps = {i["identifier"]: i["lastChangeDateTime"] for i in package["CFItems"]}
    first = original["CFItems"][0]
    assert stamps[first["identifier"]].startswith(first["lastChangeDateTime"][:19])
    assert "CFPackageURI" not in package["CFDocument"]


def test_nested_items_stay_under_their_parent() -> None:
    """An item under a criterion (flattened to a criterion here) is exported under that same
    criterion, through the same association."""
    path = CASE / "packages" / "SmartLevelFramework.json"
    original = json.loads(path.read_text("utf-8"))
    package = framework_to_case(parse_case(path.read_bytes(), path.name), changed=CHANGED)
    parent_of = {
        a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"]
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    expected = {
        a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"]
        for a in original["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    assert parent_of == expected
    assert len(set(parent_of.values())) > 2  # a real tree, not a flat list


@pytest.fixture(scope="module")
def suite(suite_text: str) -> FrameworkSpec:
    return parse_nos_text(suite_text, source="003.txt")


def test_framework_not_from_case_gets_stable_derived_identifiers(suite, strict) -> None:
    package = framework_to_case(suite, changed=CHANGED)
    assert _errors(strict, package) == []
    assert framework_to_case(copy.deepcopy(suite), changed=CHANGED) == package
    doc_id = package["CFDocument"]["identifier"]
    assert doc_id == str(uuid.uuid5(NAMESPACE, f"document:{suite.content_hash()}"))
    assert uuid.UUID(doc_id).version == 5
    se04 = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "SE04")
    assert se04["identifier"] == str(uuid.uuid5(uuid.UUID(doc_id), "standard:SE04"))
    assert se04["uri"] == f"urn:uuid:{se04['identifier']}"
    assert len(package["CFItems"]) == len(suite.standards) + suite.criteria_count()
    # changed content -> other identifiers (this is another framework version)
    changed = copy.deepcopy(suite)
    changed.standards[0].criteria[0] = type(changed.standards[0].criteria[0])(
        kind="performance", code="P1", text="something else", position=1
    )
    assert framework_to_case(changed, changed=CHANGED)["CFDocument"]["identifier"] != doc_id


def test_our_framework_through_case_and_back(suite) -> None:
    package = framework_to_case(suite, changed=CHANGED)
    back = parse(json.dumps(package).encode(), "se.case.json")
    assert back.source_format == "case"
    assert _content(back) == _content(suite)
    assert [s.title for s in back.standards] == [s.title for s in suite.standards]
    assert back.standards[3].overview == suite.standards[3].overview
    # what CASE has no field for comes back from the export's extension: the framework's code
    # and URN, each standard's URN (a bundle from a centre that imported it this way matches)
    assert (back.code, back.urn) == (suite.code, suite.urn) == ("SE", "LSI SE00")
    assert [s.urn for s in back.standards] == [s.urn for s in suite.standards]
    assert back.standards[3].urn == "LSI SE04"
    # and that CASE copy exports under the identifiers it now carries: the same ones
    again = framework_to_case(back, changed=CHANGED)
    assert _ids(again) == _ids(package)
    # and reads back the same a second time (the kept records keep the extension)
    third = parse(json.dumps(again).encode(), "se-again.case.json")
    assert (third.code, third.urn, [s.urn for s in third.standards]) == (
        back.code,
        back.urn,
        [s.urn for s in back.standards],
    )


def test_a_code_in_the_extension_that_is_not_a_code_is_not_used(suite) -> None:
    """A package may say anything in its extension: a code that could not be typed on the
    command line is warned about and the title's initials are used instead."""
    package = framework_to_case(suite, changed=CHANGED)
    ours = package["CFDocument"]["extensions"]["competencePortfolio"]
    ours["code"] = "SE; DROP TABLE"
    back = parse(json.dumps(package).encode(), "odd.case.json")
    assert back.code == "SENOS"  # Supported Employment National Occupational Standards
    assert any("not a code" in w for w in back.warnings)


def test_items_without_statements_or_uuids_still_export_valid(strict) -> None:
    """A lenient import takes items with no fullStatement and identifiers that are not UUIDs;
    the export fills the statement from what was read and gives each a UUID derived from it."""
    package = json.loads((CASE / "packages" / "SequenceNumberFramework.json").read_text("utf-8"))
    del package["CFItems"][0]["fullStatement"]
    package["CFItems"][0]["abbreviatedStatement"] = "Short"
    old_id = package["CFItems"][1]["identifier"]
    package["CFItems"][1]["identifier"] = "item-two"
    for assoc in package["CFAssociations"]:
        for end in ("originNodeURI", "destinationNodeURI"):
            if assoc[end]["identifier"] == old_id:
                assoc[end]["identifier"] = "item-two"
    spec = parse_case(json.dumps(package).encode(), "odd.json")
    out = framework_to_case(spec, changed=CHANGED)
    assert _errors(strict, out) == []
    ids = {i["identifier"] for i in out["CFItems"]}
    derived = str(uuid.uuid5(NAMESPACE, "identifier:item-two"))
    assert derived in ids and "item-two" not in ids
    assert any(i.get("fullStatement") == "Short" for i in out["CFItems"])


def test_the_export_checks_itself_against_the_schema(suite, strict) -> None:
    """The writer holds every package to the same strict validation before writing it."""
    from framework.export_case import case_1_1_errors, framework_to_case_json

    package = framework_to_case(suite, changed=CHANGED)
    assert case_1_1_errors(package) == [] == _errors(strict, package)
    broken = copy.deepcopy(package)
    broken["CFItems"][0]["identifier"] = "not-a-uuid"
    broken["CFDocument"]["CFPackageURI"] = {}
    assert len(case_1_1_errors(broken)) == len(_errors(strict, broken)) == 2
    odd = copy.deepcopy(suite)
    odd.case = {"document": {"identifier": str(uuid.uuid4()), "uri": "u", "title": "T"}}
    odd.case["document"]["extra"] = "not in CASE 1.1"
    with pytest.raises(FrameworkFormatError, match="would not be valid"):
        framework_to_case_json(odd, changed=CHANGED)
