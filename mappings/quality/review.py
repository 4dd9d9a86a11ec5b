"""The IQA's review of a sample: agreement with each assessor decision and overall, once.

:func:`review_sample` records the IQA's decision once per sample: agree or disagree with each
assessor decision (:mod:`mappings.quality.samples` shows them) and overall, feedback, actions with
due dates (followed in :mod:`mappings.quality.actions`); a disagreement may reopen the sign-off
through :func:`mappings.assessment.signoff.reopen` (the reason is logged there). Only the cycle's
IQA reviews, and nobody reviews a sample holding their own assessment decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlmodel import Session

from mappings.assessment import signoff as signoffs
from mappings.quality.models import OUTCOMES, Action, Sample, SampleDecisionCheck, SampleReview
from mappings.quality.samples import SampleView, sample_view
from portfolio.errors import Conflict, Invalid, PermissionDenied
from portfolio.services import audit, notifications
from portfolio.services.people import Actor


def review_sample(
    session: Session,
    *,
    actor: Actor,
    sample_id: int,
    outcome: str,
    feedback: str,
    checks: Mapping[int, tuple[bool, str]],
    actions: Iterable[tuple[str, date]] = (),
    reopen: bool = False,
    today: date | None = None,
) -> SampleReview:
    """Record the IQA's review of a sample (once). ``checks``: decision id -> (agree, note)."""
    # held, and read as committed after a drop or another review under way (PostgreSQL: FOR
    # UPDATE): a sample dropped meanwhile is not reviewed
    session.get(Sample, sample_id, with_for_update=True, populate_existing=True)
    view = sample_view(session, actor=actor, sample_id=sample_id)
    feedback = feedback.strip()
    wanted = [(text.strip(), due) for text, due in actions if text.strip()]
    _check_review(actor, view, outcome, feedback, checks, wanted, reopen, today or date.today())
    sample, cycle = view.sample, view.cycle
    review = SampleReview(sample_id=sample_id, outcome=outcome, feedback=feedback,
                          reviewed_by=actor.id)  # fmt: skip
    session.add(review)
    session.flush()
    for decision_id, (agree, note) in sorted(checks.items()):
        session.add(SampleDecisionCheck(review_id=review.id or 0, decision_id=decision_id,
                                        agree=agree, note=note.strip()))  # fmt: skip
    for text, due in wanted:
        session.add(Action(review_id=review.id or 0, sample_id=sample_id,
                           assessor_id=sample.assessor_id, set_by=actor.id, text=text,
                           due_date=due))  # fmt: skip
    if reopen and view.signoff is not None:
        signoffs.reopen(
            session,
            actor=actor,
            signoff_id=view.signoff.id or 0,
            reason=f"IQA disagreed in sampling cycle {cycle.name}: {feedback}",
        )
        review.reopened_signoff = True
        session.add(review)
    session.flush()
    _tell_assessor(session, actor, view, review, len(wanted))
    audit.record(
        session,
        actor=actor,
        action="iqa.review",
        subject_type="iqa_sample",
        subject_id=sample_id,
        data={
            "outcome": outcome,
            "disagreed": sorted(i for i, (agree, _) in checks.items() if not agree),
            "actions": len(wanted),
            "reopened": review.reopened_signoff,
        },
    )
    return review


def _tell_assessor(
    session: Session, actor: Actor, view: SampleView, review: SampleReview, actions: int
) -> None:
    """The sampled assessor is told of the review, its outcome and the IQA's feedback, linking
    to the review on their IQA page ("Reviews of your decisions", :mod:`mappings.quality.reviewed`),
    and of the actions set them."""
    outcome, feedback = review.outcome, review.feedback
    what = f"{view.learner_name}, {view.standard_code} in sampling cycle {view.cycle.name}"
    said = "agreed with them" if outcome == "agree" else "disagreed"
    if review.reopened_signoff:  # theirs to sign off again
        said += (
            f", and reopened the sign-off of {view.standard_code}: sign it off again once "
            "it is put right"
        )
    text = f"{actor.name} reviewed your decisions on {what} and {said}."
    notifications.notify(
        session, person_id=view.sample.assessor_id, kind="iqa_review",
        link=f"/iqa/actions#review-{review.id}",
        text=text + (f" Their feedback: “{feedback}”" if feedback else ""),
    )  # fmt: skip
    if actions:
        set_you = "an action" if actions == 1 else f"{actions} actions"
        notifications.notify(
            session, person_id=view.sample.assessor_id, link="/iqa/actions", kind="iqa_action",
            text=f"{actor.name} set you {set_you} on {what}.",
        )  # fmt: skip


def _check_review(
    actor: Actor,
    view: SampleView,
    outcome: str,
    feedback: str,
    checks: Mapping[int, tuple[bool, str]],
    actions: list[tuple[str, date]],
    reopen: bool,
    today: date,
) -> None:
    """Refuse a review the actor may not make, or one that is not complete and consistent."""
    if not (actor.has("iqa") and actor.id == view.cycle.iqa_id):
        raise PermissionDenied("Only the cycle's IQA reviews its samples.")
    if actor.id == view.sample.assessor_id or any(d.actor_id == actor.id for d in view.decisions):
        raise PermissionDenied("You cannot sample your own assessment decisions.")
    if view.review is not None:
        raise Conflict("This sample is already reviewed.")
    if view.sample.dropped:
        raise Invalid("This sample was dropped from the plan.")
    if outcome not in OUTCOMES:
        raise Invalid("The overall outcome is agree or disagree.")
    if set(checks) - {d.id for d in view.decisions}:
        raise Invalid("Only the assessor decisions of this sample can be checked.")
    if any(not agree for agree, _ in checks.values()) and outcome != "disagree":
        raise Invalid("You disagree with a decision, so the overall outcome is disagree.")
    lines = {d.id: d for d in view.decisions}
    for decision_id, (agree, note) in checks.items():
        if not agree and not note.strip():
            d = lines[decision_id]  # named as the page shows it, never by its id
            raise Invalid(
                f"Say why you disagree with {d.criterion} ({d.evidence_title}, version {d.version})."
            )
    if outcome == "disagree" and not feedback:
        raise Invalid("Give the assessor feedback when you disagree.")
    if any(due < today for _, due in actions):
        raise Invalid("An action is due today or later.")
    if reopen and (outcome != "disagree" or view.signoff is None):
        raise Invalid("Only a disagreement with a signed-off standard reopens the sign-off.")
