"""Scan a text for personal data: the pattern kinds and names of people, overlaps settled.

``scan(text, learner=("Jo Bloggs",))`` returns findings sorted by position, none overlapping
another. Where two pattern candidates overlap, the one starting first wins, then the longer,
then the kind earlier in ``KINDS`` (so a phone number is not also read as an NHS number); a name
is kept only where it overlaps no pattern finding (so not an e-mail address's local part, nor
"Leeds LS6 2AB"). Pure: plain text in, plain values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from portfolio.errors import Invalid
from portfolio.privacy.names import find_names
from portfolio.privacy.patterns import find_patterns

# Every kind, in order of precedence when two overlap.
KINDS = (
    "email",
    "phone",
    "ni_number",
    "nhs_number",
    "postcode",
    "address",
    "date_of_birth",
    "name",
)
PATTERN_KINDS = KINDS[:-1]
LABELS = {
    "email": "e-mail address",
    "phone": "phone number",
    "ni_number": "National Insurance number",
    "nhs_number": "NHS number",
    "postcode": "postcode",
    "address": "street address",
    "date_of_birth": "date of birth",
    "name": "name of a person",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_identifiers(spec: str) -> dict[str, str]:
    """A centre's identifiers as configured: ``KIND=REGEX`` pairs separated by ``;`` (or new
    lines), e.g. ``client_ref=CR-\\d{6}; case_no=CASE/\\d{4}``. A ``;`` inside a regular
    expression is kept unless ``KIND=`` follows it. Invalid (with the reason) for a pair without
    ``=``; the patterns are checked by :func:`centre_identifiers`."""
    pairs: dict[str, str] = {}
    for part in re.split(r"[;\n]\s*(?=[A-Za-z][\w-]*=)", spec.strip()):
        part = part.strip().rstrip(";").strip()
        if not part:
            continue
        kind, sep, pattern = part.partition("=")
        if not sep or not pattern:
            raise Invalid(f"identifier “{part}”: write KIND=REGEX")
        pairs[kind.strip().replace("-", "_")] = pattern.strip()
    return pairs


def centre_identifiers(patterns: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    """Compile identifiers a centre configures (kind -> regular expression), refusing with a clear
    message a kind that is not a lower-case word, one that names a built-in kind, a pattern that
    does not compile or one that matches the empty string."""
    compiled: dict[str, re.Pattern[str]] = {}
    for kind, pattern in patterns.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", kind):
            raise Invalid(f"identifier kind “{kind}”: use a lower-case word (letters, digits, _)")
        if kind in KINDS:
            raise Invalid(f"identifier kind “{kind}” is a built-in kind")
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise Invalid(f"identifier “{kind}”: not a regular expression ({exc})") from exc
        if regex.fullmatch(""):
            raise Invalid(f"identifier “{kind}”: the pattern matches empty text")
        compiled[kind] = regex
    return compiled


def scan(
    text: str,
    *,
    learner: Iterable[str] = (),
    names: bool = True,
    identifiers: Mapping[str, re.Pattern[str]] | None = None,
) -> list[Finding]:
    """The personal data in ``text``: ``text[f.start:f.end] == f.text`` for every finding.

    ``learner`` holds the learner's own name(s), never reported; ``names=False`` skips the
    named-entity model (pattern kinds only); ``identifiers`` (from ``centre_identifiers``) adds a
    centre's own kinds, ranked after the built-in pattern kinds and before names."""
    extra = dict(identifiers or {})
    rank = {kind: i for i, kind in enumerate((*PATTERN_KINDS, *extra))}
    candidates = find_patterns(text)
    for kind, regex in extra.items():
        candidates += [
            (kind, m.start(), m.end()) for m in regex.finditer(text) if m.end() > m.start()
        ]
    candidates.sort(key=lambda c: (c[1], -(c[2] - c[1]), rank[c[0]]))
    kept: list[Finding] = []
    for kind, start, end in candidates:
        if kept and start < kept[-1].end:
            continue
        kept.append(Finding(kind, start, end, text[start:end]))
    if names:  # a name never overlaps a pattern finding: the pattern is the surer reading
        for kind, start, end in find_names(text, tuple(learner)):
            if not any(start < f.end and f.start < end for f in kept):
                kept.append(Finding(kind, start, end, text[start:end]))
        kept.sort(key=lambda f: f.start)
    return kept
