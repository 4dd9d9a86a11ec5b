"""The facts a cycle's sampling plan is made from, read from the database.

A cycle's decisions open to sampling are, within the cycle's dates:

* **summative**: each sign-off (``S<signoff id>``); methods and evidence kinds are those of the
  accepted claims on the standard;
* **interim**: the decisions one assessor made on a standard not (yet) signed off
  (``I<registration>-<standard>-<assessor>``).

:func:`load_facts` reads them in a fixed number of queries and turns them into the plain data of
the pure planner (:mod:`mappings.quality.sampling`). Nobody samples their own decisions: facts
made by the cycle's IQA are left out (``own_excluded``). An assessor with a disagreement in a cycle
that ended in the period of the same length just before this cycle starts
(:func:`disagreed_before`) is raised one status for this cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, case, func, literal_column
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from mappings.assessment.models import Claim, Decision, SignOff
from mappings.quality import sampling
from mappings.quality.cycles import cycle_bounds
from mappings.quality.models import Sample, SampleReview, SamplingCycle
from mappings.quality.strategy import Strategy
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
    """The cycle's decisions open to sampling, in six queries whatever the size."""
    strategy = Strategy.from_dict(cycle.strategy)
    start, end = cycle_bounds(cycle)
    learners = _learners(session, cycle.iqa_id)
    in_period, signed_now = _signoffs(session, cycle.iqa_id, start, end)
    found: list[_Open] = []
    if strategy.summative:
        found += _summative(session, cycle.iqa_id, learners, in_period)
    if strategy.interim:
        found += _interim(session, cycle.iqa_id, start, end, learners, signed_now)
    return _cycle_facts(session, cycle, found)


# one decision open to sampling, before the assessors' names are read: where it lives, its
# methods, its evidence kinds, the learner's cohort and site
_Open = tuple[DecisionRef, tuple[str, ...], tuple[str, ...], str, str]


@dataclass(frozen=True)
class _Learners:
    """The IQA's learners: their registrations, cohorts and sites, and the standards' codes."""

    reg_of: dict[tuple[int, int], int]  # (learner, standard) -> registration
    info: dict[int, tuple[int, str, str, str]]  # registration -> learner, name, cohort, site
    code_of: dict[int, str]  # standard -> code

    def ref(
        self, key: str, kind: str, reg_id: int, std_id: int, signoff_id: int | None, by: int
    ) -> tuple[DecisionRef, str, str]:
        """The decision's place, with the learner's cohort and site."""
        learner_id, name, cohort, site = self.info[reg_id]
        code = self.code_of.get(std_id, "?")
        ref = DecisionRef(key, kind, reg_id, learner_id, name, std_id, code, signoff_id, by)
        return ref, cohort, site


def _scope(iqa_id: int) -> SelectOfScalar[int]:
    """The IQA's learners, as a subquery."""
    return select(Registration.learner_id).where(Registration.iqa_id == iqa_id)


def _learners(session: Session, iqa_id: int) -> _Learners:
    """Query 1: registered standards of the IQA's learners, with learner, cohort and code."""
    rows = session.execute(
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
        .where(col(Registration.iqa_id) == iqa_id)
    ).all()
    reg_of: dict[tuple[int, int], int] = {}
    info: dict[int, tuple[int, str, str, str]] = {}
    code_of: dict[int, str] = {}
    for reg_id, learner_id, lname, lsite, cname, csite, std_id, code in rows:
        reg_of[(learner_id, std_id or 0)] = reg_id or 0
        info[reg_id or 0] = (learner_id, lname, cname or NO_COHORT, csite or lsite)
        code_of[std_id or 0] = code
    return _Learners(reg_of, info, code_of)


def _signoffs(
    session: Session, iqa_id: int, start: datetime, end: datetime
) -> tuple[list[tuple[int, int, int, int]], set[tuple[int, int]]]:
    """Query 2: the sign-offs of the IQA's registrations, all of them, as two answers.

    Signed in the period: (sign-off, registration, standard, assessor). Signed now (whenever):
    (registration, standard), which leaves the decisions on them out of interim sampling."""
    rows = session.execute(
        sa_select(
            col(SignOff.id),
            col(SignOff.registration_id),
            col(SignOff.standard_id),
            col(SignOff.assessor_id),
            case((and_(col(SignOff.signed_at) >= start, col(SignOff.signed_at) < end), 1), else_=0),
            col(SignOff.status),
        )
        .join(Registration, col(Registration.id) == SignOff.registration_id)
        .where(col(Registration.iqa_id) == iqa_id)
    ).all()
    in_period = [(so_id or 0, reg, std, who) for so_id, reg, std, who, inside, _ in rows if inside]
    signed_now = {(reg, std) for _i, reg, std, _a, _in, status in rows if status == "signed"}
    return in_period, signed_now


