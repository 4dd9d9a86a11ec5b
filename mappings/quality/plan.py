"""A cycle's sampling plan: made by the pure planner, stored as samples, edited by the IQA.

:func:`plan_cycle` hands the cycle's facts (:func:`mappings.quality.facts.load_facts`) to
:func:`mappings.quality.sampling.plan_sample` and stores its choice; the IQA then adds decisions
by hand (:func:`add_sample`; never their own) or drops them (:func:`drop_sample`). Once a sample
is reviewed the plan is the record of the cycle and no longer changes. :func:`plan_page` gathers
what the plan page shows: the samples, the quotas, the gaps and the coverage grid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from mappings.quality import sampling
from mappings.quality.beyond import BeyondQuota, PlannedSample, beyond_quota
from mappings.quality.cycles import checked_seed, get_cycle, may_manage
from mappings.quality.facts import CycleFacts, DecisionRef, assessor_label, load_facts
from mappings.quality.models import Sample, SampleReview, SamplingCycle
from mappings.quality.strategy import Strategy
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.people import Actor


def _require_manager(actor: Actor, cycle: SamplingCycle) -> None:
    if not may_manage(actor, cycle):
        raise PermissionDenied("Only the cycle's IQA plans and edits its samples.")


def _cycle_to_edit(session: Session, actor: Actor, cycle_id: int) -> SamplingCycle:
    cycle = session.get(SamplingCycle, cycle_id)
    if cycle is None:
        raise NotFound("No such sampling cycle.")
    _require_manager(actor, cycle)
    return cycle


def _samples(session: Session, cycle_id: int) -> list[Sample]:
    return list(
        session.exec(
            select(Sample).where(Sample.cycle_id == cycle_id).order_by(col(Sample.position))
        ).all()
    )


class SampleRow(NamedTuple):
    """What the plan page shows of a sample: read as plain columns, not as an ORM object."""

    id: int
    position: int
    decision_key: str
    kind: str
    assessor_id: int
    reasons: list[str]
    added_by: str
    dropped: bool


def _sample_rows(session: Session, cycle_id: int) -> list[SampleRow]:
    columns = [col(getattr(Sample, name)) for name in SampleRow._fields]
    rows = session.connection().execute(
        sa_select(*columns).where(col(Sample.cycle_id) == cycle_id).order_by(col(Sample.position))
    )
    return [SampleRow(*row) for row in rows.all()]


@dataclass(frozen=True)
class PlanResult:
    cycle: SamplingCycle
    plan: sampling.SamplingPlan
    facts: CycleFacts
    gaps: sampling.Gaps
    positions: dict[str, int] = field(default_factory=dict)  # decision key -> sample's place


def plan_cycle(
    session: Session, *, actor: Actor, cycle_id: int, seed: int | None = None
) -> PlanResult:
    """Plan (or re-plan) a cycle with the pure planner; samples added by the IQA are kept.

    Refused once any sample has been reviewed: the plan is then the record of the cycle."""
    cycle = _cycle_to_edit(session, actor, cycle_id)
    reviewed = session.exec(
        select(func.count(col(SampleReview.id)))
        .join(Sample, col(Sample.id) == SampleReview.sample_id)
        .where(Sample.cycle_id == cycle_id)
    ).one()
    if reviewed:
        raise Conflict("Samples of this cycle are already reviewed; the plan can no longer change.")
    if seed is not None:
        cycle.seed = checked_seed(seed)
    facts = load_facts(session, cycle)
    strategy = Strategy.from_dict(cycle.strategy)
    plan = sampling.plan_sample(facts.assessors, facts.facts, strategy.plan, cycle.seed)
    plan, positions = _store(session, cycle_id, plan, facts)
    cycle.planned_at = utcnow()
    session.add(cycle)
    session.flush()
    found = sampling.gaps(plan, facts.facts, strategy.plan, facts.assessors)
    audit.record(
        session,
        actor=actor,
        action="iqa.plan",
        subject_type="iqa_cycle",
        subject_id=cycle_id,
        data={
            "seed": cycle.seed,
            "samples": len(plan.samples),
            "facts": len(facts.facts),
            "own_excluded": len(facts.own_excluded),
            "gaps": list(found.uncovered) + list(found.short),
        },
    )
    return PlanResult(cycle, plan, facts, found, positions)


def _store(
    session: Session, cycle_id: int, plan: sampling.SamplingPlan, facts: CycleFacts
) -> tuple[sampling.SamplingPlan, dict[str, int]]:
    """Replace the planner's samples by the plan's and keep the IQA's after them.

    Returns the plan with the IQA's samples (added, or dropped) applied, and each sample's place
    in the plan by its decision's key."""
    session.execute(
        delete(Sample).where(col(Sample.cycle_id) == cycle_id, col(Sample.added_by) == "planner")
    )
    kept = {s.decision_key: s for s in _samples(session, cycle_id)}
    position = 0
    rows: list[dict[str, Any]] = []
    positions: dict[str, int] = {}
    now = utcnow()
    for chosen in plan.samples:
        position += 1
        if chosen.decision_id in kept:
            continue
        values = _sample_values(cycle_id, facts.refs[chosen.decision_id], chosen.reasons, position)
        rows.append({**values, "created_at": now})
        positions[chosen.decision_id] = position
    if rows:  # one executemany on the table: plans of thousands of samples are stored quickly
        session.execute(insert(SQLModel.metadata.tables[Sample.__tablename__]), rows)
    for manual in kept.values():
        position += 1
        manual.position = positions[manual.decision_key] = position
        session.add(manual)
        reason = manual.reasons[0] if manual.reasons else "manual: added by IQA"
        plan = sampling.add_sample(plan, manual.decision_key, "", reason)
        if manual.dropped:
            plan = sampling.drop_sample(plan, manual.decision_key)
    return plan, positions


