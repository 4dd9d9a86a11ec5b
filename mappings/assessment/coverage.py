"""Coverage of criteria by judged evidence, as a pure function.

:func:`compute_coverage` takes the criteria of one or more standards, the claims made against
them (evidence said to show a criterion, with the assessor's decision if any) and the centre's
:class:`CoverageRules`, and says for every criterion which of four states it is in:

``met``
    at least one *countable* claim: accepted, with a method the rules allow for the criterion's
    kind, and an activity date inside the currency window (``today - currency_years`` up to and
    including ``today``; both edges count).
``awaiting``
    not met, and at least one claim still awaits the assessor's decision.
``referred``
    not met, nothing awaiting, but there are claims: all referred, or accepted yet not countable
    (wrong method, too old, dated in the future); with such an accepted claim it is "accepted,
    not counting" (:func:`~mappings.assessment.counts.not_counting`; a standard's ``not_counting``).
``missing``
    no claim at all.

Precedence is therefore ``met`` > ``awaiting`` > ``referred`` > ``missing``: one countable
claim is enough whatever else is on file, and a pending decision outranks earlier referrals
because it may yet meet the criterion. :data:`STATE_RANK` gives that order as numbers.

The result never depends on the order of the claims: claims are sorted by a total key before
anything is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, Literal, NamedTuple, TypeVar

from portfolio.refs import EvidenceRef

_T = TypeVar("_T")
Kind = Literal["performance", "knowledge", "assessment"]
ClaimStatus = Literal["claimed", "accepted", "referred"]
State = Literal["met", "awaiting", "referred", "missing"]

STATES: tuple[State, ...] = ("met", "awaiting", "referred", "missing")
STATE_RANK: Mapping[State, int] = {"missing": 0, "referred": 1, "awaiting": 2, "met": 3}

DEFAULT_METHODS: tuple[tuple[str, str], ...] = (
    ("O", "observation"),
    ("WT", "witness testimony"),
    ("PD", "professional discussion"),
    ("Q", "questioning"),
    ("RA", "reflective account"),
    ("P", "product"),
    ("RPL", "recognition of prior learning"),
)


@dataclass(frozen=True)
class CriterionRef:
    id: int
    standard: str
    code: str
    kind: Kind
    text: str = ""


class ClaimFact(NamedTuple):
    """One piece of evidence claimed against one criterion, with the decision so far.

    A named tuple rather than a frozen dataclass: one is made for every claim read (thousands a
    page), and a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``,
    three times the cost (``_replace`` makes a changed copy)."""

    criterion_id: int
    evidence_id: int
    evidence_ref: EvidenceRef  # the version that is judged
    evidence_title: str
    evidence_kind: str
    activity_date: date
    status: ClaimStatus  # "claimed" means awaiting the assessor's decision
    method: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class CoverageRules:
    """A framework's assessment strategy, as data. ``None`` for a kind's methods means any."""

    performance_methods: frozenset[str] | None = frozenset({"O", "WT", "P"})
    knowledge_methods: frozenset[str] | None = None
    assessment_methods: frozenset[str] | None = None
    currency_years: int | None = 3
    methods: tuple[tuple[str, str], ...] = DEFAULT_METHODS  # (code, name) in display order

    def __post_init__(self) -> None:
        known = {code for code, _ in self.methods}
        if len(known) != len(self.methods):
            raise ValueError("method codes must be unique")
        kinds: tuple[Kind, ...] = ("performance", "knowledge", "assessment")
        for kind in kinds:
            allowed = self.allowed_methods(kind)
            if allowed is not None and not allowed <= known:
                unknown = ", ".join(sorted(allowed - known))
                raise ValueError(f"{kind} methods name unknown method codes: {unknown}")
        if self.currency_years is not None and self.currency_years < 0:
            raise ValueError("currency_years must not be negative")

    def allowed_methods(self, kind: Kind) -> frozenset[str] | None:
        if kind == "performance":
            return self.performance_methods
        if kind == "knowledge":
            return self.knowledge_methods
        return self.assessment_methods

    def method_name(self, code: str) -> str:
        return dict(self.methods).get(code, code)

    def describe(self, codes: Iterable[str], conjunction: str = "or", words: bool = False) -> str:
        """``{"P", "O", "WT"}`` -> ``"O, WT or P"`` in the order of the method table (``words``:
        "observation, witness testimony or product")."""
        order = {code: i for i, (code, _) in enumerate(self.methods)}
        ordered = sorted(set(codes), key=lambda c: (order.get(c, len(order)), c))
        ordered = [self.method_name(c) for c in ordered] if words else ordered
        if len(ordered) <= 1:
            return "".join(ordered)
        return f"{', '.join(ordered[:-1])} {conjunction} {ordered[-1]}"

    def to_dict(self) -> dict[str, Any]:
        def codes(value: frozenset[str] | None) -> list[str] | None:
            return None if value is None else sorted(value)

        return {
            "performance_methods": codes(self.performance_methods),
            "knowledge_methods": codes(self.knowledge_methods),
            "assessment_methods": codes(self.assessment_methods),
            "currency_years": self.currency_years,
            "methods": {code: name for code, name in self.methods},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CoverageRules:
        allowed_keys = set(cls().to_dict())
        unknown = set(data) - allowed_keys
        if unknown:
            raise ValueError(f"unknown coverage rule keys: {', '.join(sorted(unknown))}")
        defaults = cls()

        def codes(key: str, default: frozenset[str] | None) -> frozenset[str] | None:
            if key not in data:
                return default
            value = data[key]
            if value is None:
                return None
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of method codes or null")
            return frozenset(_norm(v) for v in value)

        years = data.get("currency_years", defaults.currency_years)
        if years is not None and (isinstance(years, bool) or not isinstance(years, int)):
            raise ValueError("currency_years must be an integer or null")
        methods_raw = data.get("methods")
        if methods_raw is None:
            methods = defaults.methods
        elif isinstance(methods_raw, Mapping):
            methods = tuple((_norm(str(k)), str(v)) for k, v in methods_raw.items())
        else:
            raise ValueError("methods must map method codes to names")
        return cls(
            performance_methods=codes("performance_methods", defaults.performance_methods),
            knowledge_methods=codes("knowledge_methods", defaults.knowledge_methods),
            assessment_methods=codes("assessment_methods", defaults.assessment_methods),
            currency_years=years,
            methods=methods,
        )


class ClaimCheck(NamedTuple):
    """A claim as judged by the rules: ``countable`` only for accepted claims that count (a
    named tuple, like :class:`ClaimFact`: one is made per claim judged)."""

    claim: ClaimFact
    countable: bool
    problem: str = ""  # why an accepted claim does not count: "method", "currency", "future"


@dataclass(frozen=True)
class CriterionCoverage:
    criterion: CriterionRef
    state: State
    basis: tuple[EvidenceRef, ...]  # evidence behind the state (none when missing)
    reasons: tuple[str, ...]  # why it is not met; empty when met
    claims: tuple[ClaimCheck, ...] = field(default=())  # every claim, in a stable order


@dataclass(frozen=True)
class StandardCoverage:
    standard: str
    total: int
    met: int
    awaiting: int
    referred: int
    missing: int
    percent_met: float  # 0.0 .. 100.0
    complete: bool  # every criterion met
    outstanding: tuple[CriterionCoverage, ...]  # every criterion not met, in input order
    not_counting: int = 0  # of the referred: accepted, but no accepted claim counts


@dataclass(frozen=True)
class Coverage:
    criteria: tuple[CriterionCoverage, ...]  # in the order the criteria were given
    standards: tuple[StandardCoverage, ...]  # in order of first appearance
    unknown_claims: int = 0  # claims naming a criterion not in the input (ignored)

    def for_criterion(self, criterion_id: int) -> CriterionCoverage:
        for item in self.criteria:
            if item.criterion.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    def for_standard(self, standard: str) -> StandardCoverage:
        for item in self.standards:
            if item.standard == standard:
                return item
        raise KeyError(standard)

    def counts(self) -> dict[State, int]:
        totals: dict[State, int] = dict.fromkeys(STATES, 0)
        for item in self.criteria:
            totals[item.state] += 1
        return totals


# ClaimCheck(...) without the named tuple's Python-level __new__ (a third of its cost), for
# the loops that make one per claim
_new = tuple.__new__
_blank = object.__new__


def frozen(cls: type[_T], *values: Any) -> _T:
    """``cls(*values)`` for a frozen dataclass without ``__post_init__`` or slots, every field
    given: its ``__init__`` sets each field through ``object.__setattr__``, three times the cost
    of filling the instance's ``__dict__``, and one is made per criterion of every page."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    made = _blank(cls)
    made.__dict__.update(zip(names, values, strict=True))
    return made


