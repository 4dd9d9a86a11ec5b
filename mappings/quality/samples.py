"""A sample as its reviewer reads it: evidence, the assessor's decisions, VACSR, sign-off, review.

:func:`sample_details` gathers the views of any number of samples in a fixed number of queries
(the IQA report of a whole cycle uses it); :func:`sample_view` shows one sample to its cycle's IQA,
or read-only to an EQA with a live grant to the cycle (:mod:`mappings.quality.eqa`). The
decisions shown are, for a summative sample, every decision on the standard up to the sign-off
(with the evidence versions it froze) and, for an interim one, the assessor's within the cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.claims import VACSR
from mappings.assessment.models import Claim, Decision, Judgement, SignOff, SignOffEvidence
from mappings.assessment.suggested import words as suggested_words
from mappings.quality.cycles import aware, cycle_bounds, may_manage
from mappings.quality.eqa import eqa_cycle_ended, live_grant
from mappings.quality.models import Action, Sample, SampleDecisionCheck, SampleReview, SamplingCycle
from portfolio.errors import NotFound
from portfolio.models import Criterion, Evidence, EvidenceVersion, Person, Standard
from portfolio.models.evidence import KINDS
from portfolio.refs import EvidenceRef
from portfolio.services.people import Actor


@dataclass(frozen=True)
class DecisionLine:
    """A decision with the evidence version it judged ("E16v1"): the newest submitted by the
    time of the decision, as the suggestion engine's examples count it (the item's current
    version for a decision older than every submission, as some loaded records are)."""

    id: int
    criterion: str
    evidence_ref: str
    evidence_title: str  # the title of the version judged
    old_status: str
    new_status: str
    method: str
    feedback: str
    at: datetime
    actor_id: int
    actor_name: str
    version: int = 1
    superseded: bool = False  # a later decision shown on the same claim replaced it
    origin: str = (
        ""  # "Suggested by the engine (strong)" when the claim was the engine's suggestion
    )


@dataclass(frozen=True)
class JudgementLine:
    evidence_title: str
    version: int
    flags: tuple[tuple[str, bool], ...]
    note: str
    at: datetime
    actor_name: str


@dataclass(frozen=True)
class EvidenceLine:
    id: int
    ref: str
    title: str
    kind: str
    activity_date: date
    body: str
    frozen: bool  # the version frozen by the sign-off
    version: int  # its number: the page links the version judged


@dataclass(frozen=True)
class SampleView:
    sample: Sample
    cycle: SamplingCycle
    learner_name: str
    assessor_name: str
    standard_code: str
    standard_title: str
    signoff: SignOff | None
    decisions: tuple[DecisionLine, ...]
    judgements: tuple[JudgementLine, ...]
    evidence: tuple[EvidenceLine, ...]
    review: SampleReview | None
    reviewer_name: str
    checks: Mapping[int, SampleDecisionCheck]
    actions: tuple[Action, ...]


def sample_details(session: Session, sample_ids: Sequence[int]) -> list[SampleView]:
    """Views of the samples (in the order given), in ten queries whatever their number.

    No permission check: callers check (see :func:`sample_view`)."""
    if not sample_ids:
        return []
    head = session.exec(
        select(Sample, SamplingCycle, Standard.code, Standard.title)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .join(Standard, col(Standard.id) == Sample.standard_id)
        .where(col(Sample.id).in_(sample_ids))
    ).all()
    found = _records(session, sample_ids, [s for s, *_ in head])
    views = {s.id or 0: _view(found, s, cycle, code, title) for s, cycle, code, title in head}
    return [views[i] for i in sample_ids if i in views]


# a decision on a claim: the decision, the claimed evidence's id, the criterion's code and
# standard, where the claim came from (words), the evidence
_Decided = tuple[Decision, int, str, int, str, Evidence]


@dataclass(frozen=True)
class _Records:
    """Everything the samples' views are made of, read at once and indexed."""

    signoffs: dict[int, SignOff]
    decided: Sequence[_Decided]  # on the samples' learners and standards, oldest first
    items: dict[int, Evidence]  # the evidence behind those decisions
    judged: Sequence[Judgement]  # VACSR judgements on that evidence, oldest first
    current_of: dict[int, EvidenceVersion]  # evidence id -> its current version
    versions_of: dict[
        int, list[EvidenceVersion]
    ]  # evidence id -> its submitted versions, oldest first
    frozen_of: dict[int, list[EvidenceVersion]]  # sign-off id -> the versions it froze
    review_of: dict[int, SampleReview]  # sample id -> its review
    checks_of: dict[int, dict[int, SampleDecisionCheck]]  # review id -> decision id -> check
    actions_of: dict[int, list[Action]]  # sample id -> its actions
    names: dict[int | None, str]  # person id -> name