def _sample_values(
    cycle_id: int, ref: DecisionRef, reasons: tuple[str, ...], position: int, by: str = "planner"
) -> dict[str, Any]:
    return {
        "cycle_id": cycle_id,
        "decision_key": ref.key,
        "kind": ref.kind,
        "registration_id": ref.registration_id,
        "learner_id": ref.learner_id,
        "standard_id": ref.standard_id,
        "signoff_id": ref.signoff_id,
        "assessor_id": ref.assessor_id,
        "reasons": list(reasons),
        "added_by": by,
        "position": position,
        "dropped": False,
        "dropped_at": None,
    }


def add_sample(
    session: Session, *, actor: Actor, cycle_id: int, decision_key: str, reason: str = ""
) -> Sample:
    """The IQA adds a decision by hand (or takes a dropped one back)."""
    cycle = _cycle_to_edit(session, actor, cycle_id)
    facts = load_facts(session, cycle)
    if decision_key in facts.own_excluded:
        raise PermissionDenied("You cannot sample your own assessment decisions.")
    ref = facts.refs.get(decision_key)
    if ref is None:
        raise Invalid("That decision is not open to sampling in this cycle.")
    existing = session.exec(  # held, and read as committed after another taking it back
        select(Sample)
        .where(Sample.cycle_id == cycle_id, Sample.decision_key == decision_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if existing is not None and not existing.dropped:
        raise Invalid("That decision is already sampled.")
    if existing is not None:
        existing.dropped, existing.dropped_at = False, None
        sample = existing
    else:
        last = session.exec(
            select(func.max(col(Sample.position))).where(Sample.cycle_id == cycle_id)
        ).one()
        text = f"manual: added by IQA{': ' + reason.strip() if reason.strip() else ''}"
        sample = Sample(**_sample_values(cycle_id, ref, (text,), (last or 0) + 1, by="iqa"))
    session.add(sample)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="iqa.sample.add",
        subject_type="iqa_sample",
        subject_id=sample.id,
        data={"cycle": cycle_id, "decision": decision_key, "reason": reason.strip()},
    )
    return sample


def drop_sample(session: Session, *, actor: Actor, sample_id: int) -> Sample:
    # held, and read as committed after another dropping it (PostgreSQL: FOR UPDATE)
    sample = session.get(Sample, sample_id, with_for_update=True, populate_existing=True)
    cycle = session.get(SamplingCycle, sample.cycle_id) if sample else None
    if sample is None or cycle is None:
        raise NotFound("No such sample.")
    _require_manager(actor, cycle)
    if session.exec(select(SampleReview.id).where(SampleReview.sample_id == sample_id)).first():
        raise Invalid("A reviewed sample stays in the plan.")
    if sample.dropped:
        raise Invalid("That sample is already dropped.")
    sample.dropped, sample.dropped_at = True, utcnow()
    session.add(sample)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="iqa.sample.drop",
        subject_type="iqa_sample",
        subject_id=sample_id,
        data={"cycle": cycle.id, "decision": sample.decision_key},
    )
    return sample


