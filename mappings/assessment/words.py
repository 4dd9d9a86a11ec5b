"""A claim's status and an assessment method in words, for pages and documents alike."""

from __future__ import annotations

from mappings.assessment.coverage import DEFAULT_METHODS

CLAIM_STATES = {"claimed": "awaiting decision", "accepted": "accepted", "referred": "referred"}
# a criterion's state as people are told it; "uncounted": the engine's "referred", but a claim of
# it is accepted, by a method (or of an age or date) that does not count for it
CRITERION_STATES = {
    "met": "met",
    "awaiting": "awaiting",
    "referred": "referred",
    "missing": "missing",
    "uncounted": "accepted, not counting",
}
# an assessment method's code ("WT") as people say it; a framework's own methods are named by its
# rules where the page knows the framework (the evidence page), these are the usual ones
METHODS = {code: name[:1].upper() + name[1:] for code, name in DEFAULT_METHODS}


def claim_state(status: str) -> str:
    """ "claimed" -> "awaiting decision"."""
    return CLAIM_STATES.get(status, status)


def method_words(code: str | None) -> str:
    """ "WT" -> "Witness testimony"; an unknown code is shown as it is, none as "—"."""
    return METHODS.get(code or "", code or "—")


def decision_words(old_status: str, new_status: str) -> str:
    """A decision as the pages show it: "awaiting decision → accepted"."""
    return f"{claim_state(old_status)} → {claim_state(new_status)}"
