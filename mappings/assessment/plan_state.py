"""Where an assessment plan stands, in words (pure: the stored status, the due date and whether
evidence written for it was submitted in, a state and its words out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.models.evidence import ASSESSOR_KINDS, KINDS
from portfolio.words import day_words

# the states people see, in the order a list puts them when they are due on the same day
STATES = ("overdue", "open", "submitted", "done")


# a plan that asks for no kind of evidence in particular (evidence_kind None)
ANY_KIND = "Any kind: the learner chooses"


def kind_words(kind: str | None) -> str:
    """The kind of evidence a plan asks for, in words ("Witness testimony"), from the one list
    of kinds (:data:`portfolio.models.evidence.KINDS`); :data:`ANY_KIND` for none."""
    return KINDS.get(kind or "", ANY_KIND)


def written_by_assessor(kind: str | None) -> bool:
    """The kind asked for is one the assessor writes (an observation record, a professional
    discussion): the learner does not write it themselves."""
    return kind in ASSESSOR_KINDS


def record_words(kind: str | None) -> str:
    """The record the assessor writes for a kind they write, in words, for the learner told it
    is not theirs to write: "observation record", "professional discussion record"."""
    words = kind_words(kind).lower()
    return words if words.endswith("record") else f"{words} record"


@dataclass(frozen=True)
class PlanState:
    key: str  # open | submitted | done | overdue
    label: str  # "Open", "Evidence submitted", "Done", "Overdue"
    words: str  # "due 20 Dec 2026, 3 days late"


def due_words(due_on: date, today: date) -> str:
    """ "due 20 Dec 2026", "due 20 Dec 2026, today", "due 20 Dec 2026, 3 days late"."""
    said = f"due {day_words(due_on)}"
    late = (today - due_on).days
    if late == 0:
        return f"{said}, today"
    if late > 0:
        return f"{said}, {late} day{'' if late == 1 else 's'} late"
    return said


def state_of(
    status: str,
    due_on: date,
    submitted: bool,
    today: date,
    close_reason: str = "",
    on_break: bool = False,
    completed: bool = False,
) -> PlanState:
    """The plan's state: done (marked done, or closed with a reason) whatever else; else no
    longer needed while its registration is completed (every standard signed off: nothing is
    left to evidence, its due date is not counted late; reopening a standard brings it back); else
    evidence submitted once an item linked to it was submitted; else overdue past its due date
    (unless the learner is on a break in learning: then open, its due date not counted late);
    else open."""
    if status == "done":
        return PlanState("done", "Done", "marked done by the assessor")
    if status == "closed":
        return PlanState("done", "Closed", f"closed: {close_reason}" if close_reason else "closed")
    if completed:
        return PlanState(
            "done", "No longer needed", f"due {day_words(due_on)}; every standard is signed off"
        )
    # on a break in learning, no due date is counted late: its clock is paused (ending the break
    # moves it on), in words that read alike to the learner and to their assessor
    words = f"due {day_words(due_on)}; paused: on a break in learning" if on_break else None
    if submitted:
        return PlanState("submitted", "Evidence submitted", words or due_words(due_on, today))
    if due_on < today and not on_break:
        return PlanState("overdue", "Overdue", due_words(due_on, today))
    return PlanState("open", "Open", words or due_words(due_on, today))
