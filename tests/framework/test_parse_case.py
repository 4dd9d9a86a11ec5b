"""CASE CFPackages: every package in shared/external/case/packages, strict and lenient."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.parse.case import case_version, parse_case
from framework.spec import FrameworkFormatError

PACKAGES = (
    Path(__file__).resolve().parents[1] / "data" / "shared" / "external" / "case" / "packages"
)
OPENSALT = PACKAGES / "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
VALID = sorted(p for p in PACKAGES.glob("*.json") if p != OPENSALT)

EXPECTED = {  # file: [(standard code, number of criteria)]
    "ItemTypeTestFramework.json": [("ITT", 1)],
    "SequenceNumberFramework.json": [("SNT", 2)],
    "SmartLevelFramework.json": [("1", 10), ("2", 2)],
    "Utf8TestFramework.json": [("U𝑑T", 1)],
    OPENSALT.name: [("CCSS.Math.Content.6.RP.A", 7), ("CCSS.Math.Content.7.RP.A", 7)],
}


def test_every_package_is_covered() -> None:
    assert sorted(p.name for p in PACKAGES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("path", sorted(PACKAGES.glob("*.json")), ids=lambda p: p.stem[:20])
def test_lenient_import(path: Path) -> None:
    fw = parse_case(path.read_bytes(), source=path.name)
    doc = json.loads(path.read_text(encoding="utf-8"))["CFDocument"]
    assert fw.title == doc["title"]
    assert fw.urn == doc["uri"]
    assert fw.source_format == "case"
    assert [(s.code, len(s.criteria)) for s in fw.standards] == EXPECTED[path.name]
    for s in fw.standards:
        assert [c.position for c in s.criteria] == list(range(1, len(s.criteria) + 1))
        assert len({c.code for c in s.criteria}) == len(s.criteria)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_packages_pass_strict_without_warnings(path: Path) -> None:
    fw = parse_case(path.read_bytes(), source=path.name, strict=True)
    assert fw.warnings == []
    assert fw.metadata["case_version"] == "1.0"


def test_sequence_number_orders_siblings() -> None:
    fw = parse_case((PACKAGES / "SequenceNumberFramework.json").read_bytes())
    assert [c.text for c in fw.standards[0].criteria] == [
        "Second added item, but should be first",
        "First Added Item",
    ]


def test_opensalt_export_descendants_flattened_depth_first() -> None:
    fw = parse_case(OPENSALT.read_bytes())
    codes = [c.code.removeprefix("CCSS.Math.Content.") for c in fw.standards[0].criteria]
    assert codes == [
        "6.RP.A.1",
        "6.RP.A.2",
        "6.RP.A.3",
        "6.RP.A.3a",
        "6.RP.A.3b",
        "6.RP.A.3c",
        "6.RP.A.3d",
    ]
    assert fw.code == "WSCB"
    assert "exactMatchOf: 16" in fw.metadata["other_associations"]


def test_opensalt_export_lenient_records_deviations() -> None:
    fw = parse_case(OPENSALT.read_bytes())
    assert len(fw.warnings) == 59  # the count SOURCES.md gives for v1p0 with date-time checked
    assert any("lastChangeDateTime" in w and "not a date and time" in w for w in fw.warnings)
    assert all(w.startswith("/") for w in fw.warnings)


def test_opensalt_export_strict_fails_with_pointer() -> None:
    with pytest.raises(FrameworkFormatError) as err:
        parse_case(OPENSALT.read_bytes(), source="opensalt.json", strict=True)
    assert err.value.place == "/CFAssociations/0/lastChangeDateTime"
    assert err.value.source == "opensalt.json"


def test_version_detection() -> None:
    assert case_version({"CFDocument": {"caseVersion": "1.1"}}) == "1.1"
    assert case_version({"CFDocument": {"uri": "https://x/ims/case/v1p1/CFDocuments/1"}}) == "1.1"
    assert case_version({"CFDocument": {"uri": "https://x/ims/case/v1p0/CFDocuments/1"}}) == "1.0"


def _package(items: list[dict[str, object]], links: list[tuple[str, str]]) -> str:
    doc = {
        "identifier": "doc",
        "uri": "u:doc",
        "title": "Tiny Test",
        "creator": "me",
        "lastChangeDateTime": "2020-01-01T00:00:00Z",
    }
    assocs = [
        {
            "identifier": f"a{n}",
            "uri": f"u:a{n}",
            "associationType": "isChildOf",
            "lastChangeDateTime": "2020-01-01T00:00:00Z",
            "originNodeURI": {"identifier": c, "uri": f"u:{c}", "title": c},
            "destinationNodeURI": {"identifier": p, "uri": f"u:{p}", "title": p},
        }
        for n, (c, p) in enumerate(links)
    ]
    return json.dumps({"CFDocument": doc, "CFItems": items, "CFAssociations": assocs})


def test_mixed_top_level_and_kinds() -> None:
    items = [
        {"identifier": "u1", "fullStatement": "Unit one", "humanCodingScheme": "U1"},
        {
            "identifier": "k",
            "fullStatement": "Know it",
            "CFItemType": "Knowledge",
            "listEnumeration": "a",
        },
        {
            "identifier": "s",
            "fullStatement": "Do it",
            "CFItemType": "Skill",
            "listEnumeration": "b",
        },
        {"identifier": "loose", "fullStatement": "A loose statement"},
        {"identifier": "orphan", "fullStatement": "Nobody's child"},
    ]
    links = [("u1", "doc"), ("k", "u1"), ("s", "u1"), ("loose", "doc"), ("ghost", "doc")]
    fw = parse_case(_package(items, links))
    assert [(s.code, [(c.code, c.kind) for c in s.criteria]) for s in fw.standards] == [
        ("U1", [("a", "knowledge"), ("b", "performance")]),
        ("TT", [("1", "assessment")]),
    ]
    assert any("unknown nodes" in w for w in fw.warnings)
    assert any("not under the document" in w for w in fw.warnings)


def test_cycle_is_cut() -> None:
    items = [{"identifier": x, "fullStatement": x} for x in ("a", "b", "c")]
    fw = parse_case(_package(items, [("a", "doc"), ("b", "a"), ("c", "b"), ("b", "c")]))
    assert [c.text for c in fw.standards[0].criteria] == ["b", "c"]
    assert fw.warnings


@pytest.mark.parametrize(
    ("data", "place"),
    [
        (b"", "line 1"),
        (b"{not json", "line 1"),
        (b"[1, 2]", "/CFDocument"),
        (b'{"CFDocument": {"title": "x"}}', "/CFDocument/identifier"),
        (b'{"CFDocument": {"identifier": "d", "title": "x"}, "CFItems": {}}', "/CFItems"),
        (b'{"CFDocument": {"identifier": "d", "title": "x"}, "CFItems": []}', "/CFItems"),
        (b'{\n"CFDocument": "\x00"}', "line 2"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "line 1"),
    ],
)
def test_bad_packages(data: bytes, place: str) -> None:
    with pytest.raises(FrameworkFormatError) as err:
        parse_case(data, source="p.json")
    assert err.value.place == place


def test_strict_on_a_broken_package_names_the_field() -> None:
    bad = json.loads((PACKAGES / "SmartLevelFramework.json").read_text(encoding="utf-8"))
    del bad["CFDocument"]["creator"]
    with pytest.raises(FrameworkFormatError) as err:
        parse_case(json.dumps(bad), strict=True)
    assert err.value.place == "/CFDocument"
    assert "creator" in err.value.message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
case_keys = st.sampled_from(
    [
        "CFDocument",
        "CFItems",
        "CFAssociations",
        "identifier",
        "title",
        "fullStatement",
        "originNodeURI",
        "destinationNodeURI",
        "associationType",
        "isChildOf",
        "sequenceNumber",
    ]
)
case_like = st.recursive(
    st.none() | st.integers() | case_keys | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(case_keys, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(json_values, case_like), st.booleans())
def test_fuzz_only_format_errors(value: object, strict: bool) -> None:
    with contextlib.suppress(FrameworkFormatError):
        parse_case(json.dumps(value), strict=strict)


def test_a_chain_deeper_than_any_framework_is_a_clear_error() -> None:
    depth = 2_000  # past Python's recursion limit, which the old walk hit
    items = [{"identifier": f"i{n}", "fullStatement": f"Item {n}"} for n in range(depth)]
    links = [("i0", "doc")] + [(f"i{n}", f"i{n - 1}") for n in range(1, depth)]
    with pytest.raises(FrameworkFormatError, match="levels deep") as err:
        parse_case(_package(items, links), source="deep.json")
    assert err.value.place == "/CFAssociations"


def test_nested_items_are_flattened_with_their_outline() -> None:
    items = [{"identifier": f"i{n}", "fullStatement": f"Item {n}"} for n in range(6)]
    links = [("i0", "doc"), ("i1", "i0"), ("i2", "i1"), ("i3", "i2"), ("i4", "i1"), ("i5", "i0")]
    fw = parse_case(_package(items, links))
    assert [(c.code, c.text) for c in fw.standards[0].criteria] == [
        ("1", "Item 1"),
        ("1.1", "Item 2"),
        ("1.1.1", "Item 3"),
        ("1.2", "Item 4"),
        ("2", "Item 5"),
    ]


def test_a_number_too_long_to_read_is_a_clear_error_not_a_crash() -> None:
    """Python reads at most 4,300 digits of an integer: longer is refused as not JSON."""
    text = _package([], []).replace('"creator": "me"', '"creator": "me", "n": ' + "9" * 5001)
    with pytest.raises(FrameworkFormatError, match="not JSON") as err:
        parse_case(text, source="big.json")
    assert "big.json" in str(err.value)


@pytest.mark.parametrize("declared", ["2.0", "1.2", 3])
def test_a_case_version_this_program_does_not_read_is_refused_saying_so(declared) -> None:
    """Read as 1.0 before: a later version's meaning is not known here, so it is not guessed."""
    package = json.loads((PACKAGES / "SmartLevelFramework.json").read_text(encoding="utf-8"))
    package["CFDocument"]["caseVersion"] = declared
    for strict in (False, True):
        with pytest.raises(FrameworkFormatError) as refused:
            parse_case(json.dumps(package), "smart.json", strict=strict)
        assert refused.value.place == "/CFDocument/caseVersion"
        assert f"CASE version {declared}" in str(refused.value)
        assert "reads CASE 1.0 and 1.1" in str(refused.value)


