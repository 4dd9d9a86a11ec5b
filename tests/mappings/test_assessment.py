"""Mapping, decisions (appended, concurrent-safe), VACSR, coverage from the database, sign-off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Connection
from sqlmodel import Session, select

from mappings.assessment import claims, declarations, signoff
from mappings.assessment.models import Claim, Decision, SignOff, SignOffEvidence
from mappings.assessment.standing import load_standings, registrations_of_learner
from portfolio.errors import Conflict, Invalid, NotFound, PermissionDenied
from portfolio.models import EvidenceVersion
from tests.conftest import actor_of


@pytest.fixture
def case(make_person, make_registration, make_evidence):
    learner = make_person("learner")
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01,SE03,SE04")
    return learner, assessor, iqa, reg


def _criteria(session, learner, standard, *codes):
    found = [
        c for c in claims.claimable_criteria(session, learner.id) if c.standard_code == standard
    ]
    return [c.criterion_id for c in found if not codes or c.code in codes]


def test_claimable_criteria_are_those_of_registered_standards(session, case) -> None:
    learner, *_ = case
    found = claims.claimable_criteria(session, learner.id)
    assert {c.standard_code for c in found} == {"SE01", "SE03", "SE04"}
    assert len([c for c in found if c.standard_code == "SE01"]) == 13 + 15


def test_identical_criteria_across_standards_are_offered_together(session, case) -> None:
    learner, *_ = case
    found = claims.claimable_criteria(session, learner.id)
    pairs = claims.twins(found)
    se03_p3 = next(c for c in found if c.standard_code == "SE03" and c.code == "P3")
    assert [(t.standard_code, t.code) for t in pairs[se03_p3.criterion_id]] == [("SE04", "P6")]


def test_learner_maps_own_evidence_and_not_to_unregistered_standards(
    session, case, make_evidence, sample_framework
) -> None:
    learner, *_ = case
    item = make_evidence(learner)
    ids = _criteria(session, learner, "SE01", "P1", "P2")
    added, removed = claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids
    )
    assert sorted(added) == sorted(ids) and removed == []
    other = claims.claimable_criteria(session, learner.id)
    from portfolio.models import Criterion, Standard

    se02 = session.exec(select(Criterion).join(Standard).where(Standard.code == "SE02")).first()
    with pytest.raises(Invalid):
        claims.set_claims(
            session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=[se02.id]
        )
    assert len(other) > 0


def test_another_learner_cannot_map_my_evidence(session, case, make_evidence, make_person) -> None:
    learner, *_ = case
    item = make_evidence(learner)
    with pytest.raises(NotFound):
        claims.set_claims(
            session, actor=actor_of(make_person("learner")), evidence_id=item.id, criterion_ids=[]
        )


def _claim(session, learner, item, standard, code) -> Claim:
    ids = _criteria(session, learner, standard, code)
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids)
    session.commit()
    return session.exec(select(Claim).where(Claim.evidence_id == item.id)).one()


def test_decisions_are_appended_and_history_kept(session, case, make_evidence) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner)
    claim = _claim(session, learner, item, "SE01", "K1")
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id,
        expected_revision=0,
        decision="referred",
        method="RA",
        feedback="Say which code you follow.",
    )
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=claim.id,
        expected_revision=1,
        decision="accepted",
        method="PD",
    )
    history = session.exec(
        select(Decision).where(Decision.claim_id == claim.id).order_by(Decision.id)
    ).all()
    assert [(d.old_status, d.new_status, d.method) for d in history] == [
        ("claimed", "referred", "RA"),
        ("referred", "accepted", "PD"),
    ]
    session.refresh(claim)
    assert claim.status == "accepted" and claim.revision == 2


def test_only_the_allocated_assessor_decides(session, case, make_evidence, make_person) -> None:
    learner, _assessor, iqa, _ = case
    item = make_evidence(learner)
    claim = _claim(session, learner, item, "SE01", "K1")
    for who in (learner, iqa, make_person("assessor")):
        with pytest.raises((PermissionDenied, NotFound)):
            claims.decide(
                session,
                actor=actor_of(who),
                claim_id=claim.id,
                expected_revision=0,
                decision="accepted",
                method="PD",
            )


def test_referral_needs_feedback_and_method_must_be_known(session, case, make_evidence) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner)
    claim = _claim(session, learner, item, "SE01", "K1")
    with pytest.raises(Invalid, match="Say what is missing"):
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=0,
            decision="referred",
            method="PD",
        )
    with pytest.raises(Invalid, match="Unknown assessment method"):
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=0,
            decision="accepted",
            method="XX",
        )


def test_two_assessors_deciding_at_once_one_wins_the_other_is_told(
    engine, session, case, make_evidence, make_person, connection: Connection
) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner)
    claim = _claim(session, learner, item, "SE01", "K1")
    # two requests read the claim at revision 0; the first decision lands, the second is refused
    first = Session(bind=connection, join_transaction_mode="create_savepoint")
    second = Session(bind=connection, join_transaction_mode="create_savepoint")
    claims.decide(
        first,
        actor=actor_of(assessor),
        claim_id=claim.id,
        expected_revision=0,
        decision="accepted",
        method="PD",
    )
    first.commit()
    with pytest.raises(Conflict):
        claims.decide(
            second,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=0,
            decision="referred",
            method="PD",
            feedback="late",
        )
    second.rollback()
    decisions = session.exec(select(Decision).where(Decision.claim_id == claim.id)).all()
    assert [d.new_status for d in decisions] == ["accepted"]


def test_vacsr_failing_flag_needs_a_note(session, case, make_evidence) -> None:
    learner, assessor, *_ = case
    item = make_evidence(learner)
    flags = {
        "valid": True,
        "authentic": True,
        "current": False,
        "sufficient": True,
        "reliable": True,
    }
    with pytest.raises(Invalid, match="current"):
        claims.judge(session, actor=actor_of(assessor), evidence_id=item.id, flags=flags)
    j = claims.judge(
        session,
        actor=actor_of(assessor),
        evidence_id=item.id,
        flags=flags,
        note="Activity was four years ago.",
    )
    assert j.current is False and j.version_number == 1


def test_vacsr_judges_the_submitted_version_never_a_draft(session, case, make_evidence) -> None:
    """A version not yet submitted is not before the assessor: never submitted, nothing to judge;
    edited into a new draft, the judgement is of the version submitted."""
    from portfolio.services import evidence as evidence_service

    learner, assessor, *_ = case
    flags = dict.fromkeys(claims.VACSR, True)
    draft = make_evidence(learner, submit=False)
    with pytest.raises(Invalid, match="not been submitted"):
        claims.judge(session, actor=actor_of(assessor), evidence_id=draft.id, flags=flags)
    item = make_evidence(learner)
    evidence_service.update(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        expected_version=1,
        draft=evidence_service.Draft(
            kind=item.kind, title="Rewritten", activity_date=date.today(), body="Changed."
        ),
    )
    assert item.current_version == 2
    j = claims.judge(session, actor=actor_of(assessor), evidence_id=item.id, flags=flags)
    assert j.version_number == 1


def learner_declares(session, learner, standard):
    """The learner confirms their declaration for ``standard`` (of their first registration)."""
    [reg_id, *_] = registrations_of_learner(session, learner.id)
    declarations.declare(
        session, actor=actor_of(learner), registration_id=reg_id, standard_code=standard
    )
    session.commit()


def _accept_all(
    session,
    learner,
    assessor,
    make_evidence,
    standard,
    *,
    kind="observation_record",
    declare=True,
):
    """Meet every criterion of ``standard`` with one observation (P) and one discussion (K),
    and (unless ``declare`` is false) have the learner confirm their declaration for it."""
    obs = make_evidence(learner, kind=kind, title="Observed", author=assessor)
    pd = make_evidence(learner, kind="professional_discussion", title="Discussed", author=assessor)
    found = [
        c for c in claims.claimable_criteria(session, learner.id) if c.standard_code == standard
    ]
    p_ids = [c.criterion_id for c in found if c.kind == "performance"]
    k_ids = [c.criterion_id for c in found if c.kind == "knowledge"]
    # assessor-written evidence is mapped by the assessor and judged by another assessor in real
    # centres; here the learner's own reflective account carries the claims instead
    ra = make_evidence(learner, title="My account")
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=ra.id, criterion_ids=p_ids + k_ids
    )
    session.commit()
    for claim in session.exec(select(Claim).where(Claim.evidence_id == ra.id)).all():
        method = "O" if claim.criterion_id in p_ids else "PD"
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision="accepted",
            method=method,
        )
    session.commit()
    if declare:
        learner_declares(session, learner, standard)
    return ra, obs, pd


def test_coverage_from_database_follows_rules(session, case, make_evidence) -> None:
    learner, assessor, _iqa, reg = case
    item = make_evidence(learner)
    p1 = _claim(session, learner, item, "SE01", "P1")
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=p1.id,
        expected_revision=0,
        decision="accepted",
        method="RA",
    )
    standing = load_standings(session, [reg.id])[0]
    info, cov = standing.standard("SE01")
    state = {
        c.criterion.code: c.state
        for c in standing.coverage.criteria
        if c.criterion.standard == "SE01"
    }
    # a performance criterion accepted only by reflective account does not count by default
    assert state["P1"] == "referred"
    assert cov.met == 0 and cov.total == 28
    assert standing.rag in ("green", "amber", "red")


def test_criterion_states_are_those_of_the_full_coverage(session, case, make_evidence) -> None:
    """The evidence page's checklist reads the states from the light query: the same states,
    met, awaiting, referred and missing, as the full coverage gives, and "uncounted" where the
    full coverage's criterion is not counting (accepted by a method that does not count)."""
    from mappings.assessment.counts import not_counting
    from mappings.assessment.criterion_states import criterion_states

    learner, assessor, _iqa, reg = case
    decided = [("P1", "accepted", "RA"), ("P2", "accepted", "O"), ("P3", "referred", "O")]
    for code, decision, method in decided:
        claim = _claim(session, learner, make_evidence(learner), "SE01", code)
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=0,
            decision=decision,
            method=method,
            feedback="Show it at work." if decision == "referred" else "",
        )
    _claim(session, learner, make_evidence(learner), "SE01", "P4")  # awaiting a decision
    full = {
        c.criterion.id: "uncounted" if not_counting(c) else c.state
        for c in load_standings(session, [reg.id])[0].coverage.criteria
    }
    criteria = [(c.framework_id, c.ref) for c in claims.claimable_criteria(session, learner.id)]
    states = criterion_states(session, learner.id, criteria)
    assert states == full
    assert {"met", "awaiting", "referred", "missing", "uncounted"} <= set(states.values())


