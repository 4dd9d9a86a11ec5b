"""Concept tagging and vocabularies: blocking phrases hide false friends, not the concepts they
spell out; a vocabulary table is read (or refused) as docs/vocabulary.md says."""

from __future__ import annotations

import pytest

from demo.accounts import sample_vocabulary_text
from mappings.engine.analyse import ConceptTagger, terms
from mappings.engine.text import stem, words
from mappings.engine.vocabulary import Vocabulary, VocabularyError

SAMPLE = Vocabulary.parse(sample_vocabulary_text())


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
def test_sample_vocabulary_blocks_false_friends(
    text: str, present: set[str], absent: set[str]
) -> None:
    tags = _tags(SAMPLE.tagger, text)
    assert present <= tags
    assert not (absent & tags)


def test_blocker_hides_only_shorter_phrases_inside_its_span() -> None:
    tagger = ConceptTagger({"a": ("benefit",), "b": ("benefit from",)}, blockers=("benefit from",))
    assert _tags(tagger, "they benefit from it") == {"b"}
    assert _tags(tagger, "the benefit was paid") == {"a"}


def test_table_parses_weak_marks_continuations_comments_repeats_markers_and_blockers() -> None:
    table = (
        "\n# a comment\n~weak: a b; c;\n    d\nstrong: e\n  # indented comment\nweak: f\n"
        "_domain: x y; z\n_not: a b c\n"
    )
    v = Vocabulary.parse(table)
    assert v.concepts == {"weak": ("a b", "c", "d", "f"), "strong": ("e",)}
    assert v.weak == {"weak"}
    assert v.domain == ("x y", "z")
    assert v.blockers == ("a b c",)
    assert terms("the strong c", v.tagger)["#weak"] == 0.5
    assert terms("the strong e", v.tagger)["#strong"] == 1.0


def test_a_line_without_a_colon_is_refused_with_its_number() -> None:
    with pytest.raises(VocabularyError, match="line 3"):
        Vocabulary.parse("# head\nfine: a\nno colon here\n")


def test_no_vocabulary_means_no_concepts() -> None:
    assert not Vocabulary.parse("# only comments\n")
    assert not [t for t in terms("a better-off calculation of her benefits") if t[0] == "#"]


def test_sample_vocabulary_is_data_of_the_sample_framework() -> None:
    assert {"safeguarding", "prompting_fading"} <= set(SAMPLE.concepts)
    assert "safeguarding" in SAMPLE.weak and SAMPLE.weak <= set(SAMPLE.concepts)
    assert "supported employment" in SAMPLE.domain
    assert SAMPLE.blockers
    assert all(SAMPLE.concepts.values())