def _records(session: Session, sample_ids: Sequence[int], samples: list[Sample]) -> _Records:
    """Nine queries: sign-offs, decisions, evidence and judgements, the reviews, names."""
    learners = {s.learner_id for s in samples}
    signoffs = {
        so.id or 0: so
        for so in session.exec(
            select(SignOff).where(col(SignOff.id).in_([s.signoff_id for s in samples]))
        ).all()
    }
    decided = _decided(session, learners, {s.standard_id for s in samples})
    evidence_ids = {e.id or 0 for *_, e in decided}
    judged, versions_of, frozen_of = _evidence(session, evidence_ids, list(signoffs))
    reviews, checks_of, actions_of = _reviews(session, sample_ids)
    person_ids = (
        {s.assessor_id for s in samples}
        | learners
        | {d.actor_id for d, *_ in decided}
        | {j.actor_id for j in judged}
        | {r.reviewed_by for r in reviews}
    )
    names = dict(
        session.exec(select(Person.id, Person.name).where(col(Person.id).in_(person_ids))).all()
    )
    return _Records(
        signoffs=signoffs,
        decided=decided,
        items={e.id or 0: e for *_, e in decided},
        judged=judged,
        current_of={ev_id: versions[-1] for ev_id, versions in versions_of.items()},
        versions_of=versions_of,
        frozen_of=frozen_of,
        review_of={r.sample_id: r for r in reviews},
        checks_of=checks_of,
        actions_of=actions_of,
        names=names,
    )


def _decided(session: Session, learners: set[int], standards: set[int]) -> list[_Decided]:
    """The decisions on the learners' claims on the standards, oldest first."""
    rows = session.execute(
        sa_select(
            Decision,
            col(Claim.evidence_id),
            col(Criterion.code),
            col(Criterion.standard_id),
            col(Claim.suggested_engine),
            col(Claim.suggested_strong),
            Evidence,
        )
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .where(col(Evidence.learner_id).in_(learners), col(Criterion.standard_id).in_(standards))
        .order_by(col(Decision.at), col(Decision.id))
    ).all()
    return [
        (d, ev_id, crit, std_id, suggested_words(engine, strong), e)
        for d, ev_id, crit, std_id, engine, strong, e in rows
    ]


def _evidence(
    session: Session, evidence_ids: set[int], signoff_ids: list[int]
) -> tuple[Sequence[Judgement], dict[int, list[EvidenceVersion]], dict[int, list[EvidenceVersion]]]:
    """The judgements on the evidence, its submitted versions, the versions the sign-offs froze."""
    judged = session.exec(
        select(Judgement)
        .where(col(Judgement.evidence_id).in_(evidence_ids))
        .order_by(col(Judgement.at))
    ).all()
    # what was last submitted: a draft being written is its author's until it is submitted
    current = session.exec(
        select(EvidenceVersion)
        .where(
            col(EvidenceVersion.evidence_id).in_(evidence_ids),
            col(EvidenceVersion.declared_at).is_not(None),
        )
        .order_by(col(EvidenceVersion.number))
    ).all()
    frozen = session.exec(
        select(SignOffEvidence.signoff_id, EvidenceVersion)
        .join(EvidenceVersion, col(EvidenceVersion.id) == SignOffEvidence.version_id)
        .where(col(SignOffEvidence.signoff_id).in_(signoff_ids))
    ).all()
    frozen_of: dict[int, list[EvidenceVersion]] = defaultdict(list)
    for so_id, version in frozen:
        frozen_of[so_id].append(version)
    versions_of: dict[int, list[EvidenceVersion]] = defaultdict(list)
    for v in current:
        versions_of[v.evidence_id].append(v)
    return judged, versions_of, frozen_of


def _reviews(
    session: Session, sample_ids: Sequence[int]
) -> tuple[
    Sequence[SampleReview], dict[int, dict[int, SampleDecisionCheck]], dict[int, list[Action]]
]:
    """The samples' reviews, their decision checks by review, their actions by sample."""
    reviews = session.exec(
        select(SampleReview).where(col(SampleReview.sample_id).in_(sample_ids))
    ).all()
    checks = session.exec(
        select(SampleDecisionCheck).where(
            col(SampleDecisionCheck.review_id).in_([r.id for r in reviews])
        )
    ).all()
    actions = session.exec(
        select(Action).where(col(Action.sample_id).in_(sample_ids)).order_by(col(Action.id))
    ).all()
    checks_of: dict[int, dict[int, SampleDecisionCheck]] = defaultdict(dict)
    for c in checks:
        checks_of[c.review_id][c.decision_id] = c
    actions_of: dict[int, list[Action]] = defaultdict(list)
    for a in actions:
        actions_of[a.sample_id].append(a)
    return reviews, checks_of, actions_of


