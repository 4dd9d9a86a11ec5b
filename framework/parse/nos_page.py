"""Read one NOS copied as text from its page on ukstandards.org.uk (the NOS finder).

What a centre gets when it selects the page and pastes it into a file:

* the URN (``SKSJ29``) and the title (the last line before the first section or fact, so that
  breadcrumbs copied above it do not count), or ``URN`` and ``NOS Title`` labels;
* ``Developed by`` and the other facts (``Version Number``, ``Date Approved``, ``Indicative
  Review Date``, ``Validity``, ``Status``, ``Originating Organisation``, ``Original URN``,
  ``Relevant Occupations``, ``Suite``, ``Keywords`` ...), each a label with its value after a tab,
  a colon or on the next line;
* ``Overview`` paragraphs;
* ``You must be able to:`` then the performance criteria numbered ``1.`` .. ``n.``, and ``You
  need to know and understand:`` then the knowledge, numbered again from ``1.``. Pasting often
  runs several onto one line (``1. do this 2. do that``): a number starts a new criterion only
  when it is the next one expected, so "at least 2. " inside a sentence does not. Older NOS number
  sub-criteria (``4.1``, ``4.2``, or ``P4.1``): each is a criterion of its own (``P4.1``) and the
  statement it hangs from (``P4 ... including:``) is kept as the start of each one's text
  rather than as a criterion of its own, so every criterion can be assessed by itself;
* other sections (``Scope/range``, ``Values``, ``Behaviours``, ``Glossary`` ...) end the lists.

The result is a framework of one standard; several pages imported together become one framework
(:func:`framework.parse.combine.combine`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from framework.parse._criteria import fold_sub_criteria
from framework.parse.nos_text import standard_spec
from framework.spec import CriterionKind, CriterionSpec, FrameworkFormatError, FrameworkSpec

# label on the page (lower case) -> label as nos_text.METADATA_LABELS prints it
LABELS = {
    "developed by": "Developed by",
    "version number": "Version number",
    "version": "Version number",
    "date approved": "Date approved",
    "indicative review date": "Indicative review date",
    "validity": "Validity",
    "status": "Status",
    "originating organisation": "Originating organisation",
    "original urn": "Original URN",
    "relevant occupations": "Relevant occupations",
    "occupations": "Relevant occupations",
    "suite": "Suite",
    "keywords": "Key words",
    "key words": "Key words",
    "soc code": "SOC code",
    "nos category": "NOS category",
    "urn": "URN",
    "nos title": "NOS title",
}
OTHER_SECTIONS = (
    "scope/range",
    "scope",
    "scope range",
    "values",
    "behaviours",
    "skills",
    "glossary",
    "links to other nos",
    "external links",
    "additional information",
)
_LABEL = re.compile(
    r"^(?P<label>" + "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True)) + r")"
    r"(?:\s*:\s*|\t+\s*| {2,})?(?P<value>.*)$",
    re.I,
)
_URN = re.compile(r"^[A-Z]{2,8}\s?[A-Z]{0,6}\d{1,4}[A-Z]?$")
# "P4" / "P4.1" / "4.1" may stand bare; a plain "4" needs its "." or ")" ("at least 2 people")
_NUMBER = re.compile(
    r"(?:^|(?<=\s))(?:[PK](?P<p>\d{1,3}(?:\.\d{1,2})?)[.):]?|(?P<sub>\d{1,3}\.\d{1,2})[.)]?"
    r"|(?P<n>\d{1,3})[.)])(?=\s)"
)
_PERFORMANCE = re.compile(
    r"^(performance criteria\s*)?you must be able to\s*:?\s*(?P<rest>.*)$", re.I
)
_KNOWLEDGE = re.compile(
    r"^(knowledge and understanding\s*)?you need to know and understand\s*:?\s*(?P<rest>.*)$", re.I
)


@dataclass
class _Item:
    kind: CriterionKind
    number: str  # "4" or "4.1"
    text: str
    line: int


@dataclass
class _Page:
    source: str
    title: str = ""
    title_labelled: bool = False  # given by a "NOS Title" label rather than found
    urn: str = ""
    overview: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    section: str = ""  # overview | performance | knowledge | other | ""
    pending_label: str = ""
    expected: str = "1"


def parse_nos_page(text: str, source: str = "") -> FrameworkSpec:
    """Parse the text of one NOS page into a framework of one standard."""
    if not text.strip():
        raise FrameworkFormatError("empty file", source=source, place="line 1")
    page = _Page(source=source)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    for number, raw in enumerate(lines, start=1):
        _feed(page, " ".join(raw.split()), raw, number)
    return _finish(page)


def _feed(page: _Page, line: str, raw: str, number: int) -> None:
    if not line:
        return
    lowered = line.lower().rstrip(":").strip()
    if page.pending_label:
        pending, page.pending_label = page.pending_label, ""
        if lowered not in LABELS and lowered not in OTHER_SECTIONS and lowered != "overview":
            _fact(page, pending, line)
            return
    if lowered in ("overview",):
        page.section = "overview"
        return
    if lowered in ("performance criteria", "knowledge and understanding"):
        page.section = "heading"
        return
    for kind, pattern in (("performance", _PERFORMANCE), ("knowledge", _KNOWLEDGE)):
        stem = pattern.match(line)
        if stem:
            page.section, page.expected = kind, "1"
            if stem["rest"]:
                _criteria(page, stem["rest"], number)
            return
    if lowered in OTHER_SECTIONS:
        page.section = "other"
        return
    found = _LABEL.match(line)
    if found and found["label"].lower() in LABELS and _is_label(found, raw):
        page.section = "facts"
        name = LABELS[found["label"].lower()]
        if found["value"].strip():
            _fact(page, name, found["value"].strip())
        else:
            page.pending_label = name
        return
    _body(page, line, number)


def _is_label(found: re.Match[str], raw: str) -> bool:
    """A label line: the label alone, or followed by a colon, a tab or a wide gap."""
    value = found["value"]
    if not value.strip():
        return True
    rest = raw.strip()[len(found["label"]) :]
    return rest.startswith((":", "\t", "  ", " :")) or found["label"].lower() == "developed by"


def _fact(page: _Page, label: str, value: str) -> None:
    if label == "NOS title":
        page.title, page.title_labelled = value, True
    elif label == "URN":
        page.urn = value.replace(" ", "")
    else:
        page.facts.setdefault(label, value)


def _body(page: _Page, line: str, number: int) -> None:
    if page.section in ("performance", "knowledge"):
        _criteria(page, line, number)
    elif page.section == "overview":
        page.overview.append(line)
    elif page.section == "" and not page.items:
        if _URN.match(line) and not page.urn:
            page.urn = line.replace(" ", "")
        elif not page.title_labelled:
            page.title = line  # the last line before the first section: after any breadcrumbs


def _criteria(page: _Page, line: str, number: int) -> None:
    """Split ``line`` into numbered criteria (only at the next expected number); text before the
    first number continues the criterion above."""
    kind: CriterionKind = "knowledge" if page.section == "knowledge" else "performance"
    starts: list[tuple[int, int, str]] = []  # (start of number, start of text, number)
    expected = page.expected
    for found in _NUMBER.finditer(line):
        label = found["p"] or found["sub"] or found["n"]
        if label in _successors(expected, bool(starts) or bool(_open(page, kind))):
            starts.append((found.start(), found.end(), label))
            expected = label
    head = line[: starts[0][0]] if starts else line
    if head.strip():
        last = _open(page, kind)
        if last is None:
            raise FrameworkFormatError(
                f"text before the first numbered criterion: “{' '.join(head.split())[:60]}”",
                source=page.source,
                place=f"line {number}",
            )
        last.text = f"{last.text} {head.strip()}"
    for i, (_, text_at, label) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(line)
        page.items.append(_Item(kind, label, line[text_at:end].strip(), number))
    page.expected = expected


def _open(page: _Page, kind: CriterionKind) -> _Item | None:
    return page.items[-1] if page.items and page.items[-1].kind == kind else None


def _successors(current: str, started: bool) -> set[str]:
    """The numbers that may follow ``current`` (``"1"`` before anything in the list)."""
    if not started:
        return {"1"}
    major, _, minor = current.partition(".")
    nxt = {str(int(major) + 1), f"{major}.1"} if not minor else set()
    if minor:
        nxt |= {f"{major}.{int(minor) + 1}", str(int(major) + 1)}
    return nxt


def _finish(page: _Page) -> FrameworkSpec:
    source = page.source
    urn = page.urn or page.facts.get("Original URN", "").replace(" ", "")
    if not page.title:
        raise FrameworkFormatError("no NOS title found", source=source, place="line 1")
    for kind, heading in (
        ("performance", "You must be able to:"),
        ("knowledge", "You need to know and understand:"),
    ):
        if not any(i.kind == kind for i in page.items):
            raise FrameworkFormatError(
                f"no {kind} criteria found (expected a “{heading}” list numbered 1, 2, 3 ...)",
                source=source,
                place="criteria",
            )
    criteria = _criteria_specs(page)
    code = urn or "NOS1"
    letters = re.match(r"[A-Z]+", code)
    standard = standard_spec(
        code=code,
        title=page.title,
        urn=urn,
        overview=page.overview,
        metadata=page.facts,
        criteria=criteria,
    )
    suite = page.facts.get("Suite", "").split(";")[0].strip()
    return FrameworkSpec(
        code=letters.group(0) if letters else code,
        title=suite or page.title,
        version="1",
        source_format="nos-page",
        standards=[standard],
        metadata={
            k.lower().replace(" ", "_"): v
            for k, v in page.facts.items()
            if k in ("Developed by", "Suite")
        },
    )


def _criteria_specs(page: _Page) -> list[CriterionSpec]:
    """Criteria in page order, sub-criteria folded (:func:`fold_sub_criteria`); a number given
    twice in one list is an error naming both lines."""
    seen: dict[tuple[str, str], int] = {}
    for item in page.items:
        key = (item.kind, item.number)
        if key in seen:
            code = f"{'P' if item.kind == 'performance' else 'K'}{item.number}"
            raise FrameworkFormatError(
                f"criterion {code} appears twice (first on line {seen[key]})",
                source=page.source,
                place=f"line {item.line}",
            )
        seen[key] = item.line
    return fold_sub_criteria([(i.kind, i.number, i.text) for i in page.items])
