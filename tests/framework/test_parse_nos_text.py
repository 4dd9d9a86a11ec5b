"""The plain-text NOS suite reader, on the real Supported Employment suite and on broken copies."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.parse.nos_text import parse_nos_text
from framework.spec import FrameworkFormatError, FrameworkSpec, StandardSpec

EXPECTED = {  # code: (performance, knowledge)
    "SE01": (13, 15),
    "SE02": (9, 12),
    "SE03": (8, 10),
    "SE04": (10, 14),
    "SE05": (8, 10),
    "SE06": (12, 18),
    "SE07": (12, 15),
    "SE08": (9, 13),
}


@pytest.fixture(scope="module")
def suite(suite_text: str) -> FrameworkSpec:
    return parse_nos_text(suite_text, source="003.txt")


def by_code(fw: FrameworkSpec) -> dict[str, StandardSpec]:
    return {s.code: s for s in fw.standards}


def test_framework_identity(suite: FrameworkSpec) -> None:
    assert suite.urn == "LSI SE00"
    assert suite.code == "SE"
    assert suite.title == "Supported Employment National Occupational Standards"
    assert suite.version == "1"
    assert suite.source_format == "nos-text"
    assert suite.overview.startswith("The Learning and Skills Improvement Service (LSIS)")
    assert suite.metadata["suite"] == "Supported Employment"


def test_standards_and_counts(suite: FrameworkSpec) -> None:
    assert [s.code for s in suite.standards] == list(EXPECTED)
    assert [s.urn for s in suite.standards] == [f"LSI {c}" for c in EXPECTED]
    for s in suite.standards:
        perf = [c for c in s.criteria if c.kind == "performance"]
        know = [c for c in s.criteria if c.kind == "knowledge"]
        assert (len(perf), len(know)) == EXPECTED[s.code], s.code
        assert [c.code for c in perf] == [f"P{i}" for i in range(1, len(perf) + 1)]
        assert [c.code for c in know] == [f"K{i}" for i in range(1, len(know) + 1)]
        assert [c.position for c in s.criteria] == list(range(1, len(s.criteria) + 1))
        assert all(c.text and c.text == c.text.strip() for c in s.criteria)
        assert s.overview.startswith("This standard is about")
    kinds = [c.kind for s in suite.standards for c in s.criteria]
    assert kinds.count("performance") == 81
    assert kinds.count("knowledge") == 107
    assert suite.criteria_count() == 188


def test_spot_texts(suite: FrameworkSpec) -> None:
    se = by_code(suite)
    assert se["SE04"].title == "Identify the needs of the job seeker"
    assert se["SE04"].criteria[0].text == (
        "support job seekers to identify their experiences, skills, needs, talents and "
        "employment preferences through vocational profiling"
    )
    assert se["SE03"].criteria[2].code == "P3"
    assert se["SE04"].criteria[5].code == "P6"
    assert se["SE03"].criteria[2].text == se["SE04"].criteria[5].text
    assert (
        se["SE03"].criteria[2].text.endswith("to prospective employers to achieve a good job match")
    )
    assert se["SE08"].criteria[-1].code == "K13"


def test_metadata(suite: FrameworkSpec) -> None:
    se1 = by_code(suite)["SE01"]
    assert se1.version == "1"
    assert se1.date_approved == "May 2012"
    assert se1.review_date == "May 2015"
    assert se1.validity == "Current"
    assert se1.status == "Original"
    assert se1.originating_organisation == "Learning and Skills Improvement Service"
    assert "3564 Careers advisers" in se1.occupations
    assert se1.keywords == "Supported employment"
    se8 = by_code(suite)["SE08"]
    assert se8.occupations.startswith("Supported Employment Practitioner;")
    assert se8.keywords.startswith("reflect; review; evaluate")


def test_functional_process(suite: FrameworkSpec) -> None:
    assert [s.ref for s in suite.stages] == list("ABCDEFGHIJ")
    stages = {s.ref: s for s in suite.stages}
    assert stages["A"].title == "Employer engagement"
    assert stages["A"].standards == (
        "(LSI) SE02",
        "(LSI) EE01",
        "(LSI) EE02",
        "(CFA) GOV12",
        "(SFH) MH71",
    )
    # C is the last row before the page break, D the first after it.
    assert stages["C"].standards == ("(LSI) SE04",)
    assert stages["D"].title == "Getting to know you (the job seeker)"
    assert stages["H"].standards == ("(LSI) SE07", "(SFJ) CCBA3.1", "(SCD) SS5")
    assert stages["J"].standards == ("(LSI) SE01", "(LSI) SE08")


def test_values_and_glossary(suite: FrameworkSpec) -> None:
    assert len(suite.values) == 12
    assert suite.values[4] == "Job search should happen at the earliest opportunity."
    terms = [g.term for g in suite.glossary]
    assert len(terms) == 14
    assert "Task analysis" in terms
    task = next(g for g in suite.glossary if g.term == "Task analysis")
    assert task.definition.startswith("A task analysis is the process of breaking down")


def test_page_headers_do_not_duplicate(suite: FrameworkSpec) -> None:
    for s in suite.standards:
        assert s.title not in s.overview
        assert all(s.title not in c.text for c in s.criteria)
    assert len({s.code for s in suite.standards}) == 8


def test_crlf_and_wrapped_items() -> None:
    text = (
        "LSI XY01\r\n\r\nDo a thing\r\n\r\nOverview\r\n\r\nAbout a thing.\r\n\r\n"
        "Performance criteria\r\n\r\n- You must be able to:*\r\n- P1 first item that\r\n"
        "   wraps onto a second line\r\n - P2 second\r\n\r\nLSI XY01\r\n\r\nDo a thing\r\n\r\n"
        "Knowledge and understanding\r\n\r\nYou need to know and understand:\r\n\r\n- K1 know\r\n"
    )
    fw = parse_nos_text(text)
    (std,) = fw.standards
    assert fw.code == "XY"
    assert [(c.code, c.text) for c in std.criteria] == [
        ("P1", "first item that wraps onto a second line"),
        ("P2", "second"),
        ("K1", "know"),
    ]
    assert std.overview == "About a thing."


def _without_line(text: str, needle: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith(needle))


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [i for i, line in enumerate(text.split("\n"), start=1) if line.strip() == needle]
    return hits[occurrence - 1]


def test_duplicate_code_names_the_line(suite_text: str) -> None:
    broken = suite_text.replace(" - P3 develop and articulate", " - P2 develop and articulate")
    with pytest.raises(FrameworkFormatError) as err:
        parse_nos_text(broken, source="x.txt")
    assert "P2" in err.value.message
    assert err.value.place.startswith("line ")
    line = int(err.value.place.split()[1])
    assert broken.split("\n")[line - 1].strip().startswith("- P2 develop and articulate")
    assert err.value.source == "x.txt"


def test_standard_without_criteria(suite_text: str) -> None:
    start = suite_text.index("LSI SE05")
    end = suite_text.index("LSI SE06")
    block = suite_text[start:end]
    stripped = "\n".join(
        line for line in block.split("\n") if not line.lstrip(" -").startswith(("P", "K"))
    )
    broken = suite_text[:start] + stripped + suite_text[end:]
    with pytest.raises(FrameworkFormatError, match="no criteria") as err:
        parse_nos_text(broken)
    assert err.value.place == f"line {_line_of(broken, 'LSI SE05')}"


@pytest.mark.parametrize("text", ["", "   \n\n", "hello world\nnothing here", "\x00\x01garbage"])
def test_empty_or_garbage(text: str) -> None:
    with pytest.raises(FrameworkFormatError) as err:
        parse_nos_text(text)
    assert err.value.place


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_fuzz_only_format_errors(text: str) -> None:
    try:
        fw = parse_nos_text(text)
    except FrameworkFormatError:
        return
    assert fw.standards and all(s.criteria for s in fw.standards)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "LSI AB01",
                "Title",
                "P1 x",
                "K1 y",
                "- P2 z",
                "  more",
                "Overview",
                "Ref\tA\tB\tC",
                "\tx\ty",
                "Glossary",
                "T: d",
                "Developed by x",
                "Status y",
                "",
                "LSI AB00",
                "1. v",
            ]
        )
    )
)
def test_fuzz_structured_lines(lines: list[str]) -> None:
    with contextlib.suppress(FrameworkFormatError):
        parse_nos_text("\n".join(lines))


def test_parse_speed(suite_text: str) -> None:
    """Not a timing assertion: records how long the suite takes (see -s output)."""
    start = time.perf_counter()
    for _ in range(10):
        parse_nos_text(suite_text)
    per_parse_ms = (time.perf_counter() - start) * 100
    print(f"parse_nos_text(003): {per_parse_ms:.2f} ms per parse")