def test_text_holding_half_a_utf16_pair_is_refused_with_its_place() -> None:
    """JSON may write "\\ud800" alone: such text cannot be stored or hashed (it failed when
    the framework was loaded, after the preview had shown it). A real pair is an emoji."""
    package = json.loads((PACKAGES / "SmartLevelFramework.json").read_text(encoding="utf-8"))
    package["CFItems"][1]["fullStatement"] = "Smile \U0001f600"
    assert parse_case(json.dumps(package), "smart.json")  # \\ud83d\\ude00: one character
    package["CFItems"][1]["fullStatement"] = "Half \ud800 a pair"
    with pytest.raises(FrameworkFormatError) as refused:
        parse_case(json.dumps(package), "smart.json")
    assert refused.value.place == "/CFItems/1/fullStatement"
    assert "not valid Unicode" in str(refused.value)


def test_items_in_a_cycle_or_under_a_missing_parent_are_named_in_the_warning() -> None:
    """Which statements were left out, so the centre can find them in its source: a count
    alone did not say."""
    items = [
        {"identifier": "u1", "fullStatement": "Unit one", "humanCodingScheme": "U1"},
        {"identifier": "k", "fullStatement": "Know it", "humanCodingScheme": "U1.K1"},
        {"identifier": "x", "fullStatement": "Loop one", "humanCodingScheme": "X1"},
        {"identifier": "y", "fullStatement": "Loop two"},
        {"identifier": "z", "fullStatement": "Lost child", "humanCodingScheme": "Z9"},
    ]
    links = [("u1", "doc"), ("k", "u1"), ("x", "y"), ("y", "x"), ("z", "ghost")]
    fw = parse_case(_package(items, links))
    [warning] = [w for w in fw.warnings if "not under the document" in w]
    assert "3 CFItems" in warning and "X1, y, Z9" in warning, warning
