from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.quality.sampling import (
    AssessorFact,
    DecisionFact,
    SamplingStrategy,
    add_sample,
    coverage_by_dimension,
    drop_sample,
    gaps,
    plan_sample,
    quotas,
)

STRATEGY = SamplingStrategy()


def fact(
    i: int,
    assessor: str = "A1",
    site: str = "Leeds",
    methods: tuple[str, ...] = ("O",),
    kinds: tuple[str, ...] = ("observation record",),
    record: str = "summative",
    standard: str = "SE01",
    cohort: str = "C1",
    learner: str | None = None,
) -> DecisionFact:
    return DecisionFact(
        id=f"D{i:03d}",
        learner=learner or f"L{i}",
        cohort=cohort,
        assessor=assessor,
        standard=standard,
        methods=methods,
        evidence_kinds=kinds,
        record_type=record,  # type: ignore[arg-type]
        site=site,
    )


# --- quotas ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "disagreed", "decisions", "required", "reason"),
    [
        ("new", False, 7, 7, "rate: new assessor 100%"),
        ("standard", False, 15, 3, "rate: standard assessor 20%"),  # 0.2 * 15 is 3, not 4
        ("standard", False, 11, 3, "rate: standard assessor 20%"),  # rounds up
        ("standard", False, 1, 1, "rate: standard assessor 20%"),
        ("under_review", False, 3, 2, "rate: under review assessor 50%"),
        (
            "standard",
            True,
            10,
            5,
            "rate: under review assessor 50% (raised from standard after disagreements)",
        ),
        (
            "under_review",
            True,
            4,
            4,
            "rate: new assessor 100% (raised from under review after disagreements)",
        ),
        ("new", True, 4, 4, "rate: new assessor 100%"),  # already at the top
    ],
)
def test_quota_table(status: str, disagreed: bool, decisions: int, required: int, reason: str):
    assessor = AssessorFact("A1", status, disagreed)  # type: ignore[arg-type]
    (q,) = quotas([assessor], [fact(i) for i in range(decisions)], STRATEGY)
    assert (q.decisions, q.required, q.reason) == (decisions, required, reason)


def test_bump_can_be_switched_off():
    strategy = SamplingStrategy(bump_on_disagreement=False)
    (q,) = quotas([AssessorFact("A1", "standard", True)], [fact(i) for i in range(10)], strategy)
    assert q.required == 2


def test_unlisted_assessor_rejected():
    with pytest.raises(ValueError, match="unlisted"):
        plan_sample([], [fact(1)], STRATEGY, seed=1)


def test_duplicate_decision_ids_rejected():
    with pytest.raises(ValueError, match="unique"):
        plan_sample([AssessorFact("A1")], [fact(1), fact(1)], STRATEGY, seed=1)


# --- plans -------------------------------------------------------------------------------


def test_coverage_adds_samples_beyond_quota_with_camera_reasons():
    facts = [fact(i) for i in range(8)] + [fact(8, site="Hull"), fact(9, methods=("WT",))]
    plan = plan_sample([AssessorFact("A1")], facts, STRATEGY, seed=3)
    # quota 2 of 10, but the Hull site and the WT method each live in one decision only
    assert plan.ids() == {"D008", "D009"}
    reasons = {s.decision_id: s.reasons for s in plan.samples}
    assert "rate: standard assessor 20%" in reasons["D008"]
    assert "CAMERA: site Hull" in reasons["D008"]
    assert "CAMERA: method WT" in reasons["D009"]
    assert gaps(plan, facts, STRATEGY).empty


def test_extra_sample_when_quota_cannot_cover():
    facts = [fact(i, site="Leeds") for i in range(10)]
    facts += [fact(10, assessor="B", site="York"), fact(11, assessor="B", kinds=("product",))]
    people = [AssessorFact("A1", "standard"), AssessorFact("B", "standard")]
    plan = plan_sample(people, facts, STRATEGY, seed=0)
    by_assessor = sorted(s.assessor for s in plan.samples)
    # B's one quota sample covers York or product; the other needs a coverage-only sample
    assert by_assessor == ["A1", "A1", "B", "B"]
    extra = [s for s in plan.samples if not any(r.startswith("rate:") for r in s.reasons)]
    assert len(extra) == 1 and extra[0].assessor == "B"


def test_new_assessor_fully_sampled_and_spread_over_learners():
    facts = [fact(i, learner=f"L{i % 3}") for i in range(30)]
    plan = plan_sample([AssessorFact("A1", "under_review")], facts, STRATEGY, seed=5)
    assert len(plan.samples) == 15
    learners = {f.learner for f in facts if f.id in plan.ids()}
    assert learners == {"L0", "L1", "L2"}
    new = plan_sample([AssessorFact("A1", "new")], facts, STRATEGY, seed=5)
    assert new.ids() == {f.id for f in facts}


def test_seed_changes_choice_but_not_size():
    facts = [fact(i) for i in range(50)]
    sizes = set()
    choices = set()
    for seed in range(6):
        plan = plan_sample([AssessorFact("A1")], facts, STRATEGY, seed=seed)
        sizes.add(len(plan.samples))
        choices.add(plan.ids())
    assert sizes == {10} and len(choices) > 1


