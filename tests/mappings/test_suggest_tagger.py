"""Concept tagging: blocking phrases hide false friends, not the concepts they spell out."""

from __future__ import annotations

import pytest

from mappings.engine.analyse import DEFAULT_TAGGER, ConceptTagger
from mappings.engine.text import stem, words
from mappings.engine.thesaurus import (
    CONCEPTS,
    THESAURUS,
    WEAK_CONCEPTS,
    parse_thesaurus,
    read_thesaurus,
)


def _tags(tagger: ConceptTagger, text: str) -> set[str]:
    return tagger.tag([stem(w) for w in words(text)])


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("people who may benefit from paid employment", set(), {"better_off"}),
        ("a better-off calculation of her benefits", {"better_off"}, set()),
        ("use information prior to them accessing work", set(), {"development_priorities"}),
        ("break key work routines down into steps", {"task_analysis"}, {"coworker_culture"}),
        ("proactively promote social inclusion at work", set(), {"career_progression"}),
        ("communities of practice", {"communities_of_practice"}, {"community_outreach"}),
        ("choice and control over the process", {"choice_control"}, {"risk_management"}),
    ],
)
def test_default_tagger_blocks_false_friends(
    text: str, present: set[str], absent: set[str]
) -> None:
    tags = _tags(DEFAULT_TAGGER, text)
    assert present <= tags
    assert not (absent & tags)


def test_blocker_hides_only_shorter_phrases_inside_its_span() -> None:
    tagger = ConceptTagger({"a": ("benefit",), "b": ("benefit from",)}, blockers=("benefit from",))
    assert _tags(tagger, "they benefit from it") == {"b"}
    assert _tags(tagger, "the benefit was paid") == {"a"}


def test_thesaurus_table_parses_weak_marks_continuations_comments_and_repeats() -> None:
    table = "\n# a comment\n~weak: a b; c;\n    d\nstrong: e\n  # indented comment\nweak: f\n"
    concepts, weak = parse_thesaurus(table)
    assert concepts == {"weak": ("a b", "c", "d", "f"), "strong": ("e",)}
    assert weak == {"weak"}


def test_shipped_thesaurus_is_read_from_its_data_file() -> None:
    assert read_thesaurus() == THESAURUS
    assert {"_domain", "_not", "safeguarding", "prompting_fading"} <= set(CONCEPTS)
    assert "safeguarding" in WEAK_CONCEPTS and WEAK_CONCEPTS.issubset(CONCEPTS)
    assert "supported employment" in CONCEPTS["_domain"]
    assert all(CONCEPTS.values())
