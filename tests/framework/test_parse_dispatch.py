"""parse()/detect_format() on every real input, bad uploads, fuzzing; our own JSON form."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framework.export_csv import framework_to_csv
from framework.export_docx import standard_to_docx
from framework.export_json import framework_from_json, framework_to_json
from framework.parse import FORMATS, detect_format, parse
from framework.spec import FrameworkFormatError, FrameworkSpec

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent / "data" / "shared"
SEEDS = SHARED / "seeds"
CASE = SHARED / "external" / "case" / "packages"
SUITE = SEEDS / "003_b475007781b3f849.txt"

REAL_FILES = [
    *[(p, "topic-guide") for p in sorted(SEEDS.glob("*.txt")) if p != SUITE],
    (SUITE, "nos-text"),
    *[(p, "case") for p in sorted(CASE.glob("*.json"))],
    (HERE / "data" / "nos_se04.json", "nos-json"),
]


@pytest.mark.parametrize(("path", "fmt"), REAL_FILES, ids=lambda v: getattr(v, "name", v))
def test_real_files_detected_and_parsed(path: Path, fmt: str) -> None:
    data = path.read_bytes()
    assert detect_format(data, path.name) == fmt
    assert detect_format(data, "upload") == fmt  # content decides, not the name
    fw = parse(data, path.name)
    assert fw.source_format == fmt
    assert fw.standards and all(s.criteria for s in fw.standards)


def test_generated_docx_and_csv() -> None:
    fw = parse(SUITE.read_bytes(), SUITE.name)
    docx = standard_to_docx(fw, "SE04")
    assert detect_format(docx, "anything.bin") == "nos-docx"
    assert parse(docx, "se04.docx").standards[0].code == "SE04"
    csv = framework_to_csv(fw).encode()
    assert detect_format(csv, "units") == "csv"
    assert parse(csv, "units.csv").criteria_count() == 188


def test_bom_and_crlf_are_handled() -> None:
    data = b"\xef\xbb\xbf" + SUITE.read_bytes().replace(b"\n", b"\r\n")
    fw = parse(data, "suite.txt")
    assert fw.urn == "LSI SE00" and fw.criteria_count() == 188


def test_code_and_title_options() -> None:
    guide = next(p for p, f in REAL_FILES if f == "topic-guide")
    fw = parse(guide.read_bytes(), guide.name, code="U1", title="Unit one")
    assert (fw.code, fw.standards[0].code, fw.standards[0].title) == ("U1", "U1", "Unit one")
    fw = parse(SUITE.read_bytes(), SUITE.name, code="SUP", title="Supported employment")
    assert (fw.code, fw.title) == ("SUP", "Supported employment")


def test_strict_is_passed_to_case() -> None:
    path = CASE / "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
    assert parse(path.read_bytes(), path.name).warnings
    with pytest.raises(FrameworkFormatError) as err:
        parse(path.read_bytes(), path.name, strict=True)
    assert err.value.place.startswith("/CFAssociations/")


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", "auto", "empty"),
        (b"  \n\t ", "auto", "empty"),
        (b"\x00\x01\x02\x03 binary", "auto", "unrecognised"),
        (b"\x00\x01\x02\x03 binary", "nos-text", "NUL"),
        (b"LSI SE01\n\xe9t\xe9\n", "auto", "not UTF-8"),
        (b"just some prose", "auto", "unrecognised"),
        (b"LSI SE01\nTitle\n", "pdf", "unknown format"),
        (b"not a zip", "nos-docx", "not a zip"),
    ],
)
def test_bad_uploads(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(FrameworkFormatError, match=message) as err:
        parse(data, "upload.bin", fmt)
    assert err.value.place


def test_not_bytes() -> None:
    with pytest.raises(FrameworkFormatError):
        parse("text", "x.txt")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda t: t.encode("utf-8"))),
    st.sampled_from(["x.txt", "x.docx", "x.json", "x.csv", "upload"]),
    st.sampled_from(["auto", *FORMATS]),
)
def test_fuzz_parse_only_format_errors(data: bytes, filename: str, fmt: str) -> None:
    try:
        fw = parse(data, filename, fmt)
    except FrameworkFormatError as exc:
        assert str(exc) and exc.place
        return
    assert isinstance(fw, FrameworkSpec) and fw.standards


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "LSI AB00",
                "LSI AB01",
                "Title",
                "- P1 x",
                "K1 y",
                "Topic Synopsis",
                "s.",
                "Examiner Marking Points",
                "- m",
                '{"CFDocument": {}}',
                "a,b,criterion_text",
                "",
            ]
        ),
        max_size=10,
    )
)
def test_fuzz_parse_structured(lines: list[str]) -> None:
    with contextlib.suppress(FrameworkFormatError):
        parse("\n".join(lines).encode(), "upload")


# -- our own JSON form ------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "fmt"), REAL_FILES, ids=lambda v: getattr(v, "name", v))
def test_json_round_trip(path: Path, fmt: str) -> None:
    fw = parse(path.read_bytes(), path.name)
    text = framework_to_json(fw)
    back = framework_from_json(text)
    assert back == fw
    assert back.content_hash() == fw.content_hash()
    assert json.loads(text)["format"] == "competence-framework"


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"format": "other"}, "/format"),
        ({"title": 3}, "/title"),
        ({"standards": {}}, "/standards"),
        (
            {"standards": [{"code": "X", "criteria": [{"kind": "bad"}]}]},
            "/standards/0/criteria/0/kind",
        ),
        (
            {"standards": [{"code": "X", "criteria": [{"kind": "knowledge", "position": "1"}]}]},
            "/standards/0/criteria/0/position",
        ),
        (
            {"standards": [{"code": "X", "criteria": [{"kind": "knowledge", "position": 1}]}]},
            "/standards/0/criteria/0/code",
        ),
        (
            {
                "standards": [
                    {"code": "X", "criteria": [{"kind": "knowledge", "position": 1, "code": "K1"}]}
                ]
            },
            "/standards/0/criteria/0/text",
        ),
        (
            {
                "standards": [
                    {
                        "code": "X",
                        "criteria": [
                            {"kind": "knowledge", "position": 1, "code": "K1", "text": " "}
                        ],
                    }
                ]
            },
            "/standards/0/criteria/0/text",
        ),
        ({"stages": [{"ref": "A", "standards": [1]}]}, "/stages/0/standards/0"),
        ({"metadata": {"a": 1}}, "/metadata/a"),
    ],
)
def test_json_errors_give_a_pointer(change: dict[str, object], place: str) -> None:
    fw = FrameworkSpec(code="X", title="X")
    document = json.loads(framework_to_json(fw)) | change
    with pytest.raises(FrameworkFormatError) as err:
        framework_from_json(json.dumps(document))
    assert err.value.place == place


@pytest.mark.parametrize("text", ["", "[", "[]", b"\xff"])
def test_json_not_a_document(text: str | bytes) -> None:
    with pytest.raises(FrameworkFormatError):
        framework_from_json(text)


def test_json_default_fields() -> None:
    back = framework_from_json(json.dumps({"format": "competence-framework", "format_version": 1}))
    assert back == dataclasses.replace(FrameworkSpec(code="", title=""), version="")
