"""Who may download which export, and what a downloads page lists.

* A sign-off record: the learner themself, their assessor and their IQA.
* A learner's bundle: the learner themself and their assessor (:func:`exports.bundle.may_export_bundle`).
* Cohort reports and bulk exports: administrators; assessors and IQAs for their own learners
  (:func:`exports.jobs.may_export_cohort`).

Anyone else gets :class:`~portfolio.errors.NotFound`, so ids are not confirmed to strangers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from exports.jobs import count_cohort_signoffs, may_export_cohort
from exports.models import ExportJob
from mappings.assessment.models import SignOff
from portfolio.errors import NotFound
from portfolio.models import Cohort, Person, Registration, Standard
from portfolio.services import access
from portfolio.services.people import Actor


def signoff_for_download(session: Session, *, actor: Actor, signoff_id: int) -> SignOff:
    row = session.exec(
        select(SignOff, Registration.learner_id)
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(SignOff.id == signoff_id)
    ).first()
    if row is None:
        raise NotFound("No such sign-off.")
    record, learner_id = row
    access.require_view(session, actor, learner_id)
    return record


@dataclass(frozen=True)
class SignedStandard:
    signoff_id: int
    code: str
    title: str
    document_id: str
    signed_at: datetime
    status: str


@dataclass(frozen=True)
class LearnerDownloads:
    learner: Person
    signoffs: list[SignedStandard]
    can_bundle: bool
    can_leap2a: bool = False


def learner_downloads(session: Session, *, actor: Actor, learner_id: int) -> LearnerDownloads:
    learner = session.get(Person, learner_id)
    if learner is None:
        raise NotFound("No such learner.")
    rel = access.require_view(session, actor, learner_id)
    rows = session.exec(
        select(SignOff, Standard)
        .join(Standard, col(Standard.id) == SignOff.standard_id)
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(Registration.learner_id == learner_id)
        .order_by(col(Standard.position), col(SignOff.id))
    ).all()
    return LearnerDownloads(
        learner=learner,
        signoffs=[
            SignedStandard(s.id or 0, std.code, std.title, s.document_id, s.signed_at, s.status)
            for s, std in rows
        ],
        can_bundle=bool(rel & {"self", "assessor"}),
        can_leap2a="self" in rel,
    )


@dataclass(frozen=True)
class CohortDownloads:
    cohort: Cohort
    signoffs: int
    jobs: list[ExportJob]


def cohort_downloads(session: Session, *, actor: Actor, cohort_id: int) -> CohortDownloads:
    cohort = may_export_cohort(session, actor, cohort_id)
    jobs = [
        j
        for j in session.exec(
            select(ExportJob)
            .where(ExportJob.created_by == actor.id)
            .order_by(col(ExportJob.id).desc())
            .limit(50)
        )
        if j.params.get("cohort_id") == cohort_id
    ][:10]
    count = count_cohort_signoffs(session, cohort_id, actor)
    return CohortDownloads(cohort=cohort, signoffs=count, jobs=jobs)
