"""Plain data describing a framework as read from a file, before it touches the database.

Every importer returns a :class:`FrameworkSpec`; every failure is a :class:`FrameworkFormatError`
naming the file and the place in it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

CriterionKind = Literal["performance", "knowledge", "assessment"]
KINDS: tuple[CriterionKind, ...] = ("performance", "knowledge", "assessment")
# a version number as frameworks give one ("1", "2", "1.1"; the NOS "Version Number"), and as
# centres and awarding bodies write them ("v2", "2024", "1.0.0", "2.1a", "3 (2019)", "01/2019"):
# a number, perhaps after a letter or word, never a bare word ("abc") or a sign ("-1"); at most
# the 32 characters a framework's version holds
VERSION = re.compile(r"[^\W\d_]*\s?\d[\w. ()/-]*")
MAX_VERSION = 32


class FrameworkFormatError(ValueError):
    """A framework file could not be read. ``place`` is a line, section or JSON pointer."""

    def __init__(self, message: str, *, source: str = "", place: str = "") -> None:
        self.message = message
        self.source = source
        self.place = place
        where = ", ".join(p for p in (source, place) if p)
        super().__init__(f"{where}: {message}" if where else message)


def version_problem(version: str) -> str:
    """What is wrong with a framework's ``version`` as read from a file, in words; ``""`` when
    it is a version number or empty (the reader's default then). Every reader that takes the
    version from the file asks this, and names where in the file it found the version."""
    if version and (not VERSION.fullmatch(version) or len(version) > MAX_VERSION):
        return (
            f"version “{version}” is not a version number: write a number such as 1, 1.1 or "
            f"v2 (at most {MAX_VERSION} characters), or leave it empty for 1"
        )
    return ""


@dataclass(frozen=True)
class CriterionSpec:
    kind: CriterionKind
    code: str  # "P3", "K10", "AC1"
    text: str
    position: int  # 1-based order within the standard


@dataclass
class StandardSpec:
    code: str  # short code, "SE04"
    title: str
    urn: str = ""  # "LSI SE04"
    overview: str = ""
    content: str = ""  # further content (Markdown): synopsis, key concepts of a topic guide
    version: str = ""
    date_approved: str = ""
    review_date: str = ""
    validity: str = ""
    status: str = ""
    originating_organisation: str = ""
    occupations: str = ""
    keywords: str = ""
    criteria: list[CriterionSpec] = field(default_factory=list)


@dataclass(frozen=True)
class StageSpec:
    """One stage of a suite's functional process, e.g. A "Employer engagement"."""

    ref: str
    title: str
    standards: tuple[str, ...]  # references as printed: "(LSI) SE02", "(CFA) GOV12"


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str


@dataclass
class FrameworkSpec:
    code: str  # short code used on the command line, "SE"
    title: str
    urn: str = ""  # "LSI SE00"
    version: str = "1"
    overview: str = ""
    source_format: str = ""
    standards: list[StandardSpec] = field(default_factory=list)
    stages: list[StageSpec] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # lenient-mode deviations, not errors
    # the framework's own vocabulary for the suggestion engine, as a table (docs/vocabulary.md)
    vocabulary: str = ""
    # CASE identifiers and records kept from a CASE package (framework/case_ids.py); empty for
    # frameworks from other sources, whose identifiers are derived from their content on export
    case: dict[str, Any] = field(default_factory=dict)

    def criteria_count(self) -> int:
        return sum(len(s.criteria) for s in self.standards)

    def content_dict(self) -> dict[str, object]:
        """Everything that defines the framework's content (not warnings nor source format)."""
        data = asdict(self)
        data.pop("warnings")
        data.pop("source_format")
        data.pop("vocabulary")  # engine data kept with the framework, not its content
        data.pop("case")  # identifiers the publisher gave the content, not the content
        return data

    def content_hash(self) -> str:
        blob = json.dumps(self.content_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
