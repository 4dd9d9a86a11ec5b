"""Centre-written CSV units: parsing, errors with line numbers, and the round trip."""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.export_csv import framework_to_csv
from framework.parse.csv_units import parse_csv
from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkFormatError, FrameworkSpec

SVQ = next(
    (Path(__file__).resolve().parents[1] / "data" / "shared" / "external" / "nos").glob("*SVQ*.csv")
)
HEADER = (
    "Framework Code,framework_title,VERSION,standard_code,standard_title,kind,"
    "criterion_code,criterion_text"
)
GOOD = f"""{HEADER}
CU,Centre units,2,CU1,Plan work,P,P1,plan the work
CU,Centre units,2,CU1,,knowledge,K1,"why plans matter, and how"
,,,CU2,Review work,AC,AC1,review the work
CU,Centre units,2,CU1,Plan work,performance,P2,check the plan
"""


def test_good_file() -> None:
    fw = parse_csv(GOOD.encode("utf-8-sig"), source="units.csv")
    assert (fw.code, fw.title, fw.version, fw.source_format) == ("CU", "Centre units", "2", "csv")
    assert [(s.code, s.title) for s in fw.standards] == [
        ("CU1", "Plan work"),
        ("CU2", "Review work"),
    ]
    assert [(c.kind, c.code, c.text, c.position) for c in fw.standards[0].criteria] == [
        ("performance", "P1", "plan the work", 1),
        ("knowledge", "K1", "why plans matter, and how", 2),
        ("performance", "P2", "check the plan", 3),
    ]
    assert fw.standards[1].criteria[0].kind == "assessment"


def _project(fw: FrameworkSpec) -> object:
    return (
        fw.code,
        fw.title,
        fw.version,
        [(s.code, s.title, s.urn, s.overview, s.criteria) for s in fw.standards],
    )


def test_round_trip_seed(suite_text: str) -> None:
    fw = parse_nos_text(suite_text)
    text = framework_to_csv(fw)
    assert text.count("\r\n") == 189  # header + 188 criteria
    assert _project(parse_csv(text)) == _project(fw)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("CU,T,1,CU1,S,P,P1,a\nCU,T,1,CU1,S,P,P1,b\n", 3, "appears twice"),
        ("CU,T,1,CU1,S,X,P1,a\n", 2, "unknown kind"),
        ("CU,T,1,CU1,S,P,P1,\n", 2, "no text"),
        ("CU,T,1,CU1,S,P,,a\n", 2, "criterion_code is empty"),
        ("CU,T,1,,S,P,P1,a\n", 2, "standard_code is empty"),
        ("CU,T,1,CU1,S,P,P1,a\n\nZZ,T,1,CU1,S,P,P2,b\n", 4, "one framework per file"),
        ("CU,T,1,CU1,S,P,P1,a\nCU,T,1,CU1,Other,P,P2,b\n", 3, "differs"),
        ("", 2, "no criteria rows"),
        # a quote never closed swallowed the rest of the file into one cell: "standard_code is
        # empty" or "unknown kind" was said of a later line, or nothing at all
        ('CU,T,1,CU1,S,P,P1,"a\nCU,T,1,CU1,S,P,P2,b\n', 2, 'a quote \\("\\) opened on line 2'),
        ('CU,T,1,CU1,S,P,P1,a\nCU,T,1,"CU1,S,P,P2,b\nCU,T,1,CU1,S,P,P3,c\n', 3, "never closed"),
        # cells beyond the header's columns were dropped without a word
        ("CU,T,1,CU1,S,P,P1,a\nCU,T,1,CU1,S,P,P2,b,more words\n", 3, "9 cells.*8 columns"),
        # a version that is not a number
        ("CU,T,abc,CU1,S,P,P1,a\n", 2, "version “abc” is not a version number"),
        ("CU,T,-1,CU1,S,P,P1,a\n", 2, "version “-1” is not a version number"),
    ],
)
def test_errors_name_the_line(body: str, line: int, message: str) -> None:
    with pytest.raises(FrameworkFormatError, match=message) as err:
        parse_csv(f"{HEADER}\n{body}", source="u.csv")
    assert err.value.place == f"line {line}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"a,b\n1,2\n", "missing column"),
        (b"framework_code,framework_code\n", "missing column"),
        (b"\xff\xfe\xfd,not utf8", "UTF-16"),
        (b"framework_code,\xe9t\xe9", "not UTF-8"),
        (b"framework_code\x00,x", "NUL"),
    ],
)
def test_bad_files(data: bytes, message: str) -> None:
    with pytest.raises(FrameworkFormatError, match=message) as err:
        parse_csv(data)
    assert err.value.place.startswith("line ")


