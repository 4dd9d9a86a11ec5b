"""What the coverage pages and ``portfolio coverage`` say of a criterion: its state and why it
is not met, in words, with the evidence named by its title and methods by their names (the
engine's own reasons, kept in the report's JSON for programs, give references
like "E16v1" and method codes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mappings.assessment.counts import not_counting
from mappings.assessment.coverage import ClaimCheck, CoverageRules, CriterionCoverage
from mappings.assessment.methods import method_names
from mappings.assessment.words import CRITERION_STATES

# a criterion's state as pages say it; "uncounted": accepted, but no accepted claim counts
STATE_WORDS = CRITERION_STATES


@dataclass(frozen=True)
class Reason:
    """One reason a criterion is not met: ``before``, then each item of evidence (linked by id,
    named by title, followed by its note), then ``after``."""

    before: str
    evidence: tuple[tuple[int, str, str], ...] = ()  # (evidence id, title, note)
    after: str = ""

    @property
    def words(self) -> str:
        """The reason as plain text."""
        named = ", ".join(f"{title}{note}" for _, title, note in self.evidence)
        return f"{self.before}{named}{self.after}"


def shown_state(item: CriterionCoverage) -> str:
    """The state a page shows: the engine's, but "uncounted" for a criterion not met though a
    claim of it is accepted (the engine counts it with the referred; nobody referred it)."""
    return "uncounted" if not_counting(item) else item.state


def _named(checks: Iterable[ClaimCheck], rules: CoverageRules | None = None) -> tuple[Any, ...]:
    """(id, title, note) of each item once, in order; with ``rules``, noted with its method."""
    found: dict[int, tuple[int, str, str]] = {}
    for c in checks:
        method = c.claim.method
        note = f" by {rules.method_name(method)}" if rules is not None and method else ""
        found.setdefault(c.claim.evidence_id, (c.claim.evidence_id, c.claim.evidence_title, note))
    return tuple(found.values())


def reasons_of(item: CriterionCoverage, rules: CoverageRules) -> tuple[Reason, ...]:
    """Why the criterion is not met (nothing when it is), in the engine's order: awaiting,
    referred, accepted by a method that does not count, too old, dated after today."""
    if item.state == "met":
        return ()
    if not item.claims:
        return (Reason("no evidence claimed"),)
    checks = item.claims
    said: list[Reason] = []
    awaiting = [c for c in checks if c.claim.status == "claimed"]
    if awaiting:
        said.append(Reason("awaiting assessor decision on ", _named(awaiting)))
    referred = [c for c in checks if c.claim.status == "referred"]
    if referred:
        said.append(Reason("referred: ", _named(referred)))
    by_method = [c for c in checks if c.problem == "method"]
    if by_method:
        allowed = rules.allowed_methods(item.criterion.kind) or frozenset()
        said.append(
            Reason(
                "accepted, but by a method that does not count: "
                f"needs {method_names(rules, allowed)} (",
                _named(by_method, rules),
                ")",
            )
        )
    too_old = [c for c in checks if c.problem == "currency"]
    if too_old:
        said.append(
            Reason(f"accepted, but older than {rules.currency_years} years: ", _named(too_old))
        )
    future = [c for c in checks if c.problem == "future"]
    if future:
        said.append(Reason("accepted, but dated after today: ", _named(future)))
    return tuple(said)