_FIELDS: dict[type, tuple[str, ...]] = {}


@lru_cache(maxsize=256)  # a few codes come back on every claim
def _norm(code: str) -> str:
    return code.strip().upper()


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# (activity date, evidence ref, evidence id), read in C: no Python call per claim
_short_key = attrgetter("activity_date", "evidence_ref", "evidence_id")
_evidence_id = attrgetter("evidence_id")


def _ordered(claims: list[ClaimFact]) -> list[ClaimFact]:
    """The claims in :func:`_claim_key` order; when no two share an evidence item (as in the
    database) its first three parts decide, with no time formatted per claim."""
    if len(claims) < 2:
        return claims
    if len(set(map(_evidence_id, claims))) < len(claims):
        return sorted(claims, key=_claim_key)
    return sorted(claims, key=_short_key)


def _claim_key(c: ClaimFact) -> tuple[Any, ...]:
    decided = c.decided_at.isoformat() if c.decided_at else ""
    return (
        c.activity_date,
        c.evidence_ref,
        c.evidence_id,
        c.status,
        c.method or "",
        decided,
        c.evidence_title,
        c.evidence_kind,
    )


def check_claim(claim: ClaimFact, kind: Kind, rules: CoverageRules, today: date) -> ClaimCheck:
    years = rules.currency_years
    oldest = None if years is None else years_before(today, years)
    allowed = rules.allowed_methods(kind)
    problem = claim_problem(claim.status, claim.method, claim.activity_date, allowed, today, oldest)
    return ClaimCheck(claim, countable=problem == "", problem=problem or "")