def test_manual_drop_and_add_reported_by_gaps():
    facts = [fact(i) for i in range(9)] + [fact(9, site="Hull", methods=("PD",))]
    plan = plan_sample([AssessorFact("A1")], facts, STRATEGY, seed=1)
    assert "D009" in plan.ids()
    dropped = drop_sample(plan, "D009")
    g = gaps(dropped, facts, STRATEGY)
    assert g.uncovered == ("CAMERA: method PD", "CAMERA: site Hull")
    assert g.short == ("rate: A1 (standard, 20%) has 1 of 2 samples",)
    readded = add_sample(dropped, "D009", "A1", "manual: Hull visit")
    assert gaps(readded, facts, STRATEGY).empty
    assert readded.samples[-1].manual and readded.samples[-1].reasons == ("manual: Hull visit",)
    assert add_sample(readded, "D009", "A1") == readded
    ghost = add_sample(readded, "D999", "A1")
    assert gaps(ghost, facts, STRATEGY).unknown == ("D999",)


def test_gaps_can_use_current_assessor_statuses():
    facts = [fact(i) for i in range(10)]
    plan = plan_sample([AssessorFact("A1")], facts, STRATEGY, seed=1)
    g = gaps(plan, facts, STRATEGY, assessors=[AssessorFact("A1", "new")])
    assert g.short == ("rate: A1 (new, 100%) has 2 of 10 samples",)


def test_coverage_by_dimension():
    facts = [fact(1), fact(2, site="Hull", record="interim")]
    plan = plan_sample([AssessorFact("A1", "new")], facts, STRATEGY, seed=0)
    table = coverage_by_dimension(plan, facts, STRATEGY)
    assert table["CAMERA: site"] == (2, 2)
    assert table["CAMERA: record"] == (2, 2)
    assert table["coverage: standard"] == (1, 1)


def test_strategy_round_trip_and_validation():
    s = SamplingStrategy.from_dict({"rates": {"standard": 0.25}, "dimensions": ["sites"]})
    assert s.rate("standard") == 0.25 and s.rate("new") == 1.0
    assert SamplingStrategy.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    for bad in ({"rates": {"standard": 2}}, {"rates": {"expert": 0.1}}, {"dimensions": ["x"]}):
        with pytest.raises(ValueError):
            SamplingStrategy.from_dict(bad)


def test_dimensions_restrict_coverage():
    facts = [fact(i) for i in range(9)] + [fact(9, site="Hull")]
    plan = plan_sample([AssessorFact("A1")], facts, SamplingStrategy(dimensions=()), seed=2)
    assert len(plan.samples) == 2  # rate quota only: sites are not part of this strategy


# --- properties ----------------------------------------------------------------------------

assessors_st = st.lists(
    st.builds(
        AssessorFact,
        id=st.sampled_from(["A", "B", "C", "D"]),
        status=st.sampled_from(["new", "standard", "under_review"]),
        had_disagreements_last_cycle=st.booleans(),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda a: a.id,
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[AssessorFact], list[DecisionFact]]:
    people = draw(assessors_st)
    n = draw(st.integers(1, 30))
    facts = []
    for i in range(n):
        facts.append(
            DecisionFact(
                id=f"D{i}",
                learner=draw(st.sampled_from(["L1", "L2", "L3", "L4", "L5"])),
                cohort=draw(st.sampled_from(["C1", "C2"])),
                assessor=draw(st.sampled_from([p.id for p in people])),
                standard=draw(st.sampled_from(["SE01", "SE02", "SE03"])),
                methods=tuple(
                    draw(st.sets(st.sampled_from(["O", "WT", "PD", "Q", "RA"]), max_size=2))
                ),
                evidence_kinds=tuple(
                    draw(
                        st.sets(st.sampled_from(["product", "witness testimony", "RA"]), max_size=2)
                    )
                ),
                record_type=draw(st.sampled_from(["interim", "summative"])),
                site=draw(st.sampled_from(["Leeds", "Hull", "York"])),
            )
        )
    return people, facts


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.integers(0, 2**32))
def test_plan_covers_everything_and_meets_quotas(scenario, seed):
    people, facts = scenario
    plan = plan_sample(people, facts, STRATEGY, seed)
    g = gaps(plan, facts, STRATEGY, assessors=people)
    assert g.empty, g
    ids = [s.decision_id for s in plan.samples]
    assert len(ids) == len(set(ids))
    required = sum(q.required for q in plan.quotas)
    assert len(plan.samples) >= required
    for sample in plan.samples:
        assert sample.reasons  # no sample without a reason
    # every sample beyond the quotas covers something new
    extras = [s for s in plan.samples if not s.reasons[0].startswith("rate:")]
    assert all(s.reasons for s in extras)
    assert len(plan.samples) - required == len(extras)
    for used, present in coverage_by_dimension(plan, facts, STRATEGY).values():
        assert used == present


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_plan_is_reproducible_and_order_free(scenario, seed, rnd: random.Random):
    people, facts = scenario
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    assert plan_sample(people, facts, STRATEGY, seed) == plan_sample(
        list(reversed(people)), shuffled, STRATEGY, seed
    )
