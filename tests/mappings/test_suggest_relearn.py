"""Learning from late decisions: once decisions are committed in a framework, the stored
suggestions of evidence still awaiting a decision there are worked out again in the background,
in batches; a draft or decided evidence is left alone, and the evidence page only reads, in the
same statements, showing the stored suggestions (never none) until the new ones replace them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from delivery.web import learning
from mappings.assessment import claims, relearn, stored
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.models import Claim, Decision, VersionSuggestions
from mappings.engine.suggest import ENGINE_VERSION
from portfolio.models import Evidence, Framework, Person
from portfolio.services import evidence
from tests.conftest import actor_of
from tests.mappings.test_suggest_stored import (
    EVIDENCE_PAGE_STATEMENTS,
    PROFILE,
    _row,
    _section,
)

OTHER = (
    "I visited an employer with J and agreed the tasks of a work trial. We wrote down the support "
    "J would need on the first day."
)


def _claim(session: Session, learner: Person, item: Evidence, code: str) -> Claim:
    """A claim awaiting a decision on ``code`` (``SE04 P1``)."""
    criterion = next(
        c
        for c in claimable_criteria(session, learner.id or 0)
        if f"{c.standard_code} {c.code}" == code
    )
    claim = Claim(
        evidence_id=item.id or 0, criterion_id=criterion.criterion_id, claimed_by=learner.id
    )
    session.add(claim)
    session.commit()
    return claim


def _stored_now(session: Session, factory: Any, item: Evidence) -> VersionSuggestions:
    assert stored.compute(factory, evidence.current_version(session, item).id)
    row = _row(session, item.id)
    assert row is not None
    return row


def _learned(row: VersionSuggestions) -> set[str]:
    return {f"{s['standard']} {s['code']}" for s in row.suggestions if s.get("learned")}


def test_late_decisions_have_awaiting_evidence_worked_out_again_in_the_background(
    client, auth, make_person, make_registration, make_evidence, session, count_queries, monkeypatch
) -> None:
    factory = client.application.extensions["portfolio"].session_factory
    assessor = make_person("assessor")
    waiting = make_person("learner")
    make_registration(learner=waiting, assessor=assessor, codes="SE01,SE03,SE04")
    awaiting = make_evidence(waiting, title="Vocational profile with K", body=PROFILE)
    _claim(session, waiting, awaiting, "SE03 P1")
    draft = make_evidence(waiting, title="Profile, a draft", body=PROFILE, submit=False)
    others = make_person("learner")
    make_registration(learner=others, assessor=assessor, codes="SE01,SE03,SE04")
    to_decide = []
    for i in range(3):
        item = make_evidence(others, title=f"Profile {i}", body=f"{PROFILE} Visit {i}.")
        to_decide.append(_claim(session, others, item, "SE04 P1"))
    unrelated = make_evidence(others, title="Work trial", body=OTHER)  # awaiting, none stored
    decided_before = _claim(session, others, unrelated, "SE01 P1")
    before = _stored_now(session, factory, awaiting)
    draft_row = _stored_now(session, factory, draft)
    assert "SE04 P1" not in _learned(before)  # nothing decided yet
    row_id, seen, draft_seen = before.id, before.decision_id, draft_row.decision_id
    page_of = f"/evidence/{awaiting.id}"  # read once: the counts are the page's alone

    auth.login(waiting)
    with count_queries() as q:
        page = client.get(page_of).get_data(as_text=True)
    assert "<mark>" in _section(page)
    statements_before = q.count

    # N decisions by the assessor's pages; each request queues its framework after its commit
    queued: list[list[int]] = []
    monkeypatch.setattr(learning, "start", queued.append)
    auth.login(assessor)
    for claim in to_decide:
        r = client.post(
            f"/claims/{claim.id}/decision",
            data={"revision": "0", "decision": "accepted", "method": "RA", "feedback": ""},
        )
        assert r.status_code == 302, r.get_data(as_text=True)
    se = session.exec(select(Framework.id).where(Framework.code == "SE")).one()
    assert queued == [[se]] * 3
    newest = session.exec(select(Decision.id).order_by(Decision.id.desc())).first()
    # not yet worked out again: the page shows what is stored (never none), in the same statements
    assert _row(session, awaiting.id).decision_id == seen < newest
    auth.login(waiting)
    with count_queries() as q:
        page = client.get(page_of).get_data(as_text=True)
    assert "<mark>" in _section(page) and "being worked out" not in page
    assert q.count == statements_before == EVIDENCE_PAGE_STATEMENTS

    # the job: the versions awaiting a decision (this one, and the work trial of the other
    # learner, which had none stored), not the draft nor the decided ones, a batch at a time
    assert _row(session, unrelated.id) is None
    assert relearn.relearn(factory, [se], batch=1) == 2
    assert _row(session, unrelated.id).decision_id >= newest
    after = _row(session, awaiting.id)
    assert after is not None and after.id == row_id  # the same row, replaced whole
    assert after.decision_id >= newest > seen
    assert "SE04 P1" in _learned(after)  # it learnt the decisions on near-identical text
    assert _row(session, draft.id).decision_id == draft_seen
    assert relearn.relearn(factory, [se]) == 0  # nothing behind any more
    with count_queries() as q:
        page = client.get(page_of).get_data(as_text=True)
    assert "Learned from your centre's decisions" in _section(page)
    assert q.count == EVIDENCE_PAGE_STATEMENTS

    # and with the real queue (in tests: after the commit, in the request), one more decision
    monkeypatch.undo()
    auth.login(assessor)
    r = client.post(
        f"/claims/{decided_before.id}/decision",
        data={"revision": "0", "decision": "accepted", "method": "RA", "feedback": ""},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    newest = session.exec(select(Decision.id).order_by(Decision.id.desc())).first()
    assert _row(session, awaiting.id).decision_id >= newest


def test_a_framework_waiting_to_relearn_is_queued_once(monkeypatch) -> None:
    started: list[Any] = []
    ran: list[list[int]] = []
    monkeypatch.setattr(relearn.background, "submit", started.append)
    monkeypatch.setattr(relearn, "relearn", lambda _factory, ids: ran.append(list(ids)) or 0)
    monkeypatch.setattr(relearn, "_queued", set())
    relearn.start_thread(lambda: None, [3, 1])
    relearn.start_thread(lambda: None, [1, 3])  # both still waiting: nothing new queued
    assert len(started) == 1
    started[0]()  # the job starts: from now on a new decision queues the framework again
    assert ran == [[1, 3]]
    relearn.start_thread(lambda: None, [1])
    assert len(started) == 2


def _by_version(session: Session, version_id: int) -> VersionSuggestions | None:
    session.expire_all()
    return session.exec(
        select(VersionSuggestions).where(VersionSuggestions.version_id == version_id)
    ).first()


def test_an_item_back_in_draft_has_its_submitted_versions_suggestions_relearnt(
    client, make_person, make_registration, make_evidence, session
) -> None:
    """An item the learner is editing again still awaits a decision on what they submitted: the
    assessor reads (and decides on, and maps from) its newest submitted version, whose stored
    suggestions are the ones behind. The job works those out again (and those of an older engine),
    never the learner's new draft; an item never submitted is still left alone."""
    factory = client.application.extensions["portfolio"].session_factory
    assessor = make_person("assessor")
    learner = make_person("learner")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03,SE04")
    editing = make_evidence(learner, title="Vocational profile with K", body=PROFILE)
    older = make_evidence(learner, title="Profile, older engine", body=f"{PROFILE} Again.")
    never = make_evidence(learner, title="Profile, never submitted", body=PROFILE, submit=False)
    submitted: dict[int, int] = {}
    for item in (editing, older, never):
        _claim(session, learner, item, "SE03 P1")
        submitted[item.id] = _stored_now(session, factory, item).version_id
    row = _by_version(session, submitted[older.id])
    row.engine_version = "0-old"  # stored by an engine since replaced
    session.add(row)
    session.commit()
    for item in (editing, older):  # back in draft: a second version the learner is writing
        evidence.update(
            session,
            actor=actor_of(learner),
            evidence_id=item.id,
            expected_version=1,
            draft=evidence.Draft(
                kind=item.kind,
                title=f"{item.title} (edited)",
                activity_date=item.activity_date,
                body=f"{PROFILE} Edited.",
            ),
        )
        session.commit()
        session.expire_all()
        assert session.get(Evidence, item.id).status == "draft"
    others = make_person("learner")
    make_registration(learner=others, assessor=assessor, codes="SE01,SE03,SE04")
    decided = _claim(
        session, others, make_evidence(others, title="Profile 0", body=PROFILE), "SE04 P1"
    )
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=decided.id,
        expected_revision=0,
        decision="accepted",
        method="RA",
    )
    session.commit()
    newest = session.exec(select(Decision.id).order_by(Decision.id.desc())).first()
    never_seen = _row(session, never.id).decision_id
    se = session.exec(select(Framework.id).where(Framework.code == "SE")).one()

    assert relearn.relearn(factory, [se]) == 2
    for item in (editing, older):
        row = _by_version(session, submitted[item.id])
        assert row.decision_id >= newest and row.engine_version == ENGINE_VERSION, item.title
        draft = evidence.current_version(session, item)
        assert draft.declared_at is None and draft.id != submitted[item.id]
        assert _by_version(session, draft.id) is None  # the learner's draft: not worked out here
    assert _row(session, never.id).decision_id == never_seen  # never submitted: left alone
    assert relearn.relearn(factory, [se]) == 0
