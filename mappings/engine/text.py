"""Small, dependency-free text tools for matching evidence to criteria.

Tokenising, a rule stemmer (British and American spellings fold together), a stop-word list and a
sentence splitter that returns character spans, so callers can quote evidence exactly.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "let",
        "get",
        "got",
        "one",
        "two",
        "it's",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "don't",
        "didn't",
        "isn't",
        "wasn't",
        "can't",
        "won't",
        "he's",
        "she's",
        "they're",
        "we're",
        "that's",
    ]
)

# Ordered (suffix, replacement, minimum stem length) rules; the first that applies wins.
_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    ("isations", "is", 3),
    ("isation", "is", 3),
    ("ational", "at", 3),
    ("ations", "at", 3),
    ("ation", "at", 3),
    ("ements", "", 4),
    ("ement", "", 4),
    ("ments", "", 4),
    ("ment", "", 4),
    ("nesses", "", 3),
    ("ness", "", 3),
    ("ities", "", 3),
    ("ity", "", 3),
    ("ively", "", 3),
    ("ive", "", 3),
    ("ically", "ic", 3),
    ("ical", "ic", 3),
    ("ings", "", 3),
    ("ing", "", 3),
    ("ies", "i", 2),
    ("ied", "i", 2),
    ("ily", "i", 2),
    ("sses", "ss", 2),
    ("ally", "al", 3),
    ("ly", "", 4),
    ("edly", "", 3),
    ("ed", "", 3),
    ("es", "", 3),
    ("s", "", 3),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce ``word`` (lower case) to a crude stem; the same on both sides is what matters."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("'", "")
    if len(w) <= 3 or w.isdigit():
        return w
    w = w.replace("iz", "is").replace("yse", "ys").replace("our", "or")
    for suffix, repl, min_len in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= min_len:
            if suffix == "s" and (w.endswith("ss") or w.endswith("us") or w.endswith("is")):
                continue
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "ls":
        w = w[:-1]
    if len(w) > 4 and w.endswith("y"):
        w = w[:-1] + "i"
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes kept inside words."""
    return _WORD.findall(text.lower().replace("’", "'"))


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop words of ``text``, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


# a sentence ends at . ! or ? before the next capital, and a bold lead-in ("**Action:** I rang")
# ends at its closing marker, so quotes carry no stray asterisks
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9*#-])|(?<=[.!?:])(?:\*\*|__)\s+")


_SPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_LIST_MARK = re.compile(r"[\s\-*#>|]*(?:\d{1,2}[.)]\s+)?[\s\-*#>|]*")
_TRAIL = _SPACE + "*|"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: split at line breaks, list items and sentence ends.

    Each span is trimmed of surrounding white space and Markdown emphasis markers, so
    ``text[a:b]`` is a verbatim quote of the evidence.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        start = pos
        pos += len(line)
        body = line.splitlines()[0] if line.splitlines() else ""
        cuts = [0] + [m.end() for m in _SENT_END.finditer(body)] + [len(body)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = body[a:b]
            marker = _LIST_MARK.match(piece)
            lead = marker.end() if marker else 0
            tail = len(piece.rstrip(_TRAIL))
            if tail <= lead or not any(ch.isalpha() for ch in piece[lead:tail]):
                continue
            spans.append((start + a + lead, start + a + tail))
    return spans


# Section headings of structured evidence and what the sentences under them are: STAR (Situation,
# Task, Action, Result), Gibbs (Description ... Action plan), Driscoll / Rolfe (What? So what? Now
# what?) and Kolb (Concrete experience ... Active experimentation).
SECTION_ROLES: dict[str, str] = {
    "situation": "context",
    "task": "context",
    "description": "context",
    "what happened": "context",
    "what": "context",
    "concrete experience": "context",
    "background": "context",
    "action": "doing",
    "actions": "doing",
    "what i did": "doing",
    "result": "doing",
    "results": "doing",
    "outcome": "doing",
    "outcomes": "doing",
    "feelings": "feeling",
    "evaluation": "understanding",
    "analysis": "understanding",
    "conclusion": "understanding",
    "conclusions": "understanding",
    "so what": "understanding",
    "reflective observation": "understanding",
    "abstract conceptualisation": "understanding",
    "abstract conceptualization": "understanding",
    "reflection": "understanding",
    "what i learned": "understanding",
    "what i learnt": "understanding",
    "learning": "understanding",
    "action plan": "planning",
    "now what": "planning",
    "active experimentation": "planning",
    "next steps": "planning",
}
_HEADING = re.compile(
    r"^[ \t]{0,3}(?:[-*+>][ \t]+)?(?P<hash>#{1,6}[ \t]+)?(?P<bold>\*\*|__)?[ \t]*(?P<name>"
    + "|".join(re.escape(k) for k in sorted(SECTION_ROLES, key=len, reverse=True))
    + r")[ \t]*(?P<punct>[:?.])?[ \t]*(?:\*\*|__)?[ \t]*(?P<punct2>[:?.])?(?P<rest>[^\n]*)$",
    re.I | re.M,
)


def section_roles(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The role of the section each sentence span sits in ("" outside any known section).

    A heading counts when it is marked as one (a Markdown ``#`` heading, bold, or followed by a
    colon or question mark) or stands alone on its line, so prose that merely starts with
    "Action" or "What" does not open a section."""
    heads: list[tuple[int, str]] = []
    for m in _HEADING.finditer(text):
        marked = m["hash"] or m["bold"] or m["punct"] in (":", "?") or m["punct2"] in (":", "?")
        if marked or not m["rest"].strip():
            heads.append((m.start(), SECTION_ROLES[m["name"].lower()]))
    roles: list[str] = []
    h = -1
    for _a, b in spans:
        while h + 1 < len(heads) and heads[h + 1][0] < b:
            h += 1
        roles.append(heads[h][1] if h >= 0 else "")
    return roles
