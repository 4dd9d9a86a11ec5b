"""NOS as .docx: the three numbering styles, several standards, round trip, hostile files."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framework.export_docx import framework_to_docx, standard_to_docx
from framework.parse.nos_docx import MAX_UNCOMPRESSED, parse_nos_docx
from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkFormatError, FrameworkSpec

PERF = ["plan the work", "do the work", "check the work"]
KNOW = ["why plans matter", "how to check work"]
META = [
    ("Developed by", "Skills Body"),
    ("Version number", "2"),
    ("Date approved", "March 2020"),
    ("Indicative review date", "March 2025"),
    ("Validity", "Current"),
    ("Status", "Original"),
    ("Originating organisation", "Skills Body"),
    ("Original URN", "SKB XY01"),
    ("Relevant occupations", "Coaches"),
    ("Suite", "Example suite"),
    ("Key words", "plan; check"),
]


def _save(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _head(document: object, urn: str = "SKB XY01", title: str = "Plan and check work") -> None:
    document.add_heading(urn, level=1)  # type: ignore[attr-defined]
    document.add_paragraph(title)  # type: ignore[attr-defined]
    document.add_heading("Overview", level=2)  # type: ignore[attr-defined]
    document.add_paragraph("This standard is about planning.")  # type: ignore[attr-defined]


def _meta_table(document: object) -> None:
    table = document.add_table(rows=0, cols=2)  # type: ignore[attr-defined]
    for label, value in META:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def numbered_paragraphs(perf_codes: list[str], know_codes: list[str]) -> bytes:
    """Criteria typed as 'P1 text' / '1.1 text' / 'KU1 text' paragraphs."""
    document = Document()
    _head(document)
    document.add_heading("Performance criteria", level=2)
    document.add_paragraph("You must be able to:")
    for code, text in zip(perf_codes, PERF, strict=True):
        document.add_paragraph(f"{code} {text}")
    document.add_heading("Knowledge and understanding", level=2)
    document.add_paragraph("You need to know and understand:")
    for code, text in zip(know_codes, KNOW, strict=True):
        document.add_paragraph(f"{code}\t{text}")
    _meta_table(document)
    return _save(document)


def list_paragraphs() -> bytes:
    """Criteria as Word numbered-list paragraphs with no printed number."""
    document = Document()
    _head(document)
    document.add_paragraph("Performance criteria")
    document.add_paragraph("You must be able to:")
    for text in PERF:
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Knowledge and understanding")
    document.add_paragraph("You need to know and understand:")
    for text in KNOW:
        document.add_paragraph(text, style="List Number")
    for label, value in META:
        document.add_paragraph(f"{label}: {value}")
    return _save(document)


def table_rows(plain: bool = True) -> bytes:
    """Criteria in a table: section label in the first cell, then 'n | text' rows."""
    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "SKB XY01"
    table.rows[0].cells[1].text = "Plan and check work"
    document.add_paragraph("Overview")
    document.add_paragraph("This standard is about planning.")
    table = document.add_table(rows=0, cols=2)
    cells = table.add_row().cells
    cells[0].text, cells[1].text = "Performance criteria", "You must be able to:"
    for n, text in enumerate(PERF, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = (f"{n}" if plain else f"P{n}"), text
    cells = table.add_row().cells
    cells[0].text, cells[1].text = "Knowledge and understanding", "You need to know and understand:"
    for n, text in enumerate(KNOW, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = (f"{n}." if plain else f"K{n}"), text
    _meta_table(document)
    return _save(document)


STYLES = {
    "P/K paragraphs": lambda: numbered_paragraphs(["P1", "P2", "P3"], ["K1", "K2"]),
    "1.1/KU paragraphs": lambda: numbered_paragraphs(["1.1", "1.2", "1.3"], ["KU1", "KU2"]),
    "plain number paragraphs": lambda: numbered_paragraphs(["1", "2.", "3)"], ["1", "2"]),
    "list paragraphs": list_paragraphs,
    "table plain numbers": lambda: table_rows(plain=True),
    "table P/K": lambda: table_rows(plain=False),
}


@pytest.mark.parametrize("build", list(STYLES.values()), ids=list(STYLES))
def test_numbering_styles_normalise(build: object) -> None:
    fw = parse_nos_docx(build(), source="x.docx")  # type: ignore[operator]
    (std,) = fw.standards
    assert (std.urn, std.code, std.title) == ("SKB XY01", "XY01", "Plan and check work")
    assert std.overview == "This standard is about planning."
    assert [(c.kind, c.code, c.text) for c in std.criteria] == [
        ("performance", "P1", "plan the work"),
        ("performance", "P2", "do the work"),
        ("performance", "P3", "check the work"),
        ("knowledge", "K1", "why plans matter"),
        ("knowledge", "K2", "how to check work"),
    ]
    assert [c.position for c in std.criteria] == [1, 2, 3, 4, 5]
    assert (std.version, std.date_approved, std.review_date) == ("2", "March 2020", "March 2025")
    assert (std.validity, std.status, std.occupations) == ("Current", "Original", "Coaches")
    assert (std.originating_organisation, std.keywords) == ("Skills Body", "plan; check")
    assert fw.title == "Example suite"
    assert fw.source_format == "nos-docx"


@pytest.fixture(scope="module")
def suite(suite_text: str) -> FrameworkSpec:
    return parse_nos_text(suite_text)


def test_round_trip_every_seed_standard(suite: FrameworkSpec) -> None:
    for standard in suite.standards:
        back = parse_nos_docx(standard_to_docx(suite, standard.code))
        assert back.standards == [standard], standard.code


def test_framework_round_trip_and_real_headings(suite: FrameworkSpec) -> None:
    data = framework_to_docx(suite)
    back = parse_nos_docx(data)
    assert back.title == suite.title
    assert back.code == "SE"
    assert back.standards == suite.standards
    document = Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"LSI SE0{n}" for n in range(1, 9)]
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [suite.title]


def test_the_framework_document_says_its_code_and_version(suite: FrameworkSpec) -> None:
    # found downloading version 2 of a framework as .docx: nothing in the document said which
    # version it was (only the file's name), so a printed copy could be either
    data = framework_to_docx(replace(suite, version="2"))
    document = Document(io.BytesIO(data))
    assert [p.text for p in document.paragraphs if p.style.name == "Subtitle"] == ["SE, version 2"]
    assert document.core_properties.title == suite.title
    assert document.core_properties.subject == "SE, version 2"
    back = parse_nos_docx(data)
    assert back.title == suite.title and back.standards == suite.standards


def test_unknown_standard_code(suite: FrameworkSpec) -> None:
    with pytest.raises(KeyError):
        standard_to_docx(suite, "NOPE")


def test_page_header_repeat_is_skipped() -> None:
    document = Document()
    _head(document)
    document.add_paragraph("You must be able to:")
    document.add_paragraph("P1 plan the work")
    document.add_paragraph("SKB XY01")  # page header
    document.add_paragraph("Plan and check work")
    document.add_paragraph("You need to know and understand:")
    document.add_paragraph("K1 why plans matter")
    fw = parse_nos_docx(_save(document))
    assert [c.code for c in fw.standards[0].criteria] == ["P1", "K1"]


def test_two_standards_in_one_file() -> None:
    document = Document()
    for n in (1, 2):
        document.add_heading(f"SKB XY0{n} Standard {n}", level=1)
        document.add_paragraph("Performance criteria")
        document.add_paragraph(f"P1 do {n}")
    fw = parse_nos_docx(_save(document))
    assert [(s.code, s.title, s.criteria[0].text) for s in fw.standards] == [
        ("XY01", "Standard 1", "do 1"),
        ("XY02", "Standard 2", "do 2"),
    ]


def test_duplicate_printed_code() -> None:
    data = numbered_paragraphs(["P1", "P2", "P2"], ["K1", "K2"])
    with pytest.raises(FrameworkFormatError, match="P2 appears twice") as err:
        parse_nos_docx(data, source="dup.docx")
    assert err.value.place == "paragraph 9"
    assert err.value.source == "dup.docx"


def test_standard_without_criteria() -> None:
    document = Document()
    document.add_heading("SKB XY01", level=1)
    document.add_paragraph("Plan and check work")
    document.add_paragraph("Overview")
    document.add_paragraph("Nothing else.")
    with pytest.raises(FrameworkFormatError, match="no criteria") as err:
        parse_nos_docx(_save(document))
    assert err.value.place == "paragraph 1"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_opening() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": bytes(MAX_UNCOMPRESSED + 1)})
    assert len(bomb) < 200_000
    with pytest.raises(FrameworkFormatError, match="refusing") as err:
        parse_nos_docx(bomb)
    assert err.value.place == "zip"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"LSI SE01\nplain text, not a zip", "not a zip"),
        (b"PK\x03\x04broken", "not a zip"),
        (_zip({"hello.txt": b"hi"}), "no word/document.xml"),
        (_zip({"[Content_Types].xml": b"<x", "word/document.xml": b"<x"}), "not a readable"),
        (_zip({"[Content_Types].xml": b"\x00", "word/document.xml": b"\xff"}), "not a readable"),
    ],
)
def test_not_a_docx(data: bytes, message: str) -> None:
    with pytest.raises(FrameworkFormatError, match=message) as err:
        parse_nos_docx(data, source="bad.docx")
    assert err.value.place in ("zip", "word/document.xml")


@pytest.mark.parametrize(
    "members",
    [
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>"},
        {"[Content_Types].xml": b"<x", "word/document.xml": b"<x"},
        {"[Content_Types].xml": b"\x00", "word/document.xml": b"\xff"},
    ],
)
def test_a_damaged_docx_is_said_in_words_not_python_docxs(members: dict[str, bytes]) -> None:
    """python-docx's own words ("'lxml.etree._Element' object has no attribute 'overrides'")
    were shown on the upload page: what is wrong and what to do instead."""
    with pytest.raises(FrameworkFormatError) as err:
        parse_nos_docx(_zip(members), source="bad.docx")
    said = str(err.value)
    assert "not a readable .docx: it is damaged or was not saved by Word" in said, said
    assert "open it in Word and save it again" in said
    for jargon in ("lxml", "attribute", "object", "Error", "xml.", "'"):
        assert jargon not in said.split(":", 2)[-1], said


def test_docx_without_standards() -> None:
    document = Document()
    document.add_paragraph("Just a letter.")
    with pytest.raises(FrameworkFormatError, match="no standard") as err:
        parse_nos_docx(_save(document))
    assert err.value.place == "body"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Normal", "Heading 1", "List Number", "Title"]),
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(
                    [
                        "SKB XY01",
                        "P1 a",
                        "K1 b",
                        "1.1 c",
                        "Overview",
                        "Performance criteria",
                        "You need to know and understand:",
                        "Developed by: x",
                        "P1 a",
                    ]
                ),
            ),
        ),
        max_size=12,
    )
)
def test_fuzz_paragraphs_only_format_errors(paragraphs: list[tuple[str, str]]) -> None:
    document = Document()
    for style, text in paragraphs:
        clean = "".join(ch for ch in text if ch.isprintable() or ch in "\t\n")
        document.add_paragraph(clean, style=style)
    try:
        fw = parse_nos_docx(_save(document))
    except FrameworkFormatError:
        return
    assert all(s.criteria for s in fw.standards)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_only_format_errors(data: bytes) -> None:
    with pytest.raises(FrameworkFormatError):
        parse_nos_docx(b"PK\x03\x04" + data)
