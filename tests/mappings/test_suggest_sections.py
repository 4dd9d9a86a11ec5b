"""Sections of structured evidence: STAR and reflective-model headings say what a sentence shows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.engine.features import COLD_FEATURES
from mappings.engine.suggest import SuggestionEngine
from mappings.engine.text import section_roles, sentence_spans

from .test_suggest_engine import CRITERIA, GLOSSARY


def _roles(text: str) -> list[tuple[str, str]]:
    spans = sentence_spans(text)
    return [(text[a:b], r) for (a, b), r in zip(spans, section_roles(text, spans), strict=True)]


def test_star_sections_as_the_app_writes_them() -> None:
    # portfolio.services.evidence.compose_body writes STAR narratives with "## Name" headings
    text = (
        "## Situation\n\nA hotel had a vacancy in its laundry.\n\n## Task\n\nFind B a job.\n\n"
        "## Action\n\nMet the head housekeeper. Walked the shift with her.\n\n"
        "## Result\n\nB started on Monday."
    )
    roles = dict(_roles(text))
    assert roles["A hotel had a vacancy in its laundry."] == "context"
    assert roles["Find B a job."] == "context"
    assert roles["Met the head housekeeper."] == roles["Walked the shift with her."] == "doing"
    assert roles["B started on Monday."] == "doing"


def test_reflective_models_bold_and_inline_headings() -> None:
    text = (
        "**Description:** I supported K at interview.\n"
        "Feelings: I was nervous for her.\n"
        "**Analysis**\nQuestions in advance matter because they lower anxiety.\n"
        "Now what? I will ask every employer for questions in advance."
    )
    roles = dict(_roles(text))
    assert roles["I supported K at interview."] == "context"
    assert roles["Feelings: I was nervous for her."] == "feeling"
    assert roles["Questions in advance matter because they lower anxiety."] == "understanding"
    assert roles["I will ask every employer for questions in advance."] == "planning"


def test_prose_that_starts_like_a_heading_opens_no_section() -> None:
    text = "Action was taken by the manager the same day.\nWhat a relief that was for everyone."
    assert [r for _s, r in _roles(text)] == ["", ""]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_one_role_per_sentence_for_any_text(text: str) -> None:
    spans = sentence_spans(text)
    assert len(section_roles(text, spans)) == len(spans)


def test_an_action_section_counts_as_doing_and_an_analysis_as_understanding() -> None:
    engine = SuggestionEngine.build(CRITERIA, GLOSSARY)
    doing, knowing = COLD_FEATURES.index("doing"), COLD_FEATURES.index("knowing")
    terse = "Modelled the fold, then faded prompts to a gesture. Task analysis of the routine."
    plain = engine.features(kind="star_narrative", title="Coaching", text=terse)[1]
    star = engine.features(
        kind="star_narrative", title="Coaching", text="## Action\n\n" + terse.replace(". ", ".\n")
    )[1]
    assert not plain[:, doing].any()  # no "I ...ed" in the words
    assert np.all(star[:, doing] >= plain[:, doing]) and star[:, doing].any()
    analysis = engine.features(
        kind="reflective_account", title="Coaching", text="**Analysis:** " + terse
    )[1]
    assert analysis[:, knowing].max() > plain[:, knowing].max()


def test_bold_lead_ins_are_their_own_quote_and_list_items_can_be_headings() -> None:
    text = "**Situation:** B was at college.\n- **Action.** I rang the manager.\n- Met him at 9."
    assert _roles(text) == [
        ("Situation:", "context"),
        ("B was at college.", "context"),
        ("Action.", "doing"),
        ("I rang the manager.", "doing"),
        ("Met him at 9.", "doing"),
    ]
    assert not any("*" in quote for quote, _role in _roles(text))
