"""NOS as centres have them: the text of a ukstandards page, one .docx per standard read together,
and the NOS spreadsheets named for what they are."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.parse import detect_format, parse
from framework.parse.combine import parse_files
from framework.parse.nos_page import parse_nos_page
from framework.spec import FrameworkFormatError, FrameworkSpec
from tests.nos_files import SFJ_AA1, SFJ_AA2, SFJ_AA3, nos_docx

from .conftest import DATA, SHARED

PAGE = DATA / "nos_page_cfamld01.txt"
OLDER = DATA / "nos_page_older_cfsh.txt"
NOS = SHARED / "external" / "nos"


def _counts(spec: FrameworkSpec) -> list[tuple[str, int, int]]:
    return [
        (
            s.code,
            sum(c.kind == "performance" for c in s.criteria),
            sum(c.kind == "knowledge" for c in s.criteria),
        )
        for s in spec.standards
    ]


def test_page_text_is_recognised_and_read() -> None:
    data = PAGE.read_bytes()
    assert detect_format(data, "cfamld01.txt") == "nos-page"
    spec = parse(data, "cfamld01.txt")
    assert spec.source_format == "nos-page"
    assert _counts(spec) == [("CFAMLD01", 9, 10)]
    std = spec.standards[0]
    assert std.title == "Manage your own resources and professional development"
    assert std.urn == "CFAMLD01"
    assert (std.version, std.validity, std.status) == ("3", "Current", "Original")
    assert std.date_approved == "31/03/2018" and std.review_date == "31/03/2023"
    assert std.originating_organisation == "Skills CFA"
    assert std.keywords.startswith("personal development")
    assert std.overview.startswith("This standard is about managing your personal resources")
    assert spec.title == "Management and Leadership (2018)"
    assert spec.metadata["developed_by"] == "Skills CFA"


def test_breadcrumbs_copied_above_the_title_are_not_the_title() -> None:
    text = "Home\nNOS Finder\n" + PAGE.read_text("utf-8")
    spec = parse(text.encode(), "cfamld01.txt")
    assert spec.standards[0].title == "Manage your own resources and professional development"
    assert spec.standards[0].code == "CFAMLD01"


def test_criteria_run_together_on_one_line_are_split_at_the_next_number_only() -> None:
    spec = parse(PAGE.read_bytes(), "cfamld01.txt")
    by_code = {c.code: c.text for c in spec.standards[0].criteria}
    assert by_code["P1"].endswith("the vision and objectives of your area of work")
    assert (
        by_code["P2"]
        == "discuss and agree, with those you report to, the requirements of your work role"
    )
    assert by_code["P4"].startswith("compare your current knowledge")
    assert by_code["K5"] == "the types of development activities and learning styles which suit you"
    assert by_code["K6"] == "how to manage your time effectively"
    # "at least 2 colleagues" stays inside P7
    assert by_code["P7"].endswith("including at least 2 colleagues outside your team")
    assert [c.code for c in spec.standards[0].criteria][:3] == ["P1", "P2", "P3"]


def test_older_nos_keeps_each_sub_criterion_assessable() -> None:
    spec = parse(OLDER.read_bytes(), "vr641.txt")
    std = spec.standards[0]
    codes = [c.code for c in std.criteria]
    assert codes == [
        "P1",
        "P2",
        "P3",
        "P4.1",
        "P4.2",
        "P4.3",
        "P5",
        "K1",
        "K2",
        "K3.1",
        "K3.2",
        "K4",
    ]
    p42 = next(c for c in std.criteria if c.code == "P4.2")
    assert p42.text == (
        "keep the work area safe and free from obstructions, including: "
        "disposing of waste in line with the organisation's procedures"
    )
    assert (std.code, std.title, std.validity) == (
        "COSVR641",
        "Maintain the health and safety of the work area",
        "Legacy",
    )
    assert [c.position for c in std.criteria] == list(range(1, 13))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Title only\nYou must be able to:\nYou need to know and understand:\n1. x\n",
            "no performance",
        ),
        (
            "T\nYou must be able to:\n1. a\nYou need to know and understand:\nnothing numbered\n",
            "text before",
        ),
        (
            "You must be able to:\n1. a\n1. b\nYou need to know and understand:\n1. k\n",
            "no NOS title",
        ),
        ("T\nYou must be able to:\n1. a\n2. b\n2. c\nYou need to know and understand:\n1. k\n", ""),
    ],
)
def test_bad_pages_give_clear_errors(text: str, message: str) -> None:
    if not message:  # a repeated number continues the item above rather than failing
        spec = parse_nos_page(text, "p.txt")
        assert [c.code for c in spec.standards[0].criteria] == ["P1", "P2", "K1"]
        return
    with pytest.raises(FrameworkFormatError, match=message) as error:
        parse_nos_page(text, "p.txt")
    assert error.value.source == "p.txt"


def test_several_docx_make_one_framework() -> None:
    files = [(f"{n.urn}.docx", nos_docx(n)) for n in (SFJ_AA1, SFJ_AA2, SFJ_AA3)]
    spec = parse_files(files)
    assert _counts(spec) == [("SFJCJAA1", 6, 5), ("SFJCJAA2", 4, 3), ("SFJCJAA3", 3, 2)]
    assert spec.code == "SFJCJAA" and spec.title == "Community Justice"
    assert spec.source_format == "nos-docx" and spec.warnings == []
    first = spec.standards[0]
    assert first.title == "Assess the risk of harm an individual poses to others"
    assert first.overview.count("\n\n") == 1
    assert first.criteria[0].text == "gather the information you need from all relevant sources"
    # a page's text and .docx files go together too
    mixed = parse_files([*files[:1], ("cfamld01.txt", PAGE.read_bytes())])
    assert [s.code for s in mixed.standards] == ["SFJCJAA1", "CFAMLD01"]
    suites = [w for w in mixed.warnings if "2 suites" in w]
    assert suites == [
        "the files come from 2 suites; the framework takes the title of SFJCJAA1.docx "
        "(“Community Justice”)"
    ]


def test_the_same_standard_twice_is_refused_naming_both_files() -> None:
    with pytest.raises(FrameworkFormatError, match="also in a.docx") as error:
        parse_files([("a.docx", nos_docx(SFJ_AA1)), ("b.docx", nos_docx(SFJ_AA1))])
    assert error.value.source == "b.docx"
    case = SHARED / "external" / "case" / "packages" / "SequenceNumberFramework.json"
    with pytest.raises(FrameworkFormatError, match="CASE package; import it on its own"):
        parse_files([("a.docx", nos_docx(SFJ_AA1)), (case.name, case.read_bytes())])


def test_nos_catalogue_is_named_not_called_a_bad_docx() -> None:
    data = (NOS / "PublishedNos Details.xlsx").read_bytes()
    with pytest.raises(FrameworkFormatError) as error:
        parse(data, "PublishedNos Details.xlsx")
    message = str(error.value)
    assert "not a .docx" not in message
    assert "NOS catalogue" in message and "lists 1205 NOS in 113 suites" in message
    assert "SKSJ29" in message and "no performance criteria" in message
    assert "(sheet “" in message and "(sheet '" not in message  # the app's quotes
    fields = (NOS / "NOS data fields v1.2.xlsx").read_bytes()
    with pytest.raises(FrameworkFormatError, match="NOS database field list"):
        parse(fields, "NOS data fields v1.2.xlsx", "nos-docx")


def test_other_spreadsheets_say_to_save_as_csv() -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Unit", "Criterion"])
    book.active.append(["SE01", "plan the work"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FrameworkFormatError, match=r"a spreadsheet \(\.xlsx\).*CSV") as error:
        parse(buffer.getvalue(), "units.xlsx")
    assert error.value.place == "spreadsheet"


def test_sub_criteria_are_kept_in_docx_and_suite_text_too() -> None:
    from tests.nos_files import OLDER

    spec = parse_files([("vr641.docx", nos_docx(OLDER))])
    criteria = spec.standards[0].criteria
    assert [c.code for c in criteria] == ["P1", "P2.1", "P2.2", "P3", "K1", "K2"]
    assert criteria[2].text == (
        "keep the work area safe and free from obstructions, including: "
        "keeping access routes and emergency exits clear"
    )
    suite = parse(
        b"LSI SE01\nOld style unit\nOverview\nThis standard is about safety.\n"
        b"You must be able to:\nP1 identify hazards\nP2 keep the area safe, including:\n"
        b"P2.1 storing tools\nP2.2 clearing exits\nP3 report accidents\n"
        b"You need to know and understand:\nK1 the hazards\n",
        "suite.txt",
    )
    assert suite.source_format == "nos-text"
    texts = {c.code: c.text for c in suite.standards[0].criteria}
    assert list(texts) == ["P1", "P2.1", "P2.2", "P3", "K1"]
    assert texts["P2.2"] == "keep the area safe, including: clearing exits"


_WORDS = st.lists(
    st.sampled_from(
        ["plan", "the", "work", "at", "least", "2", "3.5", "people", "check", "records"]
    ),
    min_size=1,
    max_size=8,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    performance=st.lists(_WORDS, min_size=1, max_size=12),
    knowledge=st.lists(_WORDS, min_size=1, max_size=12),
    per_line=st.integers(min_value=1, max_value=4),
)
def test_numbered_lists_however_they_are_run_together(performance, knowledge, per_line) -> None:
    """However many criteria pasting puts on one line, each list comes back whole and in order."""

    def lines(items: list[str]) -> list[str]:
        numbered = [f"{n}. {text}" for n, text in enumerate(items, start=1)]
        return [" ".join(numbered[i : i + per_line]) for i in range(0, len(numbered), per_line)]

    text = "\n".join(
        [
            "ABCD01",
            "Do the work",
            "Developed by",
            "Skills Body",
            "You must be able to:",
            *lines(performance),
            "You need to know and understand:",
            *lines(knowledge),
            "Version Number",
            "1",
        ]
    )
    criteria = parse_nos_page(text, "p.txt").standards[0].criteria
    assert [c.text for c in criteria] == performance + knowledge
    assert [c.code for c in criteria] == [f"P{n}" for n in range(1, len(performance) + 1)] + [
        f"K{n}" for n in range(1, len(knowledge) + 1)
    ]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused_with_a_format_error(text: str) -> None:
    with contextlib.suppress(FrameworkFormatError):
        parse_nos_page("T\nYou must be able to:\n" + text, "p.txt")


def test_a_workbook_with_xml_entities_is_refused_not_expanded() -> None:
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["URN", "NOS Title"])
    buffer = io.BytesIO()
    book.save(buffer)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {c} "&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};">'
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&h;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, bomb if item.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(FrameworkFormatError, match="cannot be read"):
        parse(out.getvalue(), "bomb.xlsx")