def claim_problem(
    status: str,
    method: str | None,
    activity: date,
    allowed: frozenset[str] | None,  # the methods the criterion's kind allows (None: any)
    today: date,
    oldest: date | None,
) -> str | None:
    """The one rule of countability: None if not accepted, "" if countable, else the problem."""
    if status != "accepted":
        return None
    if allowed is not None and (method is None or _norm(method) not in allowed):
        return "method"
    if activity > today:
        return "future"
    if oldest is not None and activity < oldest:
        return "currency"
    return ""


def _refs(checks: Iterable[ClaimCheck]) -> tuple[EvidenceRef, ...]:
    return tuple(dict.fromkeys(c.claim.evidence_ref for c in checks))


def _listed(checks: Iterable[ClaimCheck]) -> str:
    """The evidence of these claims as people read it: ``E1v1, E3v2``."""
    return ", ".join(str(ref) for ref in _refs(checks))


def _judge(
    criterion: CriterionRef,
    claims: list[ClaimFact],
    rules: CoverageRules,
    today: date,
    oldest: date | None,
) -> CriterionCoverage:
    allowed = rules.allowed_methods(criterion.kind)
    listed: list[ClaimCheck] = []
    met: dict[EvidenceRef, None] = {}  # the evidence of countable claims, in order
    for fact in _ordered(claims):  # one pass: this runs for every claim of every page
        problem = claim_problem(
            fact.status, fact.method, fact.activity_date, allowed, today, oldest
        )
        listed.append(_new(ClaimCheck, (fact, problem == "", problem or "")))
        if problem == "":
            met[fact.evidence_ref] = None
    if met:
        return frozen(CriterionCoverage, criterion, "met", tuple(met), (), tuple(listed))
    checks = tuple(listed)
    if not checks:
        return frozen(CriterionCoverage, criterion, "missing", (), ("no evidence claimed",), checks)

    awaiting = [c for c in checks if c.claim.status == "claimed"]
    referred = [c for c in checks if c.claim.status == "referred"]
    by_problem: dict[str, list[ClaimCheck]] = defaultdict(list)
    for c in checks:
        if c.problem:
            by_problem[c.problem].append(c)

    reasons: list[str] = []
    if awaiting:
        reasons.append(f"awaiting assessor decision on {_listed(awaiting)}")
    if referred:
        reasons.append(f"referred: {_listed(referred)}")
    if by_problem["method"]:
        used = {
            _norm(c.claim.method) if c.claim.method else "no method" for c in by_problem["method"]
        }
        allowed = rules.allowed_methods(criterion.kind) or frozenset()
        reasons.append(
            f"accepted only by {rules.describe(used, 'and')}; needs {rules.describe(allowed)}"
        )
    if by_problem["currency"]:
        too_old = _listed(by_problem["currency"])
        reasons.append(f"evidence older than {rules.currency_years} years: {too_old}")
    if by_problem["future"]:
        reasons.append(f"activity date after today: {_listed(by_problem['future'])}")

    if awaiting:
        return frozen(
            CriterionCoverage, criterion, "awaiting", _refs(awaiting), tuple(reasons), checks
        )
    return frozen(CriterionCoverage, criterion, "referred", _refs(checks), tuple(reasons), checks)


