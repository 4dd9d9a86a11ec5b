"""Per-standard counts of many learners at once: the states of :mod:`mappings.assessment.coverage`
without reasons or evidence lists, for pages and reports that show a whole caseload or cohort."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

from mappings.assessment.coverage import (
    STATE_RANK,
    CoverageRules,
    CriterionCoverage,
    CriterionRef,
    StandardCoverage,
    State,
    claim_problem,
    standard_counts,
    years_before,
)


def state_counts(
    criteria: Iterable[CriterionRef],
    claims: Iterable[tuple[int, str, str | None, date]],
    rules: CoverageRules,
    today: date,
    *,
    outstanding: bool = False,
    frozen: Collection[str] = (),
) -> tuple[tuple[StandardCoverage, ...], int]:
    """Per-standard counts only (no reasons, no evidence lists) and the number of claims awaiting
    a decision, from (criterion id, status, method, activity date) tuples: the same states as
    :func:`compute_coverage`, for pages that show many learners at once. With ``outstanding``
    each standard also lists the criteria not met, with their state only (no basis, no
    reasons: what a report of which criteria are still missing needs). The claims of the
    standards coded in ``frozen`` (signed off) await no decision: the sign-off froze them until
    it is reopened."""
    criteria, claims = tuple(criteria), tuple(claims)
    state_of, awaiting_claims = criterion_states_of(criteria, claims, rules, today)
    if frozen:
        held = {c.id for c in criteria if c.standard in frozen}
        awaiting_claims -= sum(
            1 for cid, status, *_ in claims if status == "claimed" and cid in held
        )
    shown = uncounted(state_of, claims)
    grouped: dict[str, list[State]] = {}
    unmet: dict[str, list[CriterionCoverage]] = {}
    not_counting_of: dict[str, int] = {}
    for c in criteria:
        state = state_of[c.id]
        grouped.setdefault(c.standard, []).append(state)
        if shown[c.id] == "uncounted":
            not_counting_of[c.standard] = not_counting_of.get(c.standard, 0) + 1
        if outstanding and state != "met":
            unmet.setdefault(c.standard, []).append(CriterionCoverage(c, state, (), ()))
    standards = [
        standard_counts(
            standard, states, tuple(unmet.get(standard, ())), not_counting_of.get(standard, 0)
        )
        for standard, states in grouped.items()
    ]
    return tuple(standards), awaiting_claims


def awaiting_of(criteria: Iterable[CriterionCoverage], frozen: Collection[str] = ()) -> int:
    """How many claims of these criteria await a decision: not those of the standards coded in
    ``frozen`` (signed off: the sign-off froze them, nobody decides them until it is reopened)."""
    return sum(
        1
        for c in criteria
        if c.criterion.standard not in frozen
        for check in c.claims
        if check.claim.status == "claimed"
    )


def criterion_states_of(
    criteria: Iterable[CriterionRef],
    claims: Iterable[tuple[int, str, str | None, date]],
    rules: CoverageRules,
    today: date,
) -> tuple[dict[int, State], int]:
    """Each criterion's state (id -> state, every criterion listed) and the number of claims
    awaiting a decision, from the tuples :func:`state_counts` takes: the states of
    :func:`compute_coverage`, without its reasons (:func:`state_counts` counts them by standard)."""
    criteria = tuple(criteria)
    years = rules.currency_years
    oldest = None if years is None else years_before(today, years)
    allowed_of = {c.id: rules.allowed_methods(c.kind) for c in criteria}
    seen: dict[int, int] = {}  # criterion id -> STATE_RANK of the best claim so far
    awaiting_claims = 0
    for criterion_id, status, method, activity in claims:
        if criterion_id not in allowed_of:
            continue
        if status == "claimed":
            awaiting_claims += 1
            rank = STATE_RANK["awaiting"]
        elif claim_problem(status, method, activity, allowed_of[criterion_id], today, oldest) == "":
            rank = STATE_RANK["met"]
        else:
            rank = STATE_RANK["referred"]
        if rank > seen.get(criterion_id, -1):
            seen[criterion_id] = rank
    missing = STATE_RANK["missing"]
    return {c.id: _NAMES[seen.get(c.id, missing)] for c in criteria}, awaiting_claims


def not_counting(item: CriterionCoverage) -> bool:
    """Not met though a claim of it is accepted: every accepted claim fails the rules (by its
    method, age or date). The engine's state is "referred", but nobody referred it: whatever
    people read says "accepted, not counting" (:data:`~mappings.assessment.words.CRITERION_STATES`)."""
    return item.state == "referred" and any(c.claim.status == "accepted" for c in item.claims)


def uncounted(
    states: Mapping[int, str], claims: Iterable[tuple[int, str, str | None, date]]
) -> dict[int, str]:
    """``states`` (of :func:`criterion_states_of`, from these ``claims``) with "uncounted" for
    each criterion referred though a claim of it is accepted (see :func:`not_counting`)."""
    accepted = {cid for cid, status, *_ in claims if status == "accepted"}
    return {
        cid: "uncounted" if state == "referred" and cid in accepted else state
        for cid, state in states.items()
    }


def shown_counts(cov: StandardCoverage) -> dict[str, int]:
    """A standard's counts as people are told them: ``referred`` without the criteria accepted
    but not counting, which ``not_counting`` counts (see :func:`not_counting`)."""
    return {
        "met": cov.met,
        "awaiting": cov.awaiting,
        "referred": cov.referred - cov.not_counting,
        "not_counting": cov.not_counting,
        "missing": cov.missing,
        "total": cov.total,
    }


_NAMES: dict[int, State] = {rank: state for state, rank in STATE_RANK.items()}
