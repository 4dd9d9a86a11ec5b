"""Read a qualification unit's topic guide (plain text) as a framework of one standard.

A topic guide has sections headed by lines such as ``Topic Synopsis``, ``Key Concepts & Core
Principles``, ``Exam Tips & Revision Strategies``, ``Common Misconceptions & Mistakes to Avoid``
and ``Examiner Marking Points``; items are ``- `` bullets (a line without a bullet continues the
item above). Real guides start with a truncated copy of the synopsis and carry no unit code.

* The examiner marking points become criteria of kind ``"assessment"``, coded ``AC1``..``ACn``.
* Every other section is kept, in order, as the standard's ``content`` (Markdown, one ``##``
  heading per section); the synopsis is also the standard's ``overview``.
* Without an explicit ``title``, the title is the synopsis's first clause with the usual lead-in
  ("This subtopic explores ...") removed, trimmed at a word boundary to at most 80 characters.
  Without an explicit ``code``, the code is ``TG-`` and the first six hex digits of the SHA-256 of
  the synopsis, so the same guide always gets the same code.
"""

from __future__ import annotations

import hashlib
import re

from framework.spec import CriterionSpec, FrameworkFormatError, FrameworkSpec, StandardSpec

SYNOPSIS = "Topic Synopsis"
MARKING = "Examiner Marking Points"
KNOWN_HEADINGS = (
    SYNOPSIS,
    "Key Concepts & Core Principles",
    "Exam Tips & Revision Strategies",
    "Common Misconceptions & Mistakes to Avoid",
    MARKING,
)
_HEADING_KEYS = {h.lower(): h for h in KNOWN_HEADINGS}
_BULLET = re.compile(r"^\s*[-*\u2022]\s+(?P<text>\S.*)$")
_LEAD_IN = re.compile(
    r"^this\s+(?:sub)?(?:topic|element|unit|module|section)\s+"
    r"(?:explores|focuses on|covers|examines|is about|introduces|looks at|considers)\s+",
    re.I,
)
_TRAILING_STOPWORDS = {
    "a",
    "an",
    "and",
    "or",
    "of",
    "the",
    "to",
    "in",
    "on",
    "for",
    "with",
    "within",
}
MAX_TITLE = 80


def parse_topic_guide(
    text: str, source: str = "", code: str | None = None, title: str | None = None
) -> FrameworkSpec:
    """Parse a topic guide into a framework holding one standard."""
    if not isinstance(text, str) or not text.strip():
        raise FrameworkFormatError("empty file", source=source, place="line 1")
    sections = _sections(text, source)
    if SYNOPSIS not in sections:
        raise FrameworkFormatError("no 'Topic Synopsis' section", source=source, place=SYNOPSIS)
    synopsis = " ".join(p for p in sections[SYNOPSIS] if p)
    if not synopsis:
        raise FrameworkFormatError("the synopsis is empty", source=source, place=SYNOPSIS)
    points = sections.get(MARKING, [])
    if not points:
        raise FrameworkFormatError("no examiner marking points", source=source, place=MARKING)
    criteria = [
        CriterionSpec(kind="assessment", code=f"AC{i}", text=p, position=i)
        for i, p in enumerate(points, start=1)
    ]
    unit_code = code or derive_code(synopsis)
    unit_title = title or derive_title(synopsis)
    content = "\n\n".join(
        _markdown_section(name, items) for name, items in sections.items() if name != MARKING
    )
    standard = StandardSpec(
        code=unit_code, title=unit_title, overview=synopsis, content=content, criteria=criteria
    )
    return FrameworkSpec(
        code=unit_code,
        title=unit_title,
        source_format="topic-guide",
        overview=synopsis,
        standards=[standard],
    )


def derive_code(synopsis: str) -> str:
    return "TG-" + hashlib.sha256(synopsis.encode("utf-8")).hexdigest()[:6].upper()


def derive_title(synopsis: str) -> str:
    """A short title from the synopsis's first clause."""
    first = re.split(r"(?<=[.!?])\s", synopsis.strip(), maxsplit=1)[0].rstrip(".!?")
    first = _LEAD_IN.sub("", first)
    clause = re.split(r",\s|;\s|\s[-\u2013\u2014]\s", first, maxsplit=1)[0]
    words = clause.split()
    while words and len(" ".join(words)) > MAX_TITLE:
        words.pop()
    while len(words) > 1 and words[-1].lower() in _TRAILING_STOPWORDS:
        words.pop()
    result = " ".join(words) or synopsis[:MAX_TITLE].strip()
    return result[:1].upper() + result[1:]


def _sections(text: str, source: str) -> dict[str, list[str]]:
    """Section name -> items (paragraphs or bullets), in file order."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_bullet = False  # a line without a bullet right after a bullet item continues it
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            in_bullet = False
            continue
        heading = _HEADING_KEYS.get(line.lower().rstrip(":"))
        if heading:
            if heading in sections:
                raise FrameworkFormatError(
                    f"section “{heading}” appears twice", source=source, place=f"line {number}"
                )
            current = sections[heading] = []
            in_bullet = False
            continue
        if current is None:
            continue  # the truncated synopsis on the first line, or cover matter
        bullet = _BULLET.match(raw)
        if bullet:
            current.append(_clean(bullet["text"]))
            in_bullet = True
        elif current and in_bullet:
            current[-1] = f"{current[-1]} {_clean(line)}"
        else:
            current.append(_clean(line))
    return sections


def _markdown_section(name: str, items: list[str]) -> str:
    separator, bullet = ("\n\n", "") if name == SYNOPSIS else ("\n", "- ")
    body = separator.join(bullet + item for item in items)
    return f"## {name}\n\n{body}".rstrip()


def _clean(text: str) -> str:
    return " ".join(text.split())
