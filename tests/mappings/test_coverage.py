from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.assessment.counts import not_counting
from mappings.assessment.coverage import (
    STATE_RANK,
    STATES,
    ClaimFact,
    CoverageRules,
    CriterionRef,
    StandardCoverage,
    compute_coverage,
    frozen,
    years_before,
)
from portfolio.refs import EvidenceRef

TODAY = date(2024, 6, 15)
RULES = CoverageRules()

P1 = CriterionRef(1, "SE01", "P1", "performance", "agree goals")
P2 = CriterionRef(2, "SE01", "P2", "performance")
K1 = CriterionRef(3, "SE01", "K1", "knowledge")
A1 = CriterionRef(4, "MP1", "AC1", "assessment")
CRITERIA = (P1, P2, K1, A1)


def claim(
    criterion: CriterionRef,
    status: str = "accepted",
    method: str | None = "O",
    when: date = date(2024, 1, 10),
    ref: int = 1,
) -> ClaimFact:
    return ClaimFact(
        criterion_id=criterion.id,
        evidence_id=ref,
        evidence_ref=EvidenceRef(ref, 1),
        evidence_title=f"title E{ref}",
        evidence_kind="observation record",
        activity_date=when,
        status=status,  # type: ignore[arg-type]
        method=method,
        decided_at=datetime(2024, 2, 1, 9, 0) if status != "claimed" else None,
    )


def state(criterion: CriterionRef, *claims: ClaimFact, rules: CoverageRules = RULES) -> str:
    return compute_coverage([criterion], claims, rules, TODAY).criteria[0].state


# --- table tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "method", "expected"),
    [
        (P1, "O", "met"),
        (P1, "WT", "met"),
        (P1, "P", "met"),
        (P1, "o", "met"),  # codes are compared case-insensitively
        (P1, "RA", "referred"),
        (P1, "PD", "referred"),
        (P1, "Q", "referred"),
        (P1, None, "referred"),
        (K1, "RA", "met"),
        (K1, "Q", "met"),
        (K1, "PD", "met"),
        (K1, None, "met"),
        (A1, "RPL", "met"),
    ],
)
def test_method_restriction_by_kind(criterion: CriterionRef, method: str | None, expected: str):
    assert state(criterion, claim(criterion, method=method)) == expected


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (date(2021, 6, 15), "met"),  # exactly three years before today: still current
        (date(2021, 6, 14), "referred"),  # one day older
        (date(2024, 6, 15), "met"),  # today
        (date(2024, 6, 16), "referred"),  # in the future
    ],
)
def test_currency_window_edges(when: date, expected: str):
    assert state(K1, claim(K1, method="RA", when=when)) == expected


def test_currency_none_means_no_limit():
    rules = CoverageRules(currency_years=None)
    assert state(K1, claim(K1, when=date(1990, 1, 1)), rules=rules) == "met"


def test_leap_day_window():
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), "missing"),
        (("claimed",), "awaiting"),
        (("referred",), "referred"),
        (("accepted",), "met"),
        (("referred", "claimed"), "awaiting"),  # a pending decision outranks a referral
        (("referred", "accepted"), "met"),
        (("claimed", "accepted"), "met"),
        (("referred", "claimed", "accepted"), "met"),
    ],
)
def test_state_precedence(statuses: tuple[str, ...], expected: str):
    claims = [claim(P1, status=s, ref=i + 1) for i, s in enumerate(statuses)]
    assert state(P1, *claims) == expected


def test_not_countable_accepted_and_awaiting_is_awaiting():
    c = compute_coverage(
        [P1], [claim(P1, method="RA"), claim(P1, "claimed", ref=2)], RULES, TODAY
    ).criteria[0]
    assert c.state == "awaiting"
    assert c.basis == (EvidenceRef(2, 1),)
    assert "awaiting assessor decision on E2v1" in c.reasons
    assert "accepted only by RA; needs O, WT or P" in c.reasons


def test_reasons_and_basis():
    cov = compute_coverage(
        CRITERIA,
        [
            claim(P1, method="RA", ref=1),
            claim(P1, method="PD", ref=2),
            claim(P2, method="O", when=date(2020, 1, 1), ref=3),
            claim(K1, "referred", method="Q", ref=4),
            claim(K1, "accepted", method="Q", ref=5),
        ],
        RULES,
        TODAY,
    )
    p1, p2, k1, a1 = cov.criteria
    assert (p1.state, p1.reasons) == ("referred", ("accepted only by PD and RA; needs O, WT or P",))
    assert p1.basis == (EvidenceRef(1, 1), EvidenceRef(2, 1))
    assert p2.reasons == ("evidence older than 3 years: E3v1",)
    assert (k1.state, k1.basis, k1.reasons) == ("met", (EvidenceRef(5, 1),), ())
    assert (a1.state, a1.basis, a1.reasons) == ("missing", (), ("no evidence claimed",))

    se01 = cov.for_standard("SE01")
    assert (se01.total, se01.met, se01.awaiting, se01.referred, se01.missing) == (3, 1, 0, 2, 0)
    assert se01.percent_met == pytest.approx(100 / 3)
    assert not se01.complete
    assert [o.criterion.code for o in se01.outstanding] == ["P1", "P2"]
    assert [s.standard for s in cov.standards] == ["SE01", "MP1"]


