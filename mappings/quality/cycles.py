"""Internal quality assurance: the centre's strategy, cycles, and sampling plans from the database.

A cycle belongs to one IQA and covers the learners allocated to them (``Registration.iqa_id``).
Its decisions open to sampling are, within the cycle's dates:

* **summative**: each sign-off (``S<signoff id>``); methods and evidence kinds are those of the
  accepted claims on the standard;
* **interim**: the decisions one assessor made on a standard not (yet) signed off
  (``I<registration>-<standard>-<assessor>``).

:func:`load_facts` reads them in a fixed number of queries and hands them to the pure planner
(:mod:`mappings.quality.sampling`). Nobody samples their own decisions: facts made by the cycle's IQA are
left out of the plan and refused when added by hand. An assessor with a disagreement in a cycle
that ended in the period of the same length just before this cycle starts is raised one status
for this cycle (the quota reason says so).

Reviews, actions and EQA access are in :mod:`mappings.quality.review` (re-exported here).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, delete, func, insert
from sqlmodel import Session, SQLModel, col, select

from mappings.quality import sampling
from mappings.quality.facts import (
    CycleFacts,
    DecisionRef,
    Strategy,
    assessor_label,
    disagreed_before,
    load_facts,
)
from mappings.quality.models import Sample, SampleReview, SamplingCycle, SamplingStrategy
from mappings.quality.review import (
    ActionRow,
    SampleView,
    actions_for_assessor,
    actions_set_by,
    close_action,
    eqa_can_view,
    eqa_grants_of,
    grant_eqa,
    list_grants,
    may_manage,
    respond_action,
    review_sample,
    revoke_eqa,
    sample_details,
    sample_view,
)
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import (
    Person,
)
from portfolio.models.base import utcnow
from portfolio.services import audit
from portfolio.services.people import Actor

__all__ = [
    "ActionRow",
    "CycleFacts",
    "CycleRow",
    "DecisionRef",
    "Grid",
    "GridRow",
    "PlanPage",
    "PlanResult",
    "SampleView",
    "Strategy",
    "actions_for_assessor",
    "actions_set_by",
    "add_sample",
    "assessor_label",
    "close_action",
    "coverage_grid",
    "create_cycle",
    "current_plan",
    "cycle_by_name",
    "default_seed",
    "disagreed_before",
    "drop_sample",
    "eqa_can_view",
    "eqa_grants_of",
    "get_cycle",
    "get_strategy",
    "grant_eqa",
    "list_cycles",
    "list_grants",
    "load_facts",
    "may_manage",
    "plan_cycle",
    "plan_page",
    "respond_action",
    "review_sample",
    "revoke_eqa",
    "sample_details",
    "sample_view",
    "save_strategy",
]


# ---------------------------------------------------------------- strategy


def get_strategy(session: Session) -> Strategy:
    row = session.exec(select(SamplingStrategy).order_by(col(SamplingStrategy.id))).first()
    if row is None:
        return Strategy()
    return Strategy(sampling.SamplingStrategy.from_dict(row.data), row.interim, row.summative)


def save_strategy(
    session: Session,
    *,
    actor: Actor,
    rates: dict[str, float],
    interim: bool,
    summative: bool,
    dimensions: tuple[str, ...] | None = None,
    bump_on_disagreement: bool = True,
) -> Strategy:
    """Change the centre's strategy (IQAs and administrators). Existing cycles keep their copy."""
    if not (actor.has("iqa") or actor.has("admin")):
        raise PermissionDenied("Only IQAs and administrators change the sampling strategy.")
    if not (interim or summative):
        raise Invalid("Sample interim decisions, summative sign-offs, or both.")
    current = get_strategy(session)
    try:
        plan = sampling.SamplingStrategy.from_dict(
            {
                "rates": rates,
                "dimensions": list(dimensions or current.plan.dimensions),
                "bump_on_disagreement": bump_on_disagreement,
            }
        )
    except ValueError as exc:
        raise Invalid(f"The strategy is not valid: {exc}.") from exc
    row = session.exec(select(SamplingStrategy).order_by(col(SamplingStrategy.id))).first()
    row = row or SamplingStrategy()
    row.data = plan.to_dict()
    row.interim, row.summative = interim, summative
    row.updated_at, row.updated_by = utcnow(), actor.id or None
    session.add(row)
    session.flush()
    strategy = Strategy(plan, interim, summative)
    audit.record(
        session,
        actor=actor,
        action="iqa.strategy",
        subject_type="iqa_strategy",
        subject_id=row.id,
        data=strategy.to_dict(),
    )
    return strategy


