"""IQA samples, their records, reasons and plan gaps in words, for pages and documents alike:
"Sample 12 — Lena Learner", never the planner's key "S12" or its codes "CAMERA: evidence
reflective_account"."""

from __future__ import annotations

import re

from mappings.assessment.words import method_words
from mappings.quality.beyond import reason_words, status_words
from mappings.quality.sampling import Gaps
from portfolio.words import count_words, kind_words, plain

SAMPLE_KINDS = {"interim": "Interim (before sign-off)", "summative": "Summative (after sign-off)"}
# the same inside brackets: "Sample 3 (interim, before sign-off)", not "(interim (before sign-off))"
SAMPLE_KIND_PHRASES = {
    "interim": "interim, before sign-off",
    "summative": "summative, after sign-off",
}
ADDED_BY = {"planner": "the planner", "iqa": "the IQA, by hand"}
# the IQA's records' stored outcomes and statuses (a review's, an action's, a sign-off's), as the
# pages (delivery.web.words.STATUSES, built from these) and the documents (the IQA report, the
# sign-off record) say them: "disagree" -> "Disagreed"
RECORD_WORDS = {
    "agree": "Agreed",
    "disagree": "Disagreed",
    "open": "Open",
    "responded": "Responded",
    "closed": "Closed",
    "signed": "Signed off",
    "reopened": "Reopened",
}
# what an IQA plan's gap names ("CAMERA: method P"), in words
GAP_LABELS = {
    "cohort": "Cohort",
    "assessor": "Assessor",
    "method": "Method",
    "evidence": "Kind of evidence",
    "record": "Record",
    "site": "Site",
    "standard": "Standard",
}
_GAP = re.compile(r"^(?:CAMERA|coverage): (\w+) (.*)$")
_SHORT = re.compile(r"\(([a-z ]+), (\d+%)\) has (\d+) of (\d+) samples$")


def sample_label(position: int, learner: str = "") -> str:
    """An IQA sample as people name it: "Sample 12 — Lena Learner" (not the planner's "S12")."""
    return f"Sample {position} — {learner}" if learner else f"Sample {position}"


def sample_kind(kind: str) -> str:
    return SAMPLE_KINDS.get(kind, kind)


def sample_kind_phrase(kind: str) -> str:
    return SAMPLE_KIND_PHRASES.get(kind, kind)


def added_by_words(added_by: str) -> str:
    return ADDED_BY.get(added_by, added_by)


def record_words(value: str) -> str:
    """A review's outcome, an action's or a sign-off's status in words: "disagree" -> "Disagreed"."""
    return RECORD_WORDS.get(value, value.replace("_", " ").capitalize())


def outcome_words(outcome: str | None) -> str:
    """A sample's outcome in words; "Not reviewed" while it has none."""
    return record_words(outcome) if outcome else "Not reviewed"


def reason_plain(reason: str) -> str:
    """A planner's reason as the pages say it: "CAMERA: evidence reflective_account" ->
    "evidence of the kind reflective account", "CAMERA: assessor Asa (#2)" -> "assessor Asa"."""
    return plain(reason_words(reason))


def gap_words(text: str) -> str:
    """What an IQA plan still lacks, in words: "CAMERA: method P" -> "Method “Observation”",
    "rate: Asa Assessor (#2) (new, 100%) has 0 of 1 samples" -> "Asa Assessor (new, 100%) has 0 of
    1 sample"."""
    if text.startswith("rate: "):
        short = plain(text).removeprefix("rate: ")
        return _SHORT.sub(
            lambda m: (
                f"({status_words(m[1])}, {m[2]}) has {m[3]} of {count_words(int(m[4]), 'sample')}"
            ),
            short,
        )
    found = _GAP.match(text)
    if found is None:
        return plain(text)
    label, value = found.groups()
    # each value said as a value, as the method is: "Kind of evidence “Reflective account”"
    if label == "method":
        value = method_words(value)
    elif label == "evidence":
        value = kind_words(value)
    elif label == "record":
        value = sample_kind(value)
    else:
        value = plain(value)
    return f"{GAP_LABELS.get(label, label.capitalize())} “{value}”"


def gaps_words(gaps: Gaps) -> list[str]:
    """Everything an IQA plan still lacks, one sentence each, as the plan page lists it: quotas
    short, values never sampled, and sampled decisions no longer among the cycle's."""
    lines = [
        *map(gap_words, gaps.short),
        *(f"{gap_words(g)} is not sampled" for g in gaps.uncovered),
    ]
    if gaps.unknown:
        n = len(gaps.unknown)
        are = "s are" if n != 1 else " is"
        lines.append(f"{n} sampled decision{are} no longer among the cycle's decisions")
    return lines