def test_criterion_states_fold_many_claims_as_the_full_coverage_judges_them(
    session, case, make_evidence
) -> None:
    """The checklist's states are read folded in the database, a row per criterion, status and
    method: still the full coverage's states when a criterion's accepted claims are too old, later
    than the day asked about, both, or one of them inside the currency window, and a draft's
    claims count nowhere. Asked about today and about ten days ago (the week-old activity is
    then in the future)."""
    from mappings.assessment.counts import not_counting
    from mappings.assessment.criterion_states import criterion_states

    learner, assessor, _iqa, reg = case
    today = date.today()
    dated = {
        "old": today - timedelta(days=4 * 366),  # older than the three years that count
        "week": today - timedelta(days=7),
        "month": today - timedelta(days=30),
    }
    items = {name: make_evidence(learner, title=name, activity_date=d) for name, d in dated.items()}
    items["other old"] = make_evidence(learner, title="other old", activity_date=dated["old"])
    on = {  # item -> the SE01 criteria it claims and what is decided of each
        "old": {"P1": ("accepted", "O"), "P2": ("accepted", "O"), "P4": ("accepted", "O")},
        "other old": {"P1": ("accepted", "O")},
        "week": {"P2": ("accepted", "O"), "P4": ("accepted", "O"), "P5": ("accepted", "O"),
                 "P6": ("referred", "O"), "P7": ("accepted", "RA"), "K2": ("accepted", "RA")},
        "month": {"P5": ("accepted", "O"), "P6": None, "P7": ("referred", "O"),
                  "K2": ("accepted", "Q")},
    }  # fmt: skip
    for name, decided in on.items():
        ids = _criteria(session, learner, "SE01", *decided)
        claims.set_claims(session, actor=actor_of(learner), evidence_id=items[name].id,
                          criterion_ids=ids)  # fmt: skip
        session.commit()
        code_of = {_criteria(session, learner, "SE01", code)[0]: code for code in decided}
        for claim in session.exec(select(Claim).where(Claim.evidence_id == items[name].id)):
            code = code_of[claim.criterion_id]
            if decided[code] is not None:
                claims.decide(
                    session,
                    actor=actor_of(assessor),
                    claim_id=claim.id,
                    expected_revision=0,
                    decision=decided[code][0],
                    method=decided[code][1],
                    feedback="Show it at work." if decided[code][0] == "referred" else "",
                )
    draft = make_evidence(learner, submit=False, title="draft")
    _claim(session, learner, draft, "SE01", "K1")  # a draft's claim: K1 stays missing
    session.commit()
    criteria = [(c.framework_id, c.ref) for c in claims.claimable_criteria(session, learner.id)]
    codes = {ref.id: ref.code for _, ref in criteria if ref.standard == "SE01"}
    for day in (today, today - timedelta(days=10)):
        full = {
            c.criterion.id: "uncounted" if not_counting(c) else c.state
            for c in load_standings(session, [reg.id], day)[0].coverage.criteria
        }
        states = criterion_states(session, learner.id, criteria, day)
        assert states == full, day
        shown = {codes[cid]: state for cid, state in states.items() if cid in codes}
        assert shown["P1"] == "uncounted" and shown["K1"] == "missing"
        assert shown["P6"] == "awaiting" and shown["P7"] == "uncounted"
        assert shown["P5"] == "met" and shown["K2"] == "met"
        # accepted long ago and a week ago: met today; ten days ago, too old or not yet
        assert shown["P2"] == shown["P4"] == ("met" if day == today else "uncounted")