# ---------------------------------------------------------------- what the plan page shows


def current_plan(
    samples: Sequence[Sample | SampleRow], facts: CycleFacts, seed: int
) -> sampling.SamplingPlan:
    live = tuple(
        sampling.Sample(
            s.decision_key,
            assessor_label(facts.assessor_names.get(s.assessor_id, "?"), s.assessor_id),
            tuple(s.reasons),
            manual=s.added_by == "iqa",
        )
        for s in samples
        if not s.dropped
    )
    return sampling.SamplingPlan(seed, live)


@dataclass(frozen=True)
class GridRow:
    assessor: str
    standards: tuple[str, ...]  # per column: sampled | not sampled | nothing to sample
    methods: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    standards: tuple[str, ...]
    methods: tuple[str, ...]
    rows: tuple[GridRow, ...]


def coverage_grid(facts: CycleFacts, plan: sampling.SamplingPlan) -> Grid:
    """Assessors by standards and by methods: was each combination sampled?"""
    chosen = plan.ids()
    standards = sorted({f.standard for f in facts.facts})
    methods = sorted({m for f in facts.facts for m in f.methods})
    present: dict[str, set[tuple[str, str]]] = defaultdict(set)
    hit: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for f in facts.facts:
        pairs = {("s", f.standard)} | {("m", m) for m in f.methods}
        present[f.assessor] |= pairs
        if f.id in chosen:
            hit[f.assessor] |= pairs

    def cell(assessor: str, pair: tuple[str, str]) -> str:
        if pair in hit[assessor]:
            return "sampled"
        return "not sampled" if pair in present[assessor] else "nothing to sample"

    rows = tuple(
        GridRow(
            a,
            tuple(cell(a, ("s", s)) for s in standards),
            tuple(cell(a, ("m", m)) for m in methods),
        )
        for a in sorted(present)
    )
    return Grid(tuple(standards), tuple(methods), rows)


ADD_OFFERED = 300  # decisions not sampled yet that the add form offers, by learner


@dataclass(frozen=True)
class PlanPage:
    cycle: SamplingCycle
    samples: list[tuple[SampleRow, DecisionRef | None, str]]  # sample, where, review outcome or ""
    facts: CycleFacts
    plan: sampling.SamplingPlan
    gaps: sampling.Gaps
    quotas: tuple[sampling.Quota, ...]
    candidates: list[DecisionRef]  # not sampled yet, for the add form (at most ADD_OFFERED)
    unsampled: int  # how many are not sampled yet, offered or not
    grid: Grid
    beyond: tuple[BeyondQuota, ...] = ()  # assessors sampled more than their quota, and why


def plan_page(session: Session, *, actor: Actor, cycle_id: int) -> PlanPage:
    cycle = get_cycle(session, actor, cycle_id)
    facts = load_facts(session, cycle)
    samples = _sample_rows(session, cycle_id)
    outcomes = dict(
        session.exec(
            select(SampleReview.sample_id, SampleReview.outcome)
            .join(Sample, col(Sample.id) == SampleReview.sample_id)
            .where(Sample.cycle_id == cycle_id)
        ).all()
    )
    strategy = Strategy.from_dict(cycle.strategy).plan
    plan = current_plan(samples, facts, cycle.seed)
    sampled = {s.decision_key for s in samples if not s.dropped}
    # by learner, so the IQA finds one in a long list; at most ADD_OFFERED, said on the page
    unsampled = sorted(
        (r for k, r in facts.refs.items() if k not in sampled),
        key=lambda r: (r.learner_name.casefold(), r.standard_code, r.kind, r.key),
    )
    quotas = sampling.quotas(facts.assessors, facts.facts, strategy)
    planned = [
        PlannedSample(
            assessor_label(facts.assessor_names.get(s.assessor_id, "?"), s.assessor_id),
            tuple(s.reasons),
            s.added_by != "planner",
        )
        for s in samples
        if not s.dropped
    ]
    return PlanPage(
        cycle=cycle,
        samples=[(s, facts.refs.get(s.decision_key), outcomes.get(s.id, "")) for s in samples],
        facts=facts,
        plan=plan,
        gaps=sampling.gaps(plan, facts.facts, strategy, facts.assessors),
        quotas=quotas,
        candidates=unsampled[:ADD_OFFERED],
        unsampled=len(unsampled),
        grid=coverage_grid(facts, plan),
        beyond=tuple(beyond_quota(planned, quotas)),
    )