# ---------------------------------------------------------------- cycles


def default_seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") % (2**31)


def create_cycle(
    session: Session,
    *,
    actor: Actor,
    name: str,
    start: date,
    end: date,
    iqa_id: int | None = None,
    seed: int | None = None,
) -> SamplingCycle:
    """A new cycle with a copy of the current strategy. IQAs create their own; admins any."""
    iqa_id = actor.id if iqa_id is None else iqa_id
    if not ((actor.has("iqa") and iqa_id == actor.id) or actor.has("admin")):
        raise PermissionDenied("IQAs create their own sampling cycles.")
    name = name.strip()
    if not name:
        raise Invalid("A cycle needs a name.")
    if end < start:
        raise Invalid("A cycle ends on or after the day it starts.")
    iqa = session.get(Person, iqa_id)
    if iqa is None or not iqa.has_role("iqa") or iqa.removed_at is not None:
        raise Invalid("The cycle's IQA must be a person with the IQA role.")
    if session.exec(select(SamplingCycle.id).where(SamplingCycle.name == name)).first():
        raise Invalid(f"A cycle named {name!r} already exists.")
    cycle = SamplingCycle(
        name=name,
        start_date=start,
        end_date=end,
        iqa_id=iqa_id,
        strategy=get_strategy(session).to_dict(),
        seed=default_seed(name) if seed is None else seed,
        created_by=actor.id or iqa_id,
    )
    session.add(cycle)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="iqa.cycle.create",
        subject_type="iqa_cycle",
        subject_id=cycle.id,
        data={"name": name, "start": start.isoformat(), "end": end.isoformat(), "iqa": iqa_id},
    )
    return cycle


def get_cycle(session: Session, actor: Actor, cycle_id: int) -> SamplingCycle:
    cycle = session.get(SamplingCycle, cycle_id)
    if cycle is None or not may_manage(actor, cycle):
        raise NotFound("No such sampling cycle, or it is not yours.")
    return cycle


def cycle_by_name(session: Session, name: str) -> SamplingCycle:
    cycle = session.exec(select(SamplingCycle).where(SamplingCycle.name == name)).first()
    if cycle is None:
        raise NotFound(f"No sampling cycle named {name!r}.")
    return cycle


@dataclass(frozen=True)
class CycleRow:
    cycle: SamplingCycle
    samples: int
    reviewed: int
    disagreements: int


def list_cycles(session: Session, actor: Actor) -> list[CycleRow]:
    """The actor's cycles (newest first) with sample counts, in two queries."""
    cycles = session.exec(
        select(SamplingCycle)
        .where(SamplingCycle.iqa_id == actor.id)
        .order_by(col(SamplingCycle.start_date).desc(), col(SamplingCycle.id).desc())
    ).all()
    counts = session.exec(
        select(
            Sample.cycle_id,
            func.count(col(Sample.id)),
            func.count(col(SampleReview.id)),
            func.sum(case((col(SampleReview.outcome) == "disagree", 1), else_=0)),
        )
        .join(SampleReview, col(SampleReview.sample_id) == Sample.id, isouter=True)
        .where(col(Sample.cycle_id).in_([c.id for c in cycles]), col(Sample.dropped).is_(False))
        .group_by(col(Sample.cycle_id))
    ).all()
    by_cycle = {cid: (n, r, d or 0) for cid, n, r, d in counts}
    return [CycleRow(c, *by_cycle.get(c.id or 0, (0, 0, 0))) for c in cycles]


# ---------------------------------------------------------------- plans


def _require_manager(actor: Actor, cycle: SamplingCycle) -> None:
    if not may_manage(actor, cycle):
        raise PermissionDenied("Only the cycle's IQA plans and edits its samples.")


def _samples(session: Session, cycle_id: int) -> list[Sample]:
    return list(
        session.exec(
            select(Sample).where(Sample.cycle_id == cycle_id).order_by(col(Sample.position))
        ).all()
    )


@dataclass(frozen=True)
class PlanResult:
    cycle: SamplingCycle
    plan: sampling.SamplingPlan
    facts: CycleFacts
    gaps: sampling.Gaps


