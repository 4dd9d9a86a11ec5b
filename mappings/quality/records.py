"""What IQA sampling says about sign-off records, for printing on them.

:func:`signoff_sampling` finds, for any number of sign-offs, the newest sample that chose each one
(not dropped) and its review if there is one, in one query: the sign-off record's IQA section is
filled from it instead of being left blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from mappings.quality.models import Action, Sample, SampleReview, SamplingCycle
from portfolio.models import Person


@dataclass(frozen=True)
class SignoffSampling:
    """A sign-off chosen for IQA sampling, and the IQA's review of it when made."""

    signoff_id: int
    cycle: str
    kind: str  # interim | summative
    iqa_name: str  # the cycle's IQA
    reviewed: bool
    outcome: str = ""  # agree | disagree
    feedback: str = ""
    reviewer_name: str = ""
    reviewed_at: datetime | None = None
    actions: int = 0
    reopened: bool = False


def signoff_sampling(session: Session, signoff_ids: Sequence[int]) -> dict[int, SignoffSampling]:
    """Sign-off id -> its newest sample (and review), for those sampled; one query."""
    if not signoff_ids:
        return {}
    iqa = aliased(Person)
    reviewer = aliased(Person)
    actions = (
        select(func.count())
        .select_from(Action)
        .where(col(Action.review_id) == SampleReview.id)
        .scalar_subquery()
    )
    rows = session.execute(
        sa_select(Sample, SamplingCycle, iqa, SampleReview, reviewer, actions)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .join(iqa, col(iqa.id) == SamplingCycle.iqa_id)
        .outerjoin(SampleReview, col(SampleReview.sample_id) == Sample.id)
        .outerjoin(reviewer, col(reviewer.id) == SampleReview.reviewed_by)
        .where(col(Sample.signoff_id).in_(list(signoff_ids)), col(Sample.dropped).is_(False))
        .order_by(col(Sample.id))
    ).all()
    found: dict[int, SignoffSampling] = {}
    for sample, cycle, person, review, by, count in rows:
        found[sample.signoff_id or 0] = SignoffSampling(
            signoff_id=sample.signoff_id or 0,
            cycle=cycle.name,
            kind=sample.kind,
            iqa_name=person.name,
            reviewed=review is not None,
            outcome=review.outcome if review else "",
            feedback=review.feedback if review else "",
            reviewer_name=by.name if by is not None else "",
            reviewed_at=review.at if review else None,
            actions=int(count or 0) if review else 0,
            reopened=review.reopened_signoff if review else False,
        )
    return found