def test_complete_standard():
    cov = compute_coverage(
        [P1, P2, K1],
        [claim(P1), claim(P2, method="WT"), claim(K1, method="RA")],
        RULES,
        TODAY,
    )
    (se01,) = cov.standards
    assert se01.complete and se01.percent_met == 100.0 and se01.outstanding == ()


def test_unknown_claims_counted_and_ignored():
    ghost = claim(P1)._replace(criterion_id=999)
    cov = compute_coverage([P1], [ghost], RULES, TODAY)
    assert cov.unknown_claims == 1 and cov.criteria[0].state == "missing"


def test_duplicate_criterion_ids_rejected():
    with pytest.raises(ValueError, match="unique"):
        compute_coverage([P1, P1], [], RULES, TODAY)


# --- rules as data -------------------------------------------------------------------------


def test_rules_round_trip_through_json():
    rules = CoverageRules(
        performance_methods=frozenset({"O", "WT"}),
        knowledge_methods=frozenset({"Q", "PD"}),
        currency_years=5,
    )
    again = CoverageRules.from_dict(json.loads(json.dumps(rules.to_dict())))
    assert again == rules
    assert CoverageRules.from_dict({}) == CoverageRules()


def test_rules_custom_method_table():
    rules = CoverageRules.from_dict(
        {"methods": {"O": "observation", "SIM": "simulation"}, "performance_methods": ["sim"]}
    )
    assert rules.method_name("SIM") == "simulation"
    assert state(P1, claim(P1, method="SIM"), rules=rules) == "met"
    assert state(P1, claim(P1, method="O"), rules=rules) == "referred"


@pytest.mark.parametrize(
    "data",
    [
        {"bogus": 1},
        {"performance_methods": ["ZZ"]},
        {"performance_methods": "O"},
        {"currency_years": "3"},
        {"currency_years": -1},
        {"methods": ["O"]},
    ],
)
def test_rules_rejects_bad_data(data: dict[str, object]):
    with pytest.raises(ValueError):
        CoverageRules.from_dict(data)


# --- properties ----------------------------------------------------------------------------

CRITS = [
    CriterionRef(
        i, f"S{i % 3}", f"{'PKA'[i % 3]}{i}", ("performance", "knowledge", "assessment")[i % 3]
    )
    for i in range(9)
]

claims_st = st.builds(
    ClaimFact,
    criterion_id=st.integers(0, 9),  # 9 is unknown
    evidence_id=st.integers(1, 5),
    evidence_ref=st.builds(EvidenceRef, st.integers(1, 4), st.integers(1, 2)),
    evidence_title=st.just("t"),
    evidence_kind=st.sampled_from(["observation record", "product"]),
    activity_date=st.dates(date(2019, 1, 1), date(2024, 12, 31)),
    status=st.sampled_from(["claimed", "accepted", "referred"]),
    method=st.sampled_from([None, "O", "WT", "PD", "Q", "RA", "P", "RPL"]),
    decided_at=st.none(),
)
rules_st = st.builds(
    CoverageRules,
    performance_methods=st.sampled_from([None, frozenset({"O", "WT", "P"}), frozenset({"O"})]),
    knowledge_methods=st.sampled_from([None, frozenset({"Q", "PD"})]),
    currency_years=st.sampled_from([None, 0, 1, 3]),
)


def total_met(claims: list[ClaimFact], rules: CoverageRules) -> tuple[int, list[int]]:
    cov = compute_coverage(CRITS, claims, rules, TODAY)
    return sum(s.met for s in cov.standards), [STATE_RANK[c.state] for c in cov.criteria]


@settings(max_examples=150, deadline=None)
@given(st.lists(claims_st, max_size=25), rules_st, st.integers(0, 8), st.data())
def test_adding_countable_claim_never_lowers(claims, rules, target, data):
    crit = CRITS[target]
    allowed = rules.allowed_methods(crit.kind)
    method = data.draw(st.sampled_from(sorted(allowed)) if allowed else st.just("RA"))
    new = claim(crit, "accepted", method=method, when=TODAY, ref=9)
    before_met, before_rank = total_met(claims, rules)
    after_met, after_rank = total_met([*claims, new], rules)
    assert after_met >= before_met
    assert all(a >= b for a, b in zip(after_rank, before_rank, strict=True))
    assert after_rank[target] == STATE_RANK["met"]