def test_one_standard_alone_is_judged_as_in_the_whole_registration(
    session, case, make_evidence
) -> None:
    """A standard's page judges that standard alone: its criteria, states, reasons and counts
    are those of the whole registration's coverage; the other standards are not judged."""
    from mappings.assessment.standing import find_standard, learner_standings

    learner, assessor, _iqa, reg = case
    for code, decision in (("P1", "accepted"), ("P2", "referred")):
        claim = _claim(session, learner, make_evidence(learner), "SE01", code)
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=0,
            decision=decision,
            method="O",
            feedback="Show it at work." if decision == "referred" else "",
        )
    _claim(session, learner, make_evidence(learner), "SE03", "P1")
    [whole] = learner_standings(session, learner.id)
    alone = find_standard(session, learner.id, "SE01", alone=True)
    assert alone is not None and alone.registration.id == reg.id
    assert alone.standard("SE01") == whole.standard("SE01")
    assert alone.coverage.criteria == tuple(
        c for c in whole.coverage.criteria if c.criterion.standard == "SE01"
    )
    assert alone.standards == whole.standards and alone.standard("SE03") is None
    assert find_standard(session, learner.id, "SE99", alone=True) is None


def test_signoff_refused_until_complete_then_frozen(session, case, make_evidence) -> None:
    learner, assessor, _iqa, reg = case
    with pytest.raises(Invalid, match="cannot be signed off"):
        signoff.sign_off(
            session,
            actor=actor_of(assessor),
            registration_id=reg.id,
            standard_code="SE03",
            summary="x",
            assessor_declaration=True,
        )
    ra, _obs, _pd = _accept_all(session, learner, assessor, make_evidence, "SE03")
    with pytest.raises(Invalid, match="declaration"):
        signoff.sign_off(
            session,
            actor=actor_of(assessor),
            registration_id=reg.id,
            standard_code="SE03",
            summary="x",
            assessor_declaration=False,
        )
    result = signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code="SE03",
        summary="Competent throughout.",
        assessor_declaration=True,
    )
    session.commit()
    record = result.signoff
    assert record.status == "signed" and len(record.evidence_set_sha256) == 64
    frozen = session.exec(
        select(SignOffEvidence).where(SignOffEvidence.signoff_id == record.id)
    ).all()
    assert len(frozen) == 1
    assert signoff.frozen_evidence_intact(session, record.id) == []
    # a silent change to the stored evidence is caught
    version = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == ra.id)
    ).one()
    version.body = "tampered"
    session.add(version)
    session.flush()
    assert signoff.frozen_evidence_intact(session, record.id) == [
        f"E{ra.id}v1 changed after sign-off"
    ]
    standing = load_standings(session, [reg.id])[0]
    assert standing.standard("SE03")[0].signoff is not None
    with pytest.raises(Invalid, match="already signed off"):
        signoff.sign_off(
            session,
            actor=actor_of(assessor),
            registration_id=reg.id,
            standard_code="SE03",
            summary="again",
            assessor_declaration=True,
        )