def _view(
    found: _Records, sample: Sample, cycle: SamplingCycle, code: str, title: str
) -> SampleView:
    """One sample's view from the records read for all of them."""
    so = found.signoffs.get(sample.signoff_id) if sample.signoff_id else None
    lines = [
        (d, ev_id, crit, origin, e)
        for d, ev_id, crit, std_id, origin, e in found.decided
        if e.learner_id == sample.learner_id
        and std_id == sample.standard_id
        and _belongs(d, sample, cycle, so)
    ]
    frozen = {v.evidence_id: v for v in found.frozen_of.get(so.id or 0, [])} if so else {}
    shown = {e.id or 0 for *_, e in lines} | set(frozen)
    names = found.names
    review = found.review_of.get(sample.id or 0)
    return SampleView(
        sample=sample,
        cycle=cycle,
        learner_name=names.get(sample.learner_id, "?"),
        assessor_name=names.get(sample.assessor_id, "?"),
        standard_code=code,
        standard_title=title,
        signoff=so,
        decisions=_decision_lines(found, lines),
        judgements=tuple(
            JudgementLine(
                found.items[j.evidence_id].title if j.evidence_id in found.items else "?",
                j.version_number,
                tuple((name, bool(getattr(j, name))) for name in VACSR),
                j.note,
                j.at,
                names.get(j.actor_id, "?"),
            )
            for j in found.judged
            if j.evidence_id in shown
        ),
        evidence=_evidence_lines(found, shown, frozen),
        review=review,
        reviewer_name=names.get(review.reviewed_by, "?") if review else "",
        checks=found.checks_of.get(review.id or 0, {}) if review else {},
        actions=tuple(found.actions_of.get(sample.id or 0, [])),
    )


def _judged(found: _Records, d: Decision, item: Evidence) -> EvidenceVersion | None:
    """The version a decision judged: the newest submitted by its time, else the current one."""
    versions = found.versions_of.get(item.id or 0, [])
    before = [v for v in versions if v.declared_at and aware(v.declared_at) <= aware(d.at)]
    if before:
        return before[-1]
    return next((v for v in versions if v.number == item.current_version), None)


def _decision_lines(
    found: _Records, lines: Sequence[tuple[Decision, int, str, str, Evidence]]
) -> tuple[DecisionLine, ...]:
    """The decisions shown, oldest first, each with the version it judged; one followed by a
    later decision on the same claim is marked superseded."""
    later: set[int] = set()
    superseded = set()
    for d, *_ in reversed(lines):
        if d.claim_id in later:
            superseded.add(d.id)
        later.add(d.claim_id)
    out = []
    for d, ev_id, crit, origin, e in lines:
        version = _judged(found, d, e)
        number = version.number if version else e.current_version
        out.append(
            DecisionLine(
                d.id or 0,
                crit,
                str(EvidenceRef(ev_id, number)),
                version.title if version else e.title,
                d.old_status,
                d.new_status,
                d.method or "",
                d.feedback,
                d.at,
                d.actor_id,
                found.names.get(d.actor_id, "?"),
                version=number,
                superseded=d.id in superseded,
                origin=origin,
            )
        )
    return tuple(out)


def _evidence_lines(
    found: _Records, shown: set[int], frozen: dict[int, EvidenceVersion]
) -> tuple[EvidenceLine, ...]:
    """The evidence shown, each as frozen by the sign-off or else in its current version."""
    lines = []
    for ev_id in sorted(shown):
        item = found.items.get(ev_id)
        version = frozen.get(ev_id) or found.current_of.get(ev_id)
        if item is None or version is None:
            continue
        lines.append(
            EvidenceLine(
                ev_id,
                str(EvidenceRef(ev_id, version.number)),
                version.title,
                KINDS.get(item.kind, item.kind),
                version.activity_date,
                version.body,
                ev_id in frozen,
                version.number,
            )
        )
    return tuple(lines)


def _belongs(d: Decision, sample: Sample, cycle: SamplingCycle, so: SignOff | None) -> bool:
    """Summative: every decision up to the sign-off. Interim: the assessor's, in the cycle."""
    at = aware(d.at)
    if so is not None:
        return at <= aware(so.signed_at)
    start, end = cycle_bounds(cycle)
    return d.actor_id == sample.assessor_id and start <= at < end


def sample_view(session: Session, *, actor: Actor, sample_id: int) -> SampleView:
    """One sample for its cycle's IQA, or read-only for an EQA with a live grant to the cycle."""
    found = sample_details(session, [sample_id])
    if not found:
        raise NotFound("No such sample.")
    view = found[0]
    if may_manage(actor, view.cycle) or (
        not view.sample.dropped and live_grant(session, actor, view.cycle.id or 0) is not None
    ):
        return view
    if not view.sample.dropped and (ended := eqa_cycle_ended(session, actor, view.cycle.id or 0)):
        raise ended  # an EQA whose access ended is told so, and since when
    raise NotFound("No such sample, or it is not one you may see.")