@settings(max_examples=150, deadline=None)
@given(st.lists(claims_st, min_size=1, max_size=25), rules_st, st.data())
def test_referring_a_claim_never_raises(claims, rules, data):
    i = data.draw(st.integers(0, len(claims) - 1))
    referred = list(claims)
    referred[i] = claims[i]._replace(status="referred")
    before_met, before_rank = total_met(claims, rules)
    after_met, after_rank = total_met(referred, rules)
    assert after_met <= before_met
    assert all(a <= b for a, b in zip(after_rank, before_rank, strict=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(claims_st, max_size=25), rules_st)
def test_every_criterion_in_exactly_one_state(claims, rules):
    cov = compute_coverage(CRITS, claims, rules, TODAY)
    assert len(cov.criteria) == len(CRITS)
    assert sorted(c.criterion.id for c in cov.criteria) == [c.id for c in CRITS]
    assert all(c.state in STATES for c in cov.criteria)
    for s in cov.standards:
        assert s.met + s.awaiting + s.referred + s.missing == s.total
        assert len(s.outstanding) == s.total - s.met
        assert s.complete == (s.met == s.total)
    assert sum(s.total for s in cov.standards) == len(CRITS)
    assert sum(cov.counts().values()) == len(CRITS)
    assert (cov.criteria[0].state == "met") == (cov.criteria[0].reasons == ())


@settings(max_examples=150, deadline=None)
@given(st.lists(claims_st, max_size=25), rules_st, st.randoms(use_true_random=False))
def test_independent_of_claim_order(claims, rules, rnd):
    shuffled = list(claims)
    rnd.shuffle(shuffled)
    assert compute_coverage(CRITS, claims, rules, TODAY) == compute_coverage(
        CRITS, shuffled, rules, TODAY
    )


@given(st.lists(claims_st, max_size=30), rules_st)
def test_state_counts_agree_with_full_coverage(claims, rules):
    from mappings.assessment.counts import state_counts

    full = compute_coverage(CRITS, claims, rules, TODAY)
    counts, awaiting = state_counts(
        CRITS, [(c.criterion_id, c.status, c.method, c.activity_date) for c in claims], rules, TODAY
    )

    def strip(s: StandardCoverage) -> tuple[object, ...]:
        return (s.standard, s.total, s.met, s.awaiting, s.referred, s.not_counting, s.missing,
                s.complete)  # fmt: skip

    assert [strip(s) for s in counts] == [strip(s) for s in full.standards]
    # not counting: of the referred, those with an accepted claim (none of which counts)
    for s in full.standards:
        assert s.not_counting == sum(map(not_counting, s.outstanding)) <= s.referred
    known = {c.id for c in CRITS}
    assert awaiting == sum(1 for c in claims if c.status == "claimed" and c.criterion_id in known)
    listed, _ = state_counts(
        CRITS,
        [(c.criterion_id, c.status, c.method, c.activity_date) for c in claims],
        rules,
        TODAY,
        outstanding=True,
    )
    assert [[(o.criterion, o.state) for o in s.outstanding] for s in listed] == [
        [(o.criterion, o.state) for o in s.outstanding] for s in full.standards
    ]
    assert all(s.outstanding == () for s in counts)


@given(st.lists(claims_st, max_size=30), rules_st)
def test_criterion_states_agree_with_full_coverage(claims, rules):
    """The evidence page's checklist reads each criterion's state from the light path."""
    from mappings.assessment.counts import criterion_states_of

    full = compute_coverage(CRITS, claims, rules, TODAY)
    states, awaiting = criterion_states_of(
        CRITS, [(c.criterion_id, c.status, c.method, c.activity_date) for c in claims], rules, TODAY
    )
    assert states == {c.criterion.id: c.state for c in full.criteria}
    assert list(states) == [c.id for c in CRITS]
    known = {c.id for c in CRITS}
    assert awaiting == sum(1 for c in claims if c.status == "claimed" and c.criterion_id in known)


@pytest.mark.parametrize("shared", [False, True])
def test_claims_are_listed_in_the_full_key_order_without_formatting_times(shared: bool) -> None:
    """The shorter sort key (evidence items not shared) gives the full key's order."""
    import random

    from mappings.assessment.coverage import _claim_key

    rnd = random.Random(3)
    claims = []
    for n in range(60):
        ref = rnd.randrange(1, 20) if shared else n + 1
        claims.append(
            claim(P1, rnd.choice(("accepted", "referred", "claimed")),
                  rnd.choice(("O", "PD", None)), date(2024, 1, rnd.randrange(1, 4)), ref)._replace(
                evidence_ref=EvidenceRef(ref, rnd.randrange(1, 3)),
                decided_at=datetime(2024, 2, rnd.randrange(1, 28), 9, 0),
            )
        )  # fmt: skip
    listed = compute_coverage([P1], claims, RULES, TODAY).criteria[0].claims
    assert [c.claim for c in listed] == sorted(claims, key=_claim_key)


def test_frozen_makes_the_instance_the_constructor_makes_and_wants_every_field() -> None:
    made = frozen(CriterionRef, 7, "SE01", "P1", "performance", "Greet the job seeker")
    assert made == CriterionRef(7, "SE01", "P1", "performance", "Greet the job seeker")
    assert hash(made) == hash(CriterionRef(7, "SE01", "P1", "performance", "Greet the job seeker"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.code = "P2"  # type: ignore[misc]
    with pytest.raises(ValueError):
        frozen(CriterionRef, 7, "SE01", "P1", "performance")  # the text left out
