"""Every decision teaches the engine once, even one that commits after a newer decision.

Decision ids are handed out at insert, not at commit: on PostgreSQL two assessors deciding at once
can commit id 101 before 100. The engine used to remember only the newest id it had seen and so
never learnt 100 (until the process restarted). These tests make the late decision in each
database: with explicit ids in the shared session (both databases), and with two real
transactions open at once on PostgreSQL (SQLite takes one writer at a time, so its ids commit in
order).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from mappings.assessment import decided, suggestions
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.decided import Learnt, decided_examples
from mappings.assessment.deciders import framework_of
from mappings.assessment.models import Claim, Decision
from mappings.engine.suggest import SuggestionEngine
from portfolio.models import Evidence, EvidenceVersion, Framework, Person
from portfolio.models.base import utcnow
from portfolio.services import evidence
from tests.conftest import actor_of
from tests.mappings.test_suggest_stored import _learner_with_item, committed  # noqa: F401 - the fixture

PROFILE = (
    "I completed a vocational profile with K, identifying her aspirations, skills and support "
    "needs. I carried out a better-off calculation with her."
)
VISIT = (
    "I visited the bakery with the employer and agreed the reasonable adjustments: a quiet "
    "break room, written task lists and a phased start over four weeks."
)


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    suggestions.reset_cache()
    yield
    suggestions.reset_cache()


def _accepted(session: Session, learner_id: int, evidence_id: int, code: str) -> Claim:
    """The learner's claim of ``evidence_id`` on ``code`` (``SE04 P1``), accepted (flushed)."""
    wanted = next(
        c for c in claimable_criteria(session, learner_id) if f"{c.standard_code} {c.code}" == code
    )
    claim = Claim(
        evidence_id=evidence_id,
        criterion_id=wanted.criterion_id,
        claimed_by=learner_id,
        status="accepted",
    )
    session.add(claim)
    session.flush()
    return claim


def _decision(
    session: Session,
    learner_id: int,
    claim: Claim,
    decision_id: int | None = None,
    status: str = "accepted",
) -> Decision:
    return Decision(
        id=decision_id,
        claim_id=claim.id or 0,
        framework_id=framework_of(session, claim.id or 0),
        actor_id=learner_id,
        old_status="claimed",
        new_status=status,
    )


def _decide(
    session: Session,
    learner: Person,
    item: Evidence,
    code: str,
    *,
    decision_id: int | None = None,
    at_most: timedelta | None = None,
) -> int:
    """Accept ``item``'s claim on ``code`` with a decision row, committed: the decision's id."""
    claim = _accepted(session, learner.id or 0, item.id or 0, code)
    decision = _decision(session, learner.id or 0, claim, decision_id)
    if at_most is not None:
        decision.at = utcnow() - at_most
    session.add(decision)
    session.commit()
    return decision.id or 0


def _knows(engine: SuggestionEngine, title: str, text: str, code: str) -> bool:
    """Whether ``engine`` has this very text accepted for ``code`` (``SE04 P2``) among its examples."""
    found = engine.neighbours(title, text)
    if found is None:
        return False
    index = [f"{c.standard} {c.code}" for c in engine.criteria].index(code)
    return bool(found.max_accepted[index] > 0.99)