def test_reopen_needs_a_reason_and_the_right_person(
    session, case, make_evidence, make_person
) -> None:
    learner, assessor, iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03")
    record = signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code="SE03",
        summary="ok",
        assessor_declaration=True,
    ).signoff
    with pytest.raises(PermissionDenied):
        signoff.reopen(session, actor=actor_of(learner), signoff_id=record.id, reason="x")
    with pytest.raises(Invalid, match="reason"):
        signoff.reopen(session, actor=actor_of(iqa), signoff_id=record.id, reason=" ")
    signoff.reopen(
        session, actor=actor_of(iqa), signoff_id=record.id, reason="IQA disagrees with K4 decision"
    )
    assert session.get(SignOff, record.id).status == "reopened"
    assert load_standings(session, [reg.id])[0].standard("SE03")[0].signoff is None


def test_the_learner_is_told_their_standard_was_reopened(session, case, make_evidence) -> None:
    """Reopening withdraws the sign-off and its badge: the learner is told (the IQA's reopening
    too), the earlier "signed off" notice no longer waits unread, and signing off again tells
    them again."""
    from portfolio.models import Notification

    learner, assessor, iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03")

    def sign() -> SignOff:
        return signoff.sign_off(
            session,
            actor=actor_of(assessor),
            registration_id=reg.id,
            standard_code="SE03",
            summary="ok",
            assessor_declaration=True,
        ).signoff

    def unread() -> list[str]:
        return list(
            session.exec(
                select(Notification.text)
                .where(Notification.person_id == learner.id, Notification.read_at.is_(None))
                .order_by(Notification.id)
            )
        )

    record = sign()
    assert [t for t in unread() if "SE03" in t] == [
        f"{assessor.name} signed off SE03 Assist prospective job seekers to aspire to paid "
        "employment: your sign-off record is on its page."
    ]
    signoff.reopen(session, actor=actor_of(iqa), signoff_id=record.id, reason="K4 unclear")
    told = [t for t in unread() if "SE03" in t]
    assert told == [
        f"{iqa.name} reopened SE03 Assist prospective job seekers to aspire to paid employment: "
        "it is no longer signed off, and its sign-off record and any badge for it are withdrawn "
        "until it is signed off again."
    ]
    sign()
    assert [t for t in unread() if "SE03" in t][-1].startswith(f"{assessor.name} signed off SE03")