def plan_cycle(
    session: Session, *, actor: Actor, cycle_id: int, seed: int | None = None
) -> PlanResult:
    """Plan (or re-plan) a cycle with the pure planner; samples added by the IQA are kept.

    Refused once any sample has been reviewed: the plan is then the record of the cycle."""
    cycle = session.get(SamplingCycle, cycle_id)
    if cycle is None:
        raise NotFound("No such sampling cycle.")
    _require_manager(actor, cycle)
    reviewed = session.exec(
        select(func.count(col(SampleReview.id)))
        .join(Sample, col(Sample.id) == SampleReview.sample_id)
        .where(Sample.cycle_id == cycle_id)
    ).one()
    if reviewed:
        raise Conflict("Samples of this cycle are already reviewed; the plan can no longer change.")
    if seed is not None:
        cycle.seed = seed
    facts = load_facts(session, cycle)
    strategy = Strategy.from_dict(cycle.strategy)
    plan = sampling.plan_sample(facts.assessors, facts.facts, strategy.plan, cycle.seed)
    session.execute(
        delete(Sample).where(col(Sample.cycle_id) == cycle_id, col(Sample.added_by) == "planner")
    )
    kept = {s.decision_key: s for s in _samples(session, cycle_id)}
    position = 0
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for chosen in plan.samples:
        position += 1
        if chosen.decision_id in kept:
            continue
        values = _sample_values(cycle_id, facts.refs[chosen.decision_id], chosen.reasons, position)
        rows.append({**values, "created_at": now})
    if rows:  # one executemany on the table: plans of thousands of samples are stored quickly
        session.execute(insert(SQLModel.metadata.tables[Sample.__tablename__]), rows)
    for manual in kept.values():
        position += 1
        manual.position = position
        session.add(manual)
        reason = manual.reasons[0] if manual.reasons else "manual: added by IQA"
        plan = sampling.add_sample(plan, manual.decision_key, "", reason)
        if manual.dropped:
            plan = sampling.drop_sample(plan, manual.decision_key)
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
    return PlanResult(cycle, plan, facts, found)


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


def _new_sample(
    cycle_id: int, ref: DecisionRef, reasons: tuple[str, ...], position: int, by: str = "planner"
) -> Sample:
    return Sample(**_sample_values(cycle_id, ref, reasons, position, by))


def add_sample(
    session: Session, *, actor: Actor, cycle_id: int, decision_key: str, reason: str = ""
) -> Sample:
    """The IQA adds a decision by hand (or takes a dropped one back)."""
    cycle = session.get(SamplingCycle, cycle_id)
    if cycle is None:
        raise NotFound("No such sampling cycle.")
    _require_manager(actor, cycle)
    facts = load_facts(session, cycle)
    if decision_key in facts.own_excluded:
        raise PermissionDenied("You cannot sample your own assessment decisions.")
    ref = facts.refs.get(decision_key)
    if ref is None:
        raise Invalid("That decision is not open to sampling in this cycle.")
    existing = session.exec(
        select(Sample).where(Sample.cycle_id == cycle_id, Sample.decision_key == decision_key)
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
        sample = _new_sample(cycle_id, ref, (text,), (last or 0) + 1, by="iqa")
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
    sample = session.get(Sample, sample_id)
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


def current_plan(samples: list[Sample], facts: CycleFacts, seed: int) -> sampling.SamplingPlan:
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


@dataclass(frozen=True)
class PlanPage:
    cycle: SamplingCycle
    samples: list[tuple[Sample, DecisionRef | None, str]]  # sample, where, review outcome or ""
    facts: CycleFacts
    plan: sampling.SamplingPlan
    gaps: sampling.Gaps
    quotas: tuple[sampling.Quota, ...]
    candidates: list[DecisionRef]  # not sampled yet, for the add form (at most 300)
    grid: Grid


def plan_page(session: Session, *, actor: Actor, cycle_id: int) -> PlanPage:
    cycle = get_cycle(session, actor, cycle_id)
    facts = load_facts(session, cycle)
    samples = _samples(session, cycle_id)
    outcomes = dict(
        session.exec(
            select(SampleReview.sample_id, SampleReview.outcome).where(
                col(SampleReview.sample_id).in_([s.id for s in samples])
            )
        ).all()
    )
    strategy = Strategy.from_dict(cycle.strategy).plan
    plan = current_plan(samples, facts, cycle.seed)
    sampled = {s.decision_key for s in samples if not s.dropped}
    candidates = [r for k, r in sorted(facts.refs.items()) if k not in sampled][:300]
    return PlanPage(
        cycle=cycle,
        samples=[(s, facts.refs.get(s.decision_key), outcomes.get(s.id or 0, "")) for s in samples],
        facts=facts,
        plan=plan,
        gaps=sampling.gaps(plan, facts.facts, strategy, facts.assessors),
        quotas=sampling.quotas(facts.assessors, facts.facts, strategy),
        candidates=candidates,
        grid=coverage_grid(facts, plan),
    )
