"""What the coverage pages say of a criterion: its state and why it is not met, in words."""

from __future__ import annotations

from mappings.assessment.counts import not_counting
from mappings.assessment.coverage import CoverageRules, CriterionCoverage
from mappings.assessment.methods import method_names

# a criterion's state as pages say it; "uncounted": accepted, but no accepted claim counts
STATE_WORDS = {
    "met": "met",
    "awaiting": "awaiting",
    "referred": "referred",
    "missing": "missing",
    "uncounted": "accepted, not counting",
}


def shown_state(item: CriterionCoverage) -> str:
    """The state a page shows: the engine's, but "uncounted" for a criterion not met though a
    claim of it is accepted (the engine counts it with the referred; nobody referred it)."""
    return "uncounted" if not_counting(item) else item.state


def reasons_of(item: CriterionCoverage, rules: CoverageRules) -> tuple[str, ...]:
    """Why the criterion is not met, the method named in words and what it needs."""
    said = []
    for reason in item.reasons:
        if reason.startswith("accepted only by"):
            allowed = rules.allowed_methods(item.criterion.kind) or frozenset()
            reason = (
                "accepted, but by a method that does not count: "
                f"needs {method_names(rules, allowed)}"
            )
        said.append(reason)
    return tuple(said)