def test_currency_window_makes_old_evidence_not_count(session, case, make_evidence) -> None:
    learner, assessor, _iqa, reg = case
    old = make_evidence(learner, activity_date=date.today() - timedelta(days=4 * 365))
    k1 = _claim(session, learner, old, "SE01", "K1")
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=k1.id,
        expected_revision=0,
        decision="accepted",
        method="PD",
    )
    standing = load_standings(session, [reg.id])[0]
    k1_state = next(
        c
        for c in standing.coverage.criteria
        if c.criterion.standard == "SE01" and c.criterion.code == "K1"
    )
    assert k1_state.state == "referred"
    assert any("older than 3 years" in r for r in k1_state.reasons)


def test_a_signed_standard_cannot_be_taken_off_the_registration(
    session, case, make_evidence
) -> None:
    from portfolio.services import registrations
    from portfolio.services.people import SYSTEM

    learner, assessor, iqa, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE03")
    signoff.sign_off(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        standard_code="SE03",
        summary="ok",
        assessor_declaration=True,
    )
    session.commit()
    with pytest.raises(Invalid, match="SE03 is signed off"):
        registrations.update_allocation(
            session,
            actor=SYSTEM,
            registration_id=reg.id,
            assessor_id=assessor.id,
            iqa_id=iqa.id,
            standard_codes=["SE01", "SE04"],
        )
    # taking off an unsigned standard is fine
    registrations.update_allocation(
        session,
        actor=SYSTEM,
        registration_id=reg.id,
        assessor_id=assessor.id,
        iqa_id=iqa.id,
        standard_codes=["SE01", "SE03"],
    )
    assert registrations.registration_codes(session, reg.id) == ["SE01", "SE03"]
