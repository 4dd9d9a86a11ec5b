"""IQA services: facts from the database, plans, add/drop, gaps, self-sampling, rate raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from mappings.quality.cycles import create_cycle, get_cycle
from mappings.quality.facts import load_facts
from mappings.quality.models import Sample, SamplingCycle
from mappings.quality.plan import add_sample, drop_sample, plan_cycle, plan_page
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from mappings.quality.strategy import get_strategy, save_strategy
from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Person
from tests.conftest import actor_of
from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START, assess, put_in_cohort


@dataclass
class Centre:
    iqa: Person
    assessors: dict[str, Person]
    regs: list
    cycle: SamplingCycle


def build_centre(session, make_person, make_registration, learners: int = 6, name="C1") -> Centre:
    iqa_person = make_person("iqa")
    assessors = {}
    for status in ("new", "standard", "under_review"):
        person = make_person("assessor", name=f"Assessor {status}")
        person.assessor_status = status
        session.add(person)
        assessors[status] = person
    session.commit()
    order = list(assessors.values())
    regs = []
    for n in range(learners):
        who = order[n % len(order)]
        reg = make_registration(assessor=who, iqa=iqa_person)
        put_in_cohort(session, reg, *(("North", "Leeds") if n % 2 else ("South", "Hull")))
        assess(session, reg, who.id, "SE01", kind="observation_record", method="O")
        assess(session, reg, who.id, "SE03", kind="professional_discussion", method="PD",
               signed=False)  # fmt: skip
        if n % 3 == 0:
            assess(session, reg, who.id, "SE04", kind="witness_testimony", method="WT")
        regs.append(reg)
    cycle = create_cycle(
        session, actor=actor_of(iqa_person), name=name, start=CYCLE_START, end=CYCLE_END, seed=3
    )
    session.commit()
    return Centre(iqa_person, assessors, regs, cycle)


@pytest.fixture
def centre(session, make_person, make_registration) -> Centre:
    return build_centre(session, make_person, make_registration)


def test_facts_cover_signoffs_and_interim_decisions(session, centre) -> None:
    facts = load_facts(session, centre.cycle)
    kinds = sorted(f.record_type for f in facts.facts)
    assert kinds.count("summative") == 6 + 2 and kinds.count("interim") == 6
    sites = {f.site for f in facts.facts}
    assert sites == {"Leeds", "Hull"}
    se03 = [f for f in facts.facts if f.standard == "SE03"]
    assert all(f.record_type == "interim" and f.methods == ("PD",) for f in se03)
    assert all(f.evidence_kinds == ("professional_discussion",) for f in se03)


def test_fact_loading_takes_a_fixed_number_of_queries(
    session, make_person, make_registration, count_queries
) -> None:
    small = build_centre(session, make_person, make_registration, learners=2, name="S")
    with count_queries() as q_small:
        load_facts(session, small.cycle)
    big = build_centre(session, make_person, make_registration, learners=9, name="B")
    with count_queries() as q_big:
        facts = load_facts(session, big.cycle)
    assert len(facts.facts) > 3 * len(load_facts(session, small.cycle).facts) // 2
    assert q_small.count == q_big.count <= 7


def test_plan_meets_quotas_and_camera_and_stores_reasons(session, centre) -> None:
    result = plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    assert result.gaps.empty, result.gaps
    stored = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).all()
    assert len(stored) == len(result.plan.samples) > 0
    assert all(s.reasons and s.added_by == "planner" for s in stored)
    new = centre.assessors["new"]
    facts = load_facts(session, centre.cycle)
    by_new = [f for f in facts.facts if f.assessor.endswith(f"(#{new.id})")]
    assert len([s for s in stored if s.assessor_id == new.id]) == len(by_new)  # 100%
    reasons = [r for s in stored for r in s.reasons]
    assert any(r.startswith("rate: new assessor 100%") for r in reasons)
    assert any(r == "CAMERA: site Leeds" for r in reasons)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "iqa.plan")).first()


def test_plan_is_reproducible_with_a_seed(session, centre) -> None:
    me = actor_of(centre.iqa)
    first = plan_cycle(session, actor=me, cycle_id=centre.cycle.id, seed=11)
    again = plan_cycle(session, actor=me, cycle_id=centre.cycle.id, seed=11)
    assert [s.decision_id for s in first.plan.samples] == [
        s.decision_id for s in again.plan.samples
    ]
    rows = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).all()
    assert sorted(s.decision_key for s in rows) == sorted(first.plan.ids())


def test_a_replanned_sample_never_gets_the_id_of_one_the_plan_replaced(session, centre) -> None:
    """Planning again deletes the planner's samples and stores new ones: a deleted sample's id
    (in links, API clients and the trail) is never given to a new one, on SQLite too."""
    me = actor_of(centre.iqa)
    cycle_id = centre.cycle.id
    plan_cycle(session, actor=me, cycle_id=cycle_id, seed=11)
    session.commit()
    first = set(session.exec(select(Sample.id).where(Sample.cycle_id == cycle_id)).all())
    assert first
    plan_cycle(session, actor=me, cycle_id=cycle_id, seed=12)
    session.commit()
    again = set(session.exec(select(Sample.id).where(Sample.cycle_id == cycle_id)).all())
    assert again and not again & first
    plan_cycle(session, actor=me, cycle_id=cycle_id, seed=11)  # and again: neither set comes back
    session.commit()
    third = set(session.exec(select(Sample.id).where(Sample.cycle_id == cycle_id)).all())
    assert third and not third & (first | again)


def test_only_the_cycles_iqa_plans(session, centre, make_person) -> None:
    for who in (make_person("iqa"), centre.assessors["new"], make_person("admin")):
        with pytest.raises(PermissionDenied):
            plan_cycle(session, actor=actor_of(who), cycle_id=centre.cycle.id)
    with pytest.raises(NotFound):
        get_cycle(session, actor_of(make_person("iqa")), centre.cycle.id)


def test_add_drop_and_gaps(session, centre) -> None:
    me = actor_of(centre.iqa)
    plan_cycle(session, actor=me, cycle_id=centre.cycle.id)
    page = plan_page(session, actor=me, cycle_id=centre.cycle.id)
    assert page.gaps.empty
    new = centre.assessors["new"]
    victim = next(s for s, *_ in page.samples if s.assessor_id == new.id)
    drop_sample(session, actor=me, sample_id=victim.id)
    page = plan_page(session, actor=me, cycle_id=centre.cycle.id)
    assert any(f"(#{new.id}) (new, 100%)" in s for s in page.gaps.short)
    assert victim.decision_key in {c.key for c in page.candidates}
    with pytest.raises(Invalid, match="already dropped"):
        drop_sample(session, actor=me, sample_id=victim.id)
    back = add_sample(session, actor=me, cycle_id=centre.cycle.id, decision_key=victim.decision_key)
    assert back.id == victim.id and not back.dropped
    assert plan_page(session, actor=me, cycle_id=centre.cycle.id).gaps.empty
    extra = next(iter(page.candidates[1:]), None) or page.candidates[0]
    manual = add_sample(
        session, actor=me, cycle_id=centre.cycle.id, decision_key=extra.key, reason="odd method"
    )
    assert manual.added_by == "iqa" and manual.reasons == ["manual: added by IQA: odd method"]
    with pytest.raises(Invalid, match="already sampled"):
        add_sample(session, actor=me, cycle_id=centre.cycle.id, decision_key=extra.key)
    with pytest.raises(Invalid, match="not open to sampling"):
        add_sample(session, actor=me, cycle_id=centre.cycle.id, decision_key="S999999")
    # re-planning keeps what the IQA added by hand
    plan_cycle(session, actor=me, cycle_id=centre.cycle.id)
    keys = {s.decision_key for s in session.exec(select(Sample)).all()}
    assert extra.key in keys


def test_grid_marks_each_cell_in_words(session, centre) -> None:
    me = actor_of(centre.iqa)
    plan_cycle(session, actor=me, cycle_id=centre.cycle.id)
    grid = plan_page(session, actor=me, cycle_id=centre.cycle.id).grid
    assert grid.standards == ("SE01", "SE03", "SE04") and "PD" in grid.methods
    cells = {c for row in grid.rows for c in row.standards + row.methods}
    assert cells <= {"sampled", "not sampled", "nothing to sample"}
    new_row = next(r for r in grid.rows if "Assessor new" in r.assessor)
    assert set(new_row.standards) == {"sampled"}  # 100% rate: everything sampled
    std_row = next(r for r in grid.rows if "Assessor standard" in r.assessor)
    assert "nothing to sample" in std_row.methods  # never used WT (learner 1, 4: no SE04)


def test_own_decisions_are_left_out_and_refused(session, centre, make_registration) -> None:
    # the IQA once assessed this learner's SE03 (before a reallocation)
    reg = make_registration(assessor=centre.assessors["standard"], iqa=centre.iqa)
    assess(session, reg, centre.iqa.id, "SE03", signed=False)
    me = actor_of(centre.iqa)
    facts = load_facts(session, centre.cycle)
    own_key = f"I{reg.id}-{facts.refs[next(iter(facts.refs))].standard_id}-{centre.iqa.id}"
    assert len(facts.own_excluded) == 1 and facts.own_excluded[0].endswith(f"-{centre.iqa.id}")
    assert all(not k.endswith(f"-{centre.iqa.id}") for k in facts.refs)
    result = plan_cycle(session, actor=me, cycle_id=centre.cycle.id)
    assert all(s.assessor_id != centre.iqa.id for s in session.exec(select(Sample)).all())
    assert result.gaps.empty
    with pytest.raises(PermissionDenied, match="own assessment decisions"):
        add_sample(session, actor=me, cycle_id=centre.cycle.id, decision_key=facts.own_excluded[0])
    assert own_key  # keys name the deciding person last


def test_disagreement_raises_the_rate_in_the_next_cycle(session, centre) -> None:
    me = actor_of(centre.iqa)
    plan_cycle(session, actor=me, cycle_id=centre.cycle.id)
    standard = centre.assessors["standard"]
    sample = next(s for s in session.exec(select(Sample)).all() if s.assessor_id == standard.id)
    view = sample_view(session, actor=me, sample_id=sample.id)
    review_sample(
        session,
        actor=me,
        sample_id=sample.id,
        outcome="disagree",
        feedback="Observation record does not show P1.",
        checks={view.decisions[0].id: (False, "P1 not observed")},
    )
    # the first cycle has ended; the next one starts the day after
    centre.cycle.end_date = datetime.now(UTC).date() - timedelta(days=1)
    session.add(centre.cycle)
    nxt = create_cycle(
        session,
        actor=me,
        name="C2",
        start=centre.cycle.end_date + timedelta(days=1),
        end=centre.cycle.end_date + timedelta(days=60),
    )
    assess(session, centre.regs[1], standard.id, "SE04", method="WT", kind="witness_testimony",
           at=datetime.now(UTC))  # fmt: skip
    result = plan_cycle(session, actor=me, cycle_id=nxt.id)
    quota = next(q for q in result.plan.quotas if q.assessor.endswith(f"(#{standard.id})"))
    assert quota.status == "under_review" and quota.rate == 0.5
    assert "raised from standard after disagreements" in quota.reason
    reasons = [r for s in result.plan.samples for r in s.reasons]
    assert any("raised from standard after disagreements" in r for r in reasons)
    # nobody else had a disagreement
    assert all("raised" not in q.reason for q in result.plan.quotas if q is not quota)


def test_strategy_is_saved_and_copied_into_new_cycles(session, centre, make_person) -> None:
    me = actor_of(centre.iqa)
    save_strategy(
        session,
        actor=me,
        rates={"new": 1.0, "standard": 0.4, "under_review": 0.6},
        interim=False,
        summative=True,
    )
    assert get_strategy(session).plan.rate("standard") == 0.4
    cycle = create_cycle(session, actor=me, name="C9", start=CYCLE_START, end=CYCLE_END)
    facts = load_facts(session, cycle)
    assert {f.record_type for f in facts.facts} == {"summative"}
    assert centre.cycle.strategy["interim"] is True  # the older cycle keeps its copy
    with pytest.raises(Invalid):
        save_strategy(
            session,
            actor=me,
            rates={"new": 1.5, "standard": 0.2, "under_review": 0.5},
            interim=True,
            summative=True,
        )
    with pytest.raises(PermissionDenied):
        save_strategy(
            session,
            actor=actor_of(make_person("learner")),
            rates={"new": 1.0},
            interim=True,
            summative=True,
        )
    with pytest.raises(Invalid, match="already exists"):
        create_cycle(session, actor=me, name="C9", start=CYCLE_START, end=CYCLE_END)
    with pytest.raises(Invalid, match="ends on or after"):
        create_cycle(session, actor=me, name="C10", start=CYCLE_END, end=CYCLE_START)
