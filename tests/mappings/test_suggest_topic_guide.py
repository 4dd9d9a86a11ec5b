"""Strong suggestions on a topic-guide unit: a few marking points, few word pairs to share.

Text with no word pair of the criteria may still be strong for a criterion one of its sentences is
near in meaning; text about nothing assessable gets no strong suggestion. Uses the packaged
all-MiniLM-L6-v2 weights and the topic guides in ``tests/data/shared/seeds``."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from framework.parse.topic_guide import parse_topic_guide
from mappings.engine.cold import Params
from mappings.engine.dataset import FrameworkText, framework_from_spec
from mappings.engine.embed import MemoEncoder, load_encoder
from mappings.engine.semantic import criterion_embeddings
from mappings.engine.suggest import SuggestionEngine

ENCODER = load_encoder()
pytestmark = pytest.mark.skipif(ENCODER is None, reason="embedding weights not installed")

SEEDS = Path(__file__).resolve().parents[1] / "data" / "shared" / "seeds"
GUIDES = sorted(p for p in SEEDS.glob("00*.txt") if "Examiner Marking Points" in p.read_text())

OFF_TOPIC = (
    "Office move on 3 Feb. Please label crates and return laptops to IT. Fridge cleared Friday.",
    "The car park will be resurfaced over two weekends in March. Bays 1 to 20 are closed on the "
    "first Saturday. Two electric vehicle chargers go in by the side gate; the contractor needs "
    "the barrier code.",
    "Stock-take for period 7: corrugated boxes 40 short, pallet wrap 12 over. The variance on "
    "cable ties was a miscount at goods in. Next count on the 28th.",
    "",
)
# a team leader's account of helping someone whose work had slipped: it shares no word pair with
# the first guide's marking points (so the old rule made nothing strong), but its second sentence
# says in other words what the third marking point asks for
COACHING = (
    "After her call figures dropped for a month I sat down with D to talk it through. To help her "
    "get better I coached her myself, found her a mentor and booked training suited to her own "
    "needs and to what the team was aiming for. We listened back to three of her calls together. "
    "I checked in with her each Friday and her results came back up within six weeks."
)


def engine(fw: FrameworkText, params: Params | None = None) -> SuggestionEngine:
    assert ENCODER is not None
    encoder = MemoEncoder(ENCODER)
    return fw.engine(params, encoder, criterion_embeddings(encoder, fw.criteria))


def unit(path: Path) -> FrameworkText:
    return framework_from_spec(parse_topic_guide(path.read_text("utf-8"), path.name))


def test_the_topic_guides_are_units_of_few_criteria() -> None:
    assert len(GUIDES) == 4
    assert all(len(unit(p).criteria) <= 5 for p in GUIDES)


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.name[:3])
def test_text_about_nothing_assessable_gets_no_strong_suggestion_on_a_unit(path: Path) -> None:
    found = engine(unit(path))
    for text in OFF_TOPIC:
        suggestions = found.suggest(kind="review_note", title="", text=text, top=3)
        assert not any(s.strong for s in suggestions), text


def test_evidence_near_a_marking_point_in_meaning_can_be_strong_without_its_words() -> None:
    fw = unit(GUIDES[0])
    words_only = engine(fw, Params(strong_min_cosine=math.inf))  # the old rule: word pairs only
    ranked = words_only.suggest(kind="reflective_account", title="", text=COACHING, top=3)
    assert not any(s.strong for s in ranked)
    ranked = engine(fw).suggest(kind="reflective_account", title="", text=COACHING, top=3)
    # only the marking point about supporting improvement by coaching, mentoring and training
    assert [s.criterion for s in ranked if s.strong] == ["AC3"]