def test_empty_cells_after_the_last_column_and_dotted_versions_are_read() -> None:
    """A spreadsheet's trailing commas hold nothing: nothing is lost, so the row is read; a
    version such as 1.1 is a version number."""
    fw = parse_csv(f"{HEADER}\nCU,T,1.1,CU1,S,P,P1,a,,\n", source="u.csv")
    assert fw.version == "1.1" and fw.criteria_count() == 1


@pytest.mark.parametrize(
    "version",
    ["2", "1.0.0", "v2", "V 3", "2024", "2.1a", "version 4", "3 (2019)", "01/2019", "2017-09-01"],
)
def test_versions_as_centres_write_them_are_read(version: str) -> None:
    """A number, perhaps after a letter or a word: what centres' own files say. Only a bare word
    or a sign is refused (above)."""
    fw = parse_csv(f"{HEADER}\nCU,T,{version},CU1,S,P,P1,a\n", source="u.csv")
    assert fw.version == version


def test_a_header_row_of_many_columns_is_read_in_one_pass() -> None:
    """Each column was counted against every other to find repeated ones: 100,000 columns
    beside the needed ones took minutes. They are counted once each; a repeated one is named."""
    import time

    header = HEADER.rstrip("\n") + "," + ",".join(f"c{i}" for i in range(100_000))
    started = time.monotonic()
    rows = "".join(f"ZZ,T,1,Z1,S,performance,P{n},c\n" for n in range(2_000))
    spec = parse_csv(f"{header}\n{rows}".encode(), "wide.csv")
    assert time.monotonic() - started < 10 and spec.criteria_count() == 2_000
    with pytest.raises(FrameworkFormatError, match="repeated column: c7"):
        parse_csv((header + ",c7\nZZ,T,1,Z1,S,performance,P1,c\n").encode(), "wide.csv")


def test_svq_structure_gets_a_clear_error() -> None:
    with pytest.raises(FrameworkFormatError, match="SVQ qualification structure"):
        parse_csv(SVQ.read_bytes(), source=SVQ.name)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(st.text(max_size=8), st.sampled_from(["P", "K", "AC", "x"])), max_size=9
        ),
        max_size=6,
    )
)
def test_fuzz_only_format_errors(rows: list[list[str]]) -> None:
    text = HEADER + "\n" + "\n".join(",".join(r) for r in rows)
    with contextlib.suppress(FrameworkFormatError):
        parse_csv(text)


def test_formula_like_text_is_neutralised_and_reads_back_as_typed(suite_text: str) -> None:
    fw = parse_nos_text(suite_text)
    first = fw.standards[0]
    criterion = replace(first.criteria[0], text="=1+2 then @SUM(A1) and -3")
    first.criteria = [criterion, *first.criteria[1:]]
    rows = list(csv.reader(io.StringIO(framework_to_csv(fw))))
    assert rows[1][-1] == "'=1+2 then @SUM(A1) and -3"
    assert parse_csv(framework_to_csv(fw)).standards[0].criteria[0].text == criterion.text


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (
            "a,b",
            "missing columns: framework_code, framework_title, standard_code, standard_title, "
            "kind, criterion_code, criterion_text",
        ),  # fmt: skip
        (
            "framework_code,framework_title,standard_code,standard_title,kind,criterion_code",
            "missing column: criterion_text",
        ),  # fmt: skip
        (
            "framework_code,framework_title,standard_code,standard_title,kind,criterion_code,"
            "criterion_text,kind",
            "repeated column: kind",
        ),  # fmt: skip
    ],
)
def test_missing_or_repeated_columns_are_counted_in_words(header: str, said: str) -> None:
    """A file with one column missing says "missing column: …", with several "missing columns:
    …", never "column(s)"."""
    with pytest.raises(FrameworkFormatError) as err:
        parse_csv(f"{header}\n", source="u.csv")
    assert str(err.value).endswith(said), str(err.value)


def test_a_quote_never_closed_before_a_long_rest_names_the_line_it_opens_on() -> None:
    """Python's reader stops a cell at 131,072 characters: a quote never closed before more
    than that was "malformed CSV: field larger than field limit" of a line far below."""
    rows = "".join(f"CU,T,1,CU1,S,P,P{n},text number {n} of the unit\n" for n in range(5_000))
    with pytest.raises(FrameworkFormatError, match=r"row beginning on line 2.*quote") as err:
        parse_csv(f'{HEADER}\nCU,T,1,CU1,S,P,PX,"do a thing\n{rows}', source="u.csv")
    assert err.value.place == "line 2"
