"""NOS database JSON records: field names from the database's own field list, HTML lists."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.parse.nos_json import FIELDS, html_items, parse_nos_json
from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkFormatError

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "data" / "nos_se04.json"
FIELD_LIST = HERE.parent / "data" / "shared" / "external" / "nos" / "NOS data fields v1.2.xlsx"


def _record() -> dict[str, object]:
    return dict(json.loads(FIXTURE.read_text(encoding="utf-8")))


def test_field_names_match_the_nos_database_field_list() -> None:
    book = openpyxl.load_workbook(FIELD_LIST, read_only=True)
    sheet = book["Columns used in PDF Document"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert set(FIELDS) <= set(names)
    assert set(_record()) <= set(FIELDS)


def test_fixture_matches_the_seed_standard(suite_text: str) -> None:
    seed = next(s for s in parse_nos_text(suite_text).standards if s.code == "SE04")
    fw = parse_nos_json(FIXTURE.read_bytes(), source=FIXTURE.name)
    (std,) = fw.standards
    assert (std.code, std.urn, std.title, std.overview) == (
        seed.code,
        seed.urn,
        seed.title,
        seed.overview,
    )
    assert std.criteria == seed.criteria
    assert (std.version, std.validity, std.status) == ("1", "Current", "Original")
    assert std.date_approved == "01 05 2012"
    assert std.occupations.startswith("2449 Welfare professionals n.e.c; 3219")
    assert std.keywords == "Supported employment; vocational profile; job seeker"
    assert "## Glossary\n\nVocational profiling: This is a process" in std.content
    assert (fw.code, fw.title, fw.source_format) == ("SE", "Supported Employment", "nos-json")
    assert fw.metadata["noscategory"] == "Job-specific"


def test_list_of_records() -> None:
    second = _record() | {"URN": "LSI SE09", "Title": "Another"}
    fw = parse_nos_json(json.dumps([_record(), second]))
    assert [s.code for s in fw.standards] == ["SE04", "SE09"]


@pytest.mark.parametrize(
    ("html", "items"),
    [
        ("<ol><li>one</li><li>two &amp; three</li></ol>", ["one", "two & three"]),
        ("<p>You must:</p><ul><li>P1 a<br>b</li><li>P2  c</li></ul>", ["a b", "c"]),
        ("<ol><li>a<ol><li>nested</li></ol></li><li>b</li></ol>", ["a nested", "b"]),
        ("<p>1. first</p><p>2. second</p>", ["first", "second"]),
        ("K1 one\nK2 two", ["one", "two"]),
        ("<ol><li>unclosed<li>next", ["unclosed", "next"]),
        ("<script>alert(1)</script><ol><li>x</li></ol>", ["x"]),
    ],
)
def test_html_items(html: str, items: list[str]) -> None:
    assert html_items(html) == items


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"URN": "", "Original_URN": ""}, "/URN"),
        ({"Title": None}, "/Title"),
        ({"Performance_criteria": "", "Knowledge_and_understanding": ""}, "/Performance_criteria"),
        ({"Performance_criteria": ["not html"]}, "/Performance_criteria"),
    ],
)
def test_bad_records(change: dict[str, object], place: str) -> None:
    with pytest.raises(FrameworkFormatError) as err:
        parse_nos_json(json.dumps(_record() | change), source="r.json")
    assert err.value.place == place


@pytest.mark.parametrize(
    ("data", "place"),
    [(b"", "line 1"), (b"[]", "/"), (b"3", "/"), (b"[1]", "/0"), (b'{"URN": "x"\n,', "line 2")],
)
def test_bad_documents(data: bytes, place: str) -> None:
    with pytest.raises(FrameworkFormatError) as err:
        parse_nos_json(data)
    assert err.value.place == place


def test_duplicate_standard() -> None:
    with pytest.raises(FrameworkFormatError, match="twice") as err:
        parse_nos_json(json.dumps([_record(), _record()]))
    assert err.value.place == "/1/URN"


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(FIELDS),
        st.one_of(st.text(max_size=40), st.integers(), st.none(), st.lists(st.text(max_size=5))),
    )
)
def test_fuzz_only_format_errors(record: dict[str, object]) -> None:
    with contextlib.suppress(FrameworkFormatError):
        parse_nos_json(json.dumps(record))
