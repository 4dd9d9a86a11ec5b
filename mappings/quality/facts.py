"""Internal quality assurance: the facts a sampling plan is made from, read from the database.

:func:`load_facts` reads a cycle's decisions open to sampling (summative sign-offs and interim
decisions, as described in :mod:`mappings.quality.cycles`) in a fixed number of queries and hands them to the
pure planner (:mod:`mappings.quality.sampling`); :class:`Strategy` is the centre's strategy those facts are
planned with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mappings.assessment.models import Claim, Decision, SignOff
from mappings.quality import sampling
from mappings.quality.models import Sample, SampleReview, SamplingCycle
from portfolio.models import (
    Cohort,
    Criterion,
    Evidence,
    Person,
    Registration,
    RegistrationStandard,
    Standard,
)

STATUSES = ("new", "standard", "under_review")
NO_COHORT = "(no cohort)"


@dataclass(frozen=True)
class Strategy:
    """The centre's strategy: the planner's part plus which kinds of record are sampled."""

    plan: sampling.SamplingStrategy = field(default_factory=sampling.SamplingStrategy)
    interim: bool = True
    summative: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.plan.to_dict(),
            "interim": self.interim,
            "summative": self.summative,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Strategy:
        return cls(
            plan=sampling.SamplingStrategy.from_dict(data.get("strategy", {})),
            interim=bool(data.get("interim", True)),
            summative=bool(data.get("summative", True)),
        )


@dataclass(frozen=True)
class DecisionRef:
    """Where a planner fact lives in the database."""

    key: str
    kind: str  # interim | summative
    registration_id: int
    learner_id: int
    learner_name: str
    standard_id: int
    standard_code: str
    signoff_id: int | None
    assessor_id: int


@dataclass(frozen=True)
class CycleFacts:
    assessors: tuple[sampling.AssessorFact, ...]
    facts: tuple[sampling.DecisionFact, ...]
    refs: dict[str, DecisionRef]
    assessor_names: dict[int, str]
    own_excluded: tuple[str, ...]  # keys left out: decisions made by the cycle's IQA


def assessor_label(name: str, person_id: int) -> str:
    return f"{name} (#{person_id})"


def _bounds(cycle: SamplingCycle) -> tuple[datetime, datetime]:
    start = datetime.combine(cycle.start_date, time.min, tzinfo=UTC)
    end = datetime.combine(cycle.end_date + timedelta(days=1), time.min, tzinfo=UTC)
    return start, end


def disagreed_before(session: Session, cycle: SamplingCycle) -> set[int]:
    """Assessors with a disagreement in a cycle that ended in the period just before this one."""
    length = cycle.end_date - cycle.start_date
    rows = session.exec(
        select(Sample.assessor_id)
        .join(SampleReview, col(SampleReview.sample_id) == Sample.id)
        .join(SamplingCycle, col(SamplingCycle.id) == Sample.cycle_id)
        .where(
            SampleReview.outcome == "disagree",
            col(SamplingCycle.end_date) < cycle.start_date,
            col(SamplingCycle.end_date) >= cycle.start_date - length - timedelta(days=1),
        )
        .distinct()
    ).all()
    return set(rows)


def load_facts(session: Session, cycle: SamplingCycle) -> CycleFacts:
    """The cycle's decisions open to sampling, in seven queries whatever the size."""
    strategy = Strategy.from_dict(cycle.strategy)
    start, end = _bounds(cycle)
    scope = select(Registration.learner_id).where(Registration.iqa_id == cycle.iqa_id)
    # 1. registered standards of the IQA's learners, with learner, cohort and standard code
    reg_rows = session.execute(
        sa_select(
            col(Registration.id),
            col(Registration.learner_id),
            col(Person.name),
            col(Person.site),
            col(Cohort.name),
            col(Cohort.site),
            col(Standard.id),
            col(Standard.code),
        )
        .join(Person, col(Person.id) == Registration.learner_id)
        .join(RegistrationStandard, col(RegistrationStandard.registration_id) == Registration.id)
        .join(Standard, col(Standard.id) == RegistrationStandard.standard_id)
        .join(Cohort, col(Cohort.id) == Registration.cohort_id, isouter=True)
        .where(col(Registration.iqa_id) == cycle.iqa_id)
    ).all()
    reg_of: dict[tuple[int, int], int] = {}
    learner_info: dict[int, tuple[int, str, str, str]] = {}  # reg -> learner, name, cohort, site
    code_of: dict[int, str] = {}
    for reg_id, learner_id, lname, lsite, cname, csite, std_id, code in reg_rows:
        reg_of[(learner_id, std_id or 0)] = reg_id or 0
        learner_info[reg_id or 0] = (learner_id, lname, cname or NO_COHORT, csite or lsite)
        code_of[std_id or 0] = code
    # 2. sign-offs of those registrations (all: which standards are signed, which in the period)
    signoffs = session.execute(
        sa_select(
            col(SignOff.id),
            col(SignOff.registration_id),
            col(SignOff.standard_id),
            col(SignOff.assessor_id),
            case((and_(col(SignOff.signed_at) >= start, col(SignOff.signed_at) < end), 1), else_=0),
            col(SignOff.status),
        )
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(col(Registration.iqa_id) == cycle.iqa_id)
    ).all()
    signed_now = {(r, s) for _i, r, s, _a, _in, status in signoffs if status == "signed"}
    # 3. accepted claims of the learners: methods and evidence kinds behind sign-offs
    accepted = session.exec(
        select(Evidence.learner_id, Criterion.standard_id, Claim.method, Evidence.kind)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .where(Claim.status == "accepted", col(Evidence.learner_id).in_(scope))
        .distinct()
    ).all()
    methods_of: dict[tuple[int, int], set[str]] = defaultdict(set)
    kinds_of: dict[tuple[int, int], set[str]] = defaultdict(set)
    for learner_id, std_id, method, kind in accepted:
        if method:
            methods_of[(learner_id, std_id)].add(method)
        kinds_of[(learner_id, std_id)].add(kind)
    # 4. decisions made in the period
    decided = session.execute(
        sa_select(
            col(Decision.actor_id),
            col(Decision.method),
            col(Evidence.learner_id),
            col(Evidence.kind),
            col(Criterion.standard_id),
        )
        .join(Claim, col(Claim.id) == Decision.claim_id)
        .join(Evidence, col(Evidence.id) == Claim.evidence_id)
        .join(Criterion, col(Criterion.id) == Claim.criterion_id)
        .where(col(Decision.at) >= start, col(Decision.at) < end)
        .where(col(Evidence.learner_id).in_(scope))
    ).all()

    sorted_cache: dict[tuple[int, int, int], tuple[str, ...]] = {}

    def sorted_of(found: dict[tuple[int, int], set[str]], key: tuple[int, int]) -> tuple[str, ...]:
        cache_key = (id(found), *key)
        if cache_key not in sorted_cache:
            sorted_cache[cache_key] = tuple(sorted(found.get(key, ())))
        return sorted_cache[cache_key]

    refs: dict[str, DecisionRef] = {}
    raw: list[tuple[DecisionRef, tuple[str, ...], tuple[str, ...], str, str]] = []
    if strategy.summative:
        for so_id, reg_id, std_id, assessor_id, in_period, _status in signoffs:
            if not in_period or reg_id not in learner_info:
                continue
            learner_id, lname, cohort, site = learner_info[reg_id]
            ref = DecisionRef(
                f"S{so_id}", "summative", reg_id, learner_id, lname, std_id,
                code_of.get(std_id, "?"), so_id, assessor_id,
            )  # fmt: skip
            key = (learner_id, std_id)
            raw.append((ref, sorted_of(methods_of, key), sorted_of(kinds_of, key), cohort, site))
    if strategy.interim:
        groups: dict[tuple[int, int, int], tuple[set[str], set[str]]] = {}
        for actor_id, method, learner_id, kind, std_id in decided:
            reg_id = reg_of.get((learner_id, std_id))
            if reg_id is None or (reg_id, std_id) in signed_now:
                continue
            found_methods, found_kinds = groups.setdefault(
                (reg_id, std_id, actor_id), (set(), set())
            )
            if method:
                found_methods.add(method)
            found_kinds.add(kind)
        for (reg_id, std_id, actor_id), (method_set, kind_set) in groups.items():
            learner_id, lname, cohort, site = learner_info[reg_id]
            ref = DecisionRef(
                f"I{reg_id}-{std_id}-{actor_id}", "interim", reg_id, learner_id, lname, std_id,
                code_of.get(std_id, "?"), None, actor_id,
            )  # fmt: skip
            raw.append((ref, tuple(sorted(method_set)), tuple(sorted(kind_set)), cohort, site))

    # 5. the assessors, 6. disagreements in the previous period
    assessor_ids = {ref.assessor_id for ref, *_ in raw}
    people = session.exec(
        select(Person.id, Person.name, Person.assessor_status).where(
            col(Person.id).in_(assessor_ids)
        )
    ).all()
    raised = disagreed_before(session, cycle)
    names = {pid or 0: name for pid, name, _ in people}
    assessors = tuple(
        sampling.AssessorFact(
            assessor_label(name, pid or 0),
            status if status in STATUSES else "standard",  # type: ignore[arg-type]
            had_disagreements_last_cycle=pid in raised,
        )
        for pid, name, status in sorted(people, key=lambda p: p[0] or 0)
    )
    facts: list[sampling.DecisionFact] = []
    own: list[str] = []
    for ref, methods, kinds, cohort, site in raw:
        if ref.assessor_id == cycle.iqa_id:
            own.append(ref.key)
            continue
        refs[ref.key] = ref
        facts.append(
            sampling.DecisionFact(
                id=ref.key,
                learner=str(ref.learner_id),
                cohort=cohort,
                assessor=assessor_label(names.get(ref.assessor_id, "?"), ref.assessor_id),
                standard=ref.standard_code,
                methods=methods,
                evidence_kinds=kinds,
                record_type=ref.kind,  # type: ignore[arg-type]
                site=site,
            )
        )
    facts.sort(key=lambda f: f.id)
    return CycleFacts(assessors, tuple(facts), refs, names, tuple(sorted(own)))