def compute_coverage(
    criteria: Iterable[CriterionRef],
    claims: Iterable[ClaimFact],
    rules: CoverageRules,
    today: date,
) -> Coverage:
    """Judge every criterion against its claims; see the module docstring for the states."""
    criteria = tuple(criteria)
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise ValueError("criterion ids must be unique")
    known = set(ids)
    by_criterion: dict[int, list[ClaimFact]] = defaultdict(list)
    unknown = 0
    for claim in claims:
        if claim.criterion_id in known:
            by_criterion[claim.criterion_id].append(claim)
        else:
            unknown += 1

    years = rules.currency_years
    oldest = None if years is None else years_before(today, years)
    judged = tuple(_judge(c, by_criterion.get(c.id, []), rules, today, oldest) for c in criteria)

    grouped: dict[str, list[CriterionCoverage]] = {}
    for item in judged:
        grouped.setdefault(item.criterion.standard, []).append(item)
    standards = tuple(_summarise(std, items) for std, items in grouped.items())
    return Coverage(judged, standards, unknown)


def _summarise(standard: str, items: list[CriterionCoverage]) -> StandardCoverage:
    outstanding = tuple(i for i in items if i.state != "met")
    uncounted = sum(i.state == "referred" and any(c.problem for c in i.claims) for i in items)
    return standard_counts(standard, [i.state for i in items], outstanding, uncounted)


def standard_counts(
    standard: str,
    states: list[State],
    outstanding: tuple[CriterionCoverage, ...],
    not_counting: int = 0,
) -> StandardCoverage:
    """The counts of one standard from the states of its criteria, in order; ``not_counting``
    of the referred are accepted by claims none of which counts."""
    count = dict.fromkeys(STATES, 0)
    for st in states:
        count[st] += 1
    return StandardCoverage(
        standard=standard,
        total=len(states),
        met=count["met"],
        awaiting=count["awaiting"],
        referred=count["referred"],
        missing=count["missing"],
        percent_met=100.0 * count["met"] / len(states),
        complete=count["met"] == len(states),
        outstanding=outstanding,
        not_counting=not_counting,
    )
