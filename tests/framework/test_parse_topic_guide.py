"""Topic guides: one unit each, examiner marking points as assessment criteria."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.parse.topic_guide import derive_title, parse_topic_guide
from framework.spec import FrameworkFormatError

SEEDS = Path(__file__).resolve().parents[1] / "data" / "shared" / "seeds"
TOPIC_GUIDES = sorted(p for p in SEEDS.glob("*.txt") if not p.name.startswith("003_"))
MARKING_COUNTS = {"000": 4, "001": 4, "002": 3, "004": 4}


def test_the_four_seed_guides_are_found() -> None:
    assert [p.name[:3] for p in TOPIC_GUIDES] == list(MARKING_COUNTS)


@pytest.mark.parametrize("path", TOPIC_GUIDES, ids=lambda p: p.name[:3])
def test_seed_guide(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fw = parse_topic_guide(text, source=path.name)
    (unit,) = fw.standards
    assert fw.source_format == "topic-guide"
    assert (fw.code, fw.title) == (unit.code, unit.title)
    assert unit.code.startswith("TG-") and len(unit.code) == 9
    assert 10 <= len(unit.title) <= 80
    assert not unit.title.endswith((" of", " and", " the", ","))
    n = MARKING_COUNTS[path.name[:3]]
    assert [c.code for c in unit.criteria] == [f"AC{i}" for i in range(1, n + 1)]
    assert {c.kind for c in unit.criteria} == {"assessment"}
    assert [c.position for c in unit.criteria] == list(range(1, n + 1))
    # the first line is a truncated synopsis; the real one is kept whole
    first_line = text.split("\n", 1)[0]
    assert unit.overview.startswith(first_line) and len(unit.overview) > len(first_line)
    assert unit.content.startswith("## Topic Synopsis\n\n" + unit.overview)
    assert "## Key Concepts & Core Principles" in unit.content
    assert "Examiner Marking Points" not in unit.content
    # same guide, same code
    assert parse_topic_guide(text).standards[0].code == unit.code


def test_explicit_code_and_title() -> None:
    text = TOPIC_GUIDES[0].read_text(encoding="utf-8")
    fw = parse_topic_guide(text, code="U201", title="Manage performance")
    assert (fw.code, fw.title) == ("U201", "Manage performance")
    assert fw.standards[0].criteria[0].text.startswith("Award credit for demonstrating")


def test_mismatched_key_concepts_are_kept_as_published() -> None:
    text = TOPIC_GUIDES[2].read_text(encoding="utf-8")  # 002: key concepts about engineering
    unit = parse_topic_guide(text).standards[0]
    assert "Customer journey mapping in engineering contexts" in unit.content


@pytest.mark.parametrize(
    ("synopsis", "title"),
    [
        (
            "This subtopic explores how managers set objectives, assess and give feedback.",
            "How managers set objectives",
        ),
        ("Short one.", "Short one"),
        ("This element focuses on " + "word " * 40, "Word " + "word " * 14 + "word"),
    ],
)
def test_derive_title(synopsis: str, title: str) -> None:
    assert derive_title(synopsis) == title
    assert len(derive_title(synopsis)) <= 80


def test_wrapped_marking_point() -> None:
    text = (
        "Topic Synopsis\nAbout things.\nExaminer Marking Points\n- Award credit for a\n"
        "  wrapped point.\n- Second.\n"
    )
    unit = parse_topic_guide(text).standards[0]
    assert [c.text for c in unit.criteria] == ["Award credit for a wrapped point.", "Second."]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("", "line 1"),
        ("Topic Synopsis\nAbout.\n", "Examiner Marking Points"),
        ("Examiner Marking Points\n- x\n", "Topic Synopsis"),
        ("Topic Synopsis\nA.\nExaminer Marking Points\n- x\nTopic Synopsis\nB.\n", "line 5"),
    ],
)
def test_bad_guides(text: str, place: str) -> None:
    with pytest.raises(FrameworkFormatError) as err:
        parse_topic_guide(text, source="g.txt")
    assert err.value.place == place


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["Topic Synopsis", "Examiner Marking Points", "- ", ""]),
            st.text(max_size=40),
        ),
        max_size=12,
    )
)
def test_fuzz_only_format_errors(lines: list[str]) -> None:
    try:
        fw = parse_topic_guide("\n".join(lines))
    except FrameworkFormatError:
        return
    assert fw.standards[0].criteria
