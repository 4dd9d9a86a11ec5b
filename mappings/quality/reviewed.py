"""The IQA's reviews of an assessor's sampled decisions, as that assessor reads them.

:func:`reviews_of_my_decisions` gives the actor the reviews of samples of their own decisions
(the only ones anybody is given here), newest first, a page at a time, in four statements
whatever their number: the outcome, the IQA's feedback and each decision's check with its note.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, Decision
from mappings.quality.models import Sample, SampleDecisionCheck, SampleReview, SamplingCycle
from portfolio.models import Criterion, Evidence, Person, Standard
from portfolio.paging import Paged, clamp
from portfolio.services.people import Actor

PER_PAGE = 10


@dataclass(frozen=True)
class CheckLine:
    """The IQA's check of one decision: the criterion, the evidence, agreed or not, the note."""

    criterion: str
    evidence_title: str
    new_status: str
    agree: bool
    note: str


@dataclass(frozen=True)
class ReviewOfMine:
    review: SampleReview
    learner_name: str
    standard_code: str
    standard_title: str
    cycle_name: str
    reviewer_name: str
    checks: tuple[CheckLine, ...]

    @property
    def disagreed(self) -> tuple[CheckLine, ...]:
        return tuple(c for c in self.checks if not c.agree)

    @property
    def agreed_noted(self) -> tuple[CheckLine, ...]:
        """Checks agreed with and given a note all the same."""
        return tuple(c for c in self.checks if c.agree and c.note)

    @property
    def agreed(self) -> int:
        return sum(1 for c in self.checks if c.agree)


def reviews_of_my_decisions(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Paged[ReviewOfMine]:
    """The reviews of the actor's own sampled decisions, newest first: page ``page`` (kept
    within range). Only the assessor whose decisions were sampled is given a review."""
    mine = col(Sample.assessor_id) == actor.id
    total = session.exec(
        select(func.count())
        .select_from(SampleReview)
        .join(Sample, col(Sample.id) == SampleReview.sample_id)
        .where(mine)
    ).one()
    number = clamp(page, total, per_page)
    head = session.exec(
        select(SampleReview, Sample, Standard, SamplingCycle.name)
        .join(Sample, col(Sample.id) == SampleReview.sample_id)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .where(mine)
        .order_by(col(SampleReview.at).desc(), col(SampleReview.id).desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    checks = _checks(session, [r.id or 0 for r, *_ in head])
    people = {s.learner_id for _, s, *_ in head} | {r.reviewed_by for r, *_ in head}
    names = dict(
        session.exec(select(Person.id, Person.name).where(col(Person.id).in_(people))).all()
    )
    rows = [
        ReviewOfMine(
            review=r,
            learner_name=names.get(sample.learner_id, "?"),
            standard_code=standard.code,
            standard_title=standard.title,
            cycle_name=cycle,
            reviewer_name=names.get(r.reviewed_by, "?"),
            checks=tuple(checks.get(r.id or 0, ())),
        )
        for r, sample, standard, cycle in head
    ]
    return Paged(rows=rows, total=total, page=number, per_page=per_page)


def _checks(session: Session, review_ids: list[int]) -> dict[int, list[CheckLine]]:
    """The reviews' checks, by review, in the order of the criteria and the decisions."""
    if not review_ids:
        return {}
    rows = session.exec(
        select(SampleDecisionCheck, Criterion.code, Evidence.title, Decision.new_status)
        .join(Decision, col(Decision.id) == SampleDecisionCheck.decision_id)
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .where(col(SampleDecisionCheck.review_id).in_(review_ids))
        .order_by(col(Criterion.code), col(Decision.id))
    ).all()
    found: dict[int, list[CheckLine]] = defaultdict(list)
    for check, criterion, title, status in rows:
        found[check.review_id].append(CheckLine(criterion, title, status, check.agree, check.note))
    return found
