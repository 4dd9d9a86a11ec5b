"""Every reader that takes a framework's version from the file checks it as the CSV reader does:
a number, perhaps after a letter or a word ("2", "1.1", "v2", "2024"), never a bare word or a
sign, refused in the same words and naming where in the file it was found."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from framework.export_json import framework_from_json, framework_to_json
from framework.parse import parse
from framework.parse.case import parse_case
from framework.parse.csv_units import parse_csv
from framework.parse.nos_docx import parse_nos_docx
from framework.parse.nos_json import parse_nos_json
from framework.parse.nos_text import parse_nos_text
from framework.spec import CriterionSpec, FrameworkFormatError, FrameworkSpec, StandardSpec

HERE = Path(__file__).resolve().parent
NOS_JSON = HERE / "data" / "nos_se04.json"
CASE = HERE.parent / "data" / "shared" / "external" / "case" / "packages"
CASE_PACKAGE = CASE / "ItemTypeTestFramework.json"
CSV_HEADER = "framework_code,framework_title,version,standard_code,standard_title,kind,"
CSV_HEADER += "criterion_code,criterion_text"

BAD = ["abc", "-1", "v", "1" * 33]
GOOD = ["2", "1.1", "v2", "2024", "1.0.0", "version 4"]


def _said(version: str) -> str:
    return f"version “{version}” is not a version number"


def _suite_text(suite_text: str, version: str) -> str:
    """The real suite with its suite block's version (line 275) replaced."""
    lines = suite_text.split("\n")
    assert lines[274] == "Version number 1"
    lines[274] = f"Version number {version}"
    return "\n".join(lines)


def _docx(version: str) -> bytes:
    document = Document()
    document.add_heading("SKB XY01", level=1)
    document.add_paragraph("Plan and check work")
    document.add_heading("Performance criteria", level=2)
    document.add_paragraph("P1 plan the work")
    document.add_heading("Knowledge and understanding", level=2)
    document.add_paragraph("K1 why plans matter")
    table = document.add_table(rows=0, cols=2)
    for label, value in (("Developed by", "Skills Body"), ("Version number", version)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _nos_json(version: object) -> bytes:
    record = json.loads(NOS_JSON.read_text(encoding="utf-8"))
    record["Version_number"] = version
    return json.dumps(record).encode()


def _case(version: str) -> bytes:
    package = json.loads(CASE_PACKAGE.read_text(encoding="utf-8"))
    package["CFDocument"]["version"] = version
    return json.dumps(package).encode()


def _own_json(version: str) -> bytes:
    fw = FrameworkSpec(
        code="CU",
        title="Centre units",
        version=version,
        standards=[
            StandardSpec("CU1", "Unit", criteria=[CriterionSpec("performance", "P1", "a", 1)])
        ],
    )
    return framework_to_json(fw).encode()


@pytest.mark.parametrize("version", BAD)
def test_a_nos_suites_version_that_is_not_a_number_is_refused_naming_its_line(
    suite_text: str, version: str
) -> None:
    with pytest.raises(FrameworkFormatError) as refused:
        parse_nos_text(_suite_text(suite_text, version), source="003.txt")
    assert refused.value.place == "line 275"
    assert _said(version) in refused.value.message
    assert "write a number such as 1, 1.1 or v2" in refused.value.message


def test_a_nos_suite_without_a_suite_block_has_its_first_standards_version_checked(
    suite_text: str,
) -> None:
    """The framework's version is then the first standard's: its line is named."""
    text = (
        "LSI SE01\nDo a thing\n- P1 do it\n- K1 know it\nDeveloped by\tX\nVersion number\tdraft\n"
    )
    with pytest.raises(FrameworkFormatError) as refused:
        parse_nos_text(text, source="s.txt")
    assert refused.value.place == "line 6"
    assert _said("draft") in refused.value.message


@pytest.mark.parametrize("version", BAD)
@pytest.mark.parametrize(
    ("read", "place"),
    [
        (lambda v: parse_nos_docx(_docx(v), source="xy01.docx"), "table 1 row 2"),
        (lambda v: parse_nos_json(_nos_json(v), source="se04.json"), "/Version_number"),
        (lambda v: framework_from_json(_own_json(v), source="fw.json"), "/version"),
    ],
    ids=["nos-docx", "nos-json", "own-json"],
)
def test_a_version_that_is_not_a_number_is_refused_naming_where(
    version: str, read: Callable[[str], object], place: str
) -> None:
    """A NOS .docx names its table row, a NOS JSON record or our own JSON its field."""
    with pytest.raises(FrameworkFormatError) as refused:
        read(version)
    assert refused.value.place == place
    assert _said(version) in refused.value.message


def test_a_nos_json_version_in_a_list_of_records_is_named_by_its_record() -> None:
    records = [json.loads(_nos_json("abc"))]
    with pytest.raises(FrameworkFormatError) as refused:
        parse_nos_json(json.dumps(records).encode(), source="se.json")
    assert refused.value.place == "/0/Version_number"


@pytest.mark.parametrize("version", BAD)
def test_a_case_documents_version_that_is_not_a_number_is_refused_naming_its_field(
    version: str,
) -> None:
    for strict in (False, True):
        with pytest.raises(FrameworkFormatError) as refused:
            parse_case(_case(version), source="case.json", strict=strict)
        assert refused.value.place == "/CFDocument/version"
        assert _said(version) in refused.value.message


@pytest.mark.parametrize("version", BAD)
def test_the_same_words_as_the_csv_reader(version: str) -> None:
    """One check: the CSV reader's message is the one the others give."""
    with pytest.raises(FrameworkFormatError) as by_csv:
        parse_csv(f"{CSV_HEADER}\nCU,T,{version},CU1,S,P,P1,a\n", source="u.csv")
    with pytest.raises(FrameworkFormatError) as by_json:
        framework_from_json(_own_json(version), source="fw.json")
    assert by_csv.value.message == by_json.value.message


@pytest.mark.parametrize("version", GOOD)
def test_version_numbers_are_read_by_every_reader(suite_text: str, version: str) -> None:
    files = {
        "003.txt": _suite_text(suite_text, version).encode(),
        "xy01.docx": _docx(version),
        "se04.json": _nos_json(version),
        "case.json": _case(version),
        "fw.json": _own_json(version),
    }
    for name, data in files.items():
        assert parse(data, name).version == version, name


def test_a_nos_json_number_is_a_version() -> None:
    """The NOS database writes the version as a JSON number (the real record's 1)."""
    assert parse_nos_json(_nos_json(3), source="se04.json").version == "3"
    assert parse_nos_json(_nos_json(1.1), source="se04.json").version == "1.1"


@pytest.mark.parametrize("path", sorted(CASE.glob("*.json")), ids=lambda p: p.stem[:20])
def test_real_case_packages_are_read_as_before(path: Path) -> None:
    """None of them gives a CFDocument version: the framework's is then 1."""
    package = json.loads(path.read_text(encoding="utf-8"))
    assert "version" not in copy.deepcopy(package)["CFDocument"]
    assert parse_case(path.read_bytes(), source=path.name).version == "1"


def test_our_own_json_without_a_version_is_read_as_before() -> None:
    """An empty version (a document written without one) is not a wrong one."""
    back = framework_from_json(_own_json(""), source="fw.json")
    assert back.version == ""


def test_a_framework_a_database_held_is_read_with_its_version_as_stored() -> None:
    """A bundle's framework was loaded before versions were checked, perhaps: not refused."""
    back = framework_from_json(_own_json("draft"), source="manifest.json", check_version=False)
    assert back.version == "draft"