def test_a_decision_that_commits_after_a_newer_one_is_learnt(
    make_person, make_registration, make_evidence, session, sample_framework
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04")
    ids = [sample_framework.id or 0]
    profile = make_evidence(learner, title="Profile", body=PROFILE)
    visit = make_evidence(learner, title="Visit", body=VISIT)
    newer = _decide(session, learner, profile, "SE04 P1", decision_id=1000)
    first = suggestions.warm_engine(session, ids)
    assert first.seen == newer and first.learnt == Learnt(0, frozenset({newer}))
    assert _knows(first.engine, "Profile", PROFILE, "SE04 P1")
    assert not _knows(first.engine, "Visit", VISIT, "SE04 P2")
    # a decision given a smaller id commits only now (its transaction began first)
    late = _decide(session, learner, visit, "SE04 P2", decision_id=900)
    second = suggestions.warm_engine(session, ids)
    assert second is not first and second.seen == newer
    assert second.learnt.recent == {late, newer}
    assert _knows(second.engine, "Visit", VISIT, "SE04 P2")
    assert not _knows(first.engine, "Visit", VISIT, "SE04 P2")  # the old engine is unchanged
    assert suggestions.warm_engine(session, ids) is second  # nothing new: learnt once


def test_decisions_settle_and_are_never_learnt_twice(
    make_person, make_registration, make_evidence, session, sample_framework, monkeypatch
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04")
    ids = [sample_framework.id or 0]
    old = _decide(
        session,
        learner,
        make_evidence(learner, title="Profile", body=PROFILE),
        "SE04 P1",
        at_most=timedelta(hours=1),
    )
    new = _decide(session, learner, make_evidence(learner, title="Visit", body=VISIT), "SE04 P2")
    examples, learnt = decided_examples(session, ids)
    assert sorted(e.code for e in examples) == ["P1", "P2"]
    assert learnt == Learnt(old, frozenset({new}))  # the hour-old one has settled
    assert decided_examples(session, ids, learnt) == ([], learnt)
    later = utcnow() + decided.SETTLED_AFTER + timedelta(minutes=1)
    monkeypatch.setattr(decided, "utcnow", lambda: later)
    examples, settled = decided_examples(session, ids, learnt)
    assert examples == [] and settled == Learnt(new, frozenset())  # settled, not learnt again
    assert decided_examples(session, ids, settled) == ([], settled)


def test_what_is_read_does_not_grow_with_the_decisions_before(
    make_person, make_registration, make_evidence, session, sample_framework, count_queries
) -> None:
    """An update reads the decisions above the settled one only: the same statements and the
    same rows whether the centre has 3 settled decisions or 30."""
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    ids = [sample_framework.id or 0]
    criteria = [f"{c.standard_code} {c.code}" for c in claimable_criteria(session, learner.id or 0)]
    reads = []
    done = 0
    for n in (3, 30):
        for code in criteria[done:n]:
            item = make_evidence(learner, title=code, body=PROFILE)
            _decide(session, learner, item, code, at_most=timedelta(hours=2))
        done = n
        _examples, learnt = decided_examples(session, ids)
        visit = make_evidence(learner, title="Visit", body=VISIT)
        _decide(session, learner, visit, criteria[-1 - len(reads)])
        with count_queries() as q:
            examples, now = decided_examples(session, ids, learnt)
        assert [e.text for e in examples] == [VISIT] and len(now.recent - learnt.recent) == 1
        reads.append(q.count)
    assert reads[0] == reads[1]


def test_an_engine_brought_up_to_date_step_by_step_equals_one_built_at_once(
    make_person, make_registration, make_evidence, session, sample_framework
) -> None:
    """Referred on its first text, accepted on its second: each decision teaches about the text
    it judged, so the engine is the same whenever the decisions were learnt (it used to learn
    the current text with the claim's current status: a referral learnt after the learner's
    edit cancelled the acceptance, and a process started later knew neither the referral nor
    that cancelling)."""
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04")
    ids = [sample_framework.id or 0]
    item = make_evidence(learner, title="Profile", body=PROFILE)
    claim = _accepted(session, learner.id or 0, item.id or 0, "SE04 P1")
    claim.status = "referred"
    session.add(_decision(session, learner.id or 0, claim, status="referred"))
    session.commit()
    early, after_referral = decided_examples(session, ids)  # learnt before the learner edits
    second = "Vocational profile with K: we mapped her skills, talents and job goals together."
    actor = actor_of(learner)
    draft = evidence.Draft(
        kind="reflective_account", title="Profile", activity_date=item.activity_date, body=second
    )
    evidence.update(session, actor=actor, evidence_id=item.id or 0, expected_version=1, draft=draft)
    evidence.submit(session, actor=actor, evidence_id=item.id or 0, declaration=True)
    session.commit()
    late, after_edit = decided_examples(session, ids)  # the referral learnt after the edit
    claim.status = "accepted"
    session.add(_decision(session, learner.id or 0, claim))
    session.commit()
    last, _ = decided_examples(session, ids, after_referral)
    assert last == decided_examples(session, ids, after_edit)[0]
    assert [(e.text, e.accepted) for e in early + last] == [(PROFILE, False), (second, True)]
    assert late == early
    everything, _ = decided_examples(session, ids)  # a process started now
    assert everything == early + last
    base = suggestions.build_engine(session, ids)
    built = base.with_examples(everything)
    for steps in (base.with_examples(early).with_examples(last), base.with_examples(late + last)):
        for text in (PROFILE, second, VISIT):
            probe = {"kind": "reflective_account", "title": "Profile", "text": text}
            assert steps.suggest(**probe) == built.suggest(**probe)
            one, other = steps.neighbours("Profile", text), built.neighbours("Profile", text)
            assert one is not None and other is not None
            assert all(
                np.array_equal(a, b) for a, b in zip(astuple(one), astuple(other), strict=True)
            )
    assert _knows(built, "Profile", second, "SE04 P1")
    referred = built.neighbours("Profile", PROFILE)
    assert referred is not None
    p1 = [f"{c.standard} {c.code}" for c in built.criteria].index("SE04 P1")
    assert referred.near_referred[p1] > 0 and referred.vote[p1] < 0  # the first text, referred


# ------------------------------------------------------------------ two transactions at once


def _claim_of(engine: Engine, body: str, code: str) -> tuple[int, Claim]:
    """A new learner on SE04 with one item saying ``body`` and its claim on ``code``, accepted,
    committed without a decision: (learner id, claim)."""
    learner_id, version_id = _learner_with_item(engine, body)
    with Session(engine, expire_on_commit=False) as s:
        version = s.get(EvidenceVersion, version_id)
        assert version is not None
        claim = _accepted(s, learner_id, version.evidence_id, code)
        s.commit()
        return learner_id, claim


def test_two_assessors_deciding_at_once_both_teach_the_engine(
    committed: Engine,  # noqa: F811 - the fixture imported above
    backend: str,
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite takes one writer at a time: its decision ids commit in order")
    first = _claim_of(committed, PROFILE, "SE04 P1")
    second = _claim_of(committed, VISIT, "SE04 P2")
    with Session(committed) as s:
        ids = [s.exec(select(Framework).where(Framework.code == "SE")).one().id or 0]
    with Session(committed) as slow, Session(committed) as quick:
        slow.add(_decision(slow, *first))
        slow.flush()  # its id is handed out now; it commits last
        quick.add(_decision(quick, *second))
        quick.commit()
        with Session(committed) as s:
            before = suggestions.warm_engine(s, ids)
        assert _knows(before.engine, "Profile", VISIT, "SE04 P2")
        assert not _knows(before.engine, "Profile", PROFILE, "SE04 P1")
        slow.commit()
    with Session(committed) as s:
        after = suggestions.warm_engine(s, ids)
        assert len(s.exec(select(Decision)).all()) == 2
    assert after.seen == before.seen  # no newer id: the late one is below it
    assert _knows(after.engine, "Profile", PROFILE, "SE04 P1")
    assert _knows(after.engine, "Profile", VISIT, "SE04 P2")


def test_a_warming_that_repeats_stops_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's warming goes on every minute until the worker ends (a burst's jobs done):
    then it stops instead of reading a database nobody serves any more."""
    import threading

    passes: list[int] = []
    monkeypatch.setattr(suggestions, "warm", lambda factory: passes.append(1) or 0)
    ended = threading.Event()
    thread = suggestions.start_warming(lambda: None, every=0.01, stop=ended)  # type: ignore[arg-type, return-value]
    while len(passes) < 3:
        thread.join(timeout=0.01)
    ended.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    done = len(passes)
    assert done >= 3 and len(passes) == done