def _summative(
    session: Session,
    iqa_id: int,
    learners: _Learners,
    in_period: Iterable[tuple[int, int, int, int]],
) -> list[_Open]:
    """The sign-offs in the period, with the methods and evidence kinds of accepted claims."""
    methods, kinds = _accepted(session, iqa_id)
    found: list[_Open] = []
    for so_id, reg_id, std_id, assessor_id in in_period:
        if reg_id not in learners.info:
            continue
        key = f"S{so_id}"
        ref, cohort, site = learners.ref(key, "summative", reg_id, std_id, so_id, assessor_id)
        claimed = (ref.learner_id, std_id)
        found.append((ref, methods.get(claimed, ()), kinds.get(claimed, ()), cohort, site))
    return found


def _accepted(
    session: Session, iqa_id: int
) -> tuple[dict[tuple[int, int], tuple[str, ...]], dict[tuple[int, int], tuple[str, ...]]]:
    """Query 3: methods and evidence kinds of the accepted claims, by (learner, standard).

    Folded in SQL: one row per learner and standard, whatever the number of claims."""
    joined = _joined(session)
    rows = (
        session.connection()
        .execute(
            sa_select(
                col(Evidence.learner_id),
                col(Criterion.standard_id),
                joined(col(Claim.method)),
                joined(col(Evidence.kind)),
            )
            .join(Evidence, col(Evidence.id) == Claim.evidence_id)
            .join(Criterion, col(Criterion.id) == Claim.criterion_id)
            .where(col(Claim.status) == "accepted", col(Evidence.learner_id).in_(_scope(iqa_id)))
            .group_by(col(Evidence.learner_id), col(Criterion.standard_id))
        )
        .all()
    )
    methods: dict[tuple[int, int], tuple[str, ...]] = {}
    kinds: dict[tuple[int, int], tuple[str, ...]] = {}
    for learner_id, std_id, method_list, kind_list in rows:
        found = _split(method_list)
        if found:
            methods[(learner_id, std_id)] = found
        kinds[(learner_id, std_id)] = _split(kind_list)
    return methods, kinds


def _joined(session: Session) -> Callable[[Any], Any]:
    """The distinct non-null values of a column, joined by commas (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return lambda column: func.string_agg(column.distinct(), literal_column("','"))
    return lambda column: func.group_concat(column.distinct())


@lru_cache(maxsize=4096)
def _split(joined: str | None) -> tuple[str, ...]:
    """The values :func:`_joined` put together, sorted; empty ones left out.

    Cached: the same few combinations of methods and kinds come back on thousands of rows."""
    return tuple(sorted({v for v in joined.split(",") if v})) if joined else ()


def _interim(
    session: Session,
    iqa_id: int,
    start: datetime,
    end: datetime,
    learners: _Learners,
    signed_now: set[tuple[int, int]],
) -> list[_Open]:
    """Query 4: decisions made in the period on standards not signed off, by assessor.

    Folded in SQL: one row per assessor, learner and standard, with the methods and evidence
    kinds joined. (Leaving the standards signed off out in SQL too, with a correlated NOT EXISTS,
    made SQLite take minutes.)"""
    joined = _joined(session)
    decided = (
        session.connection()
        .execute(
            sa_select(
                col(Decision.actor_id),
                col(Evidence.learner_id),
                col(Criterion.standard_id),
                joined(col(Decision.method)),
                joined(col(Evidence.kind)),
            )
            .join(Claim, col(Claim.id) == Decision.claim_id)
            .join(Evidence, col(Evidence.id) == Claim.evidence_id)
            .join(Criterion, col(Criterion.id) == Claim.criterion_id)
            .where(col(Decision.at) >= start, col(Decision.at) < end)
            .where(col(Evidence.learner_id).in_(_scope(iqa_id)))
            .group_by(col(Decision.actor_id), col(Evidence.learner_id), col(Criterion.standard_id))
        )
        .all()
    )
    groups: dict[tuple[int, int, int], tuple[set[str], set[str]]] = {}
    for actor_id, learner_id, std_id, method_list, kind_list in decided:
        reg_id = learners.reg_of.get((learner_id, std_id))
        if reg_id is None or (reg_id, std_id) in signed_now:
            continue
        methods, kinds = groups.setdefault((reg_id, std_id, actor_id), (set(), set()))
        methods.update(_split(method_list))
        kinds.update(_split(kind_list))
    found: list[_Open] = []
    for group, (methods, kinds) in groups.items():
        reg_id, std_id, actor_id = group
        key = f"I{reg_id}-{std_id}-{actor_id}"
        ref, cohort, site = learners.ref(key, "interim", reg_id, std_id, None, actor_id)
        found.append((ref, tuple(sorted(methods)), tuple(sorted(kinds)), cohort, site))
    return found


def _cycle_facts(session: Session, cycle: SamplingCycle, found: list[_Open]) -> CycleFacts:
    """Queries 5 and 6: the assessors and their disagreements before; the planner's facts."""
    people = session.exec(
        select(Person.id, Person.name, Person.assessor_status).where(
            col(Person.id).in_({ref.assessor_id for ref, *_ in found})
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
    refs: dict[str, DecisionRef] = {}
    facts: list[sampling.DecisionFact] = []
    own: list[str] = []
    for ref, methods, kinds, cohort, site in found:
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
