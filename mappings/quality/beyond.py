"""Why a plan holds more samples than the assessors' quotas ask for, in words.

The planner takes each assessor's quota first, then more decisions to sample every value of the
strategy at least once (CAMERA and standards), and the IQA may add decisions by hand. A sample
taken for its quota carries a "rate: ..." reason; any other one is beyond the quota, and its
reasons say what it covers. Pure: takes the samples' assessors and reasons as plain data."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mappings.assessment.words import method_words
from mappings.quality.sampling import Quota
from portfolio.words import kind_words

RATE = "rate:"
# the planner's reason prefixes (sampling.DIMENSIONS), as people say them
_PREFIXES = (
    ("CAMERA: cohort ", "cohort "),
    ("CAMERA: assessor ", "assessor "),
    ("CAMERA: site ", "site "),
    ("coverage: standard ", "standard "),
)
_RECORDS = {"CAMERA: record interim": "interim decisions", "CAMERA: record summative": "sign-offs"}


_METHOD = "CAMERA: method "  # its code is named in words: "method observation"
_KIND = "CAMERA: evidence "  # its kind too: "evidence of the kind STAR narrative"
_MANUAL = "manual: added by IQA"
_QUOTA = re.compile(r"rate: (.+) assessor (\d+%)(.*)")
_RAISED = re.compile(r"raised from (.+) after")
# an assessor's status as the planner's reasons store it (sampling.STATUS_LABELS), as the pages
# say it: "standard" is the strategy's usual rate, not a framework's standard. Stored reasons
# keep the planner's words; only what is shown changes (as the person page's "experienced").
STATUS_WORDS = {"new": "new", "standard": "experienced", "under review": "under review"}


def status_words(label: str) -> str:
    """ "standard" -> "experienced"; the other statuses as they are."""
    return STATUS_WORDS.get(label, label)


def reason_words(reason: str) -> str:
    """A planner's reason as words: "CAMERA: method PD" -> "method professional discussion",
    "rate: new assessor 100%" -> "quota of a new assessor (100%)", "manual: added by IQA" ->
    "added by hand"."""
    if reason in _RECORDS:
        return _RECORDS[reason]
    quota = _QUOTA.fullmatch(reason)
    if quota:
        status = status_words(quota[1])
        raised = _RAISED.sub(lambda m: f"raised from {status_words(m[1])} after", quota[3])
        who = (  # "an assessor under review", "a new assessor"
            f"an assessor {status}"
            if " " in status
            else f"{'an' if status[0] in 'aeiou' else 'a'} {status} assessor"
        )
        return f"quota of {who} ({quota[2]}){raised}"
    if reason.startswith(_MANUAL):
        return "added by hand" + reason[len(_MANUAL) :]
    if reason.startswith(_METHOD):
        code = reason[len(_METHOD) :]
        named = method_words(code)
        return "method " + (named.lower() if named != code else code)
    if reason.startswith(_KIND):
        return "evidence of the kind " + _kind_in_a_sentence(reason[len(_KIND) :])
    for prefix, words in _PREFIXES:
        if reason.startswith(prefix):
            return words + reason[len(prefix) :]
    return reason


def _kind_in_a_sentence(kind: str) -> str:
    """ "witness_testimony" -> "witness testimony", "star_narrative" -> "STAR narrative": the
    evidence pages' words for the kind, lower case but for a first word in capitals."""
    words = kind_words(kind)
    if words.split(" ", 1)[0].isupper():
        return words
    return words[:1].lower() + words[1:]


@dataclass(frozen=True)
class PlannedSample:
    assessor: str  # the planner's label of the assessor (as in Quota.assessor)
    reasons: tuple[str, ...]
    by_hand: bool


@dataclass(frozen=True)
class BeyondQuota:
    """One assessor sampled more than their quota, and why."""

    assessor: str
    required: int
    sampled: int
    for_coverage: int  # samples taken to sample a value no earlier sample carried
    by_hand: int  # samples the IQA added
    covers: tuple[str, ...]  # in words, what those coverage samples brought in, first seen first

    @property
    def extra(self) -> int:
        return self.sampled - self.required


def beyond_quota(samples: Iterable[PlannedSample], quotas: Sequence[Quota]) -> list[BeyondQuota]:
    """Every assessor with more samples than their quota asks for, in the order of ``quotas``."""
    sampled: Counter[str] = Counter()
    coverage: Counter[str] = Counter()
    manual: Counter[str] = Counter()
    covers: dict[str, dict[str, None]] = {}
    for s in samples:
        sampled[s.assessor] += 1
        if any(r.startswith(RATE) for r in s.reasons):
            continue
        if s.by_hand:
            manual[s.assessor] += 1
            continue
        coverage[s.assessor] += 1
        covers.setdefault(s.assessor, {}).update(dict.fromkeys(map(reason_words, s.reasons)))
    out = []
    for q in quotas:
        if sampled[q.assessor] > q.required:
            out.append(
                BeyondQuota(
                    assessor=q.assessor,
                    required=q.required,
                    sampled=sampled[q.assessor],
                    for_coverage=coverage[q.assessor],
                    by_hand=manual[q.assessor],
                    covers=tuple(covers.get(q.assessor, {})),
                )
            )
    return out
