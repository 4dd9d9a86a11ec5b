# ruff: noqa: F811 - the case fixture comes from the completion tests
"""Once a learner's personal data is erased, what is kept of their evidence is the awarding
body's record: its claims are no longer mapped or decided, its VACSR judgement not recorded, its
standards neither signed off nor reopened (the services refuse, 422 on the pages, nothing
written), and their claims leave the marking queue and every count of claims awaiting a
decision."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from delivery.web.admin.figures import centre_figures
from mappings.assessment import claims, plans, signoff
from mappings.assessment.models import AssessmentPlan, Claim, Decision, Judgement, SignOff
from mappings.assessment.queue import marking_queue
from mappings.privacy.requests import erase_person
from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Evidence
from portfolio.words import day_words
from tests.conftest import actor_of
from tests.delivery.test_completed import _sign, case  # noqa: F401
from tests.delivery.test_password_reset import inbox, mail_app  # noqa: F401 - fixtures
from tests.mappings.test_assessment import learner_declares

TODAY = date.today()
REFUSED = f"The learner's personal data was erased on {day_words(TODAY)}"


@pytest.fixture
def erased(session, case, make_person, make_evidence):
    """Dora's SE01 signed off (its evidence kept), SE03 complete but not signed, and a new item
    of hers claiming two SE03 criteria awaiting a decision; then her data is erased."""
    dora, assessor = case["learner"], case["assessor"]
    _sign(session, case, "SE01")
    item = make_evidence(dora, title="Dora's afterthought", submit=False)
    found = [c for c in claims.claimable_criteria(session, dora.id) if c.standard_code == "SE03"]
    claims.set_claims(
        session, actor=actor_of(dora), evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in found][:2],
    )  # fmt: skip
    from portfolio.services import evidence as evidence_service

    evidence_service.submit(session, actor=actor_of(dora), evidence_id=item.id, declaration=True)
    session.commit()
    awaiting = session.exec(select(Claim).where(Claim.evidence_id == item.id)).all()
    assert marking_queue(session, actor=actor_of(assessor), learner_id=dora.id).total == 1
    admin = make_person("admin")
    erase_person(session, actor=actor_of(admin), person_id=dora.id, store=None)
    session.commit()
    kept = session.exec(
        select(Evidence).where(Evidence.learner_id == dora.id, Evidence.erased_at.is_(None))
    ).all()
    assert kept  # SE01's evidence, behind its sign-off
    return {**case, "item": item, "awaiting": awaiting, "kept": kept, "found": found}


def _written(session) -> tuple[int, int, int]:
    session.rollback()
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Decision, Judgement, SignOff)
    )


def test_the_services_refuse_work_on_an_erased_learners_evidence(session, erased) -> None:
    me = actor_of(erased["assessor"])
    before = _written(session)
    claim = erased["awaiting"][0]
    attempts = {
        "decide": lambda: claims.decide(
            session, actor=me, claim_id=claim.id, expected_revision=claim.revision,
            decision="accepted", method="O",
        ),
        "decide_many": lambda: claims.decide_many(
            session, actor=me, evidence_id=erased["item"].id,
            choices=[claims.DecisionChoice(c.id, c.revision, "accepted", "O")
                     for c in erased["awaiting"]],
        ),
        "judge": lambda: claims.judge(
            session, actor=me, evidence_id=erased["item"].id, flags=dict.fromkeys(claims.VACSR, True)
        ),
        "map": lambda: claims.set_claims(
            session, actor=me, evidence_id=erased["kept"][0].id,
            criterion_ids=[c.criterion_id for c in erased["found"]],
        ),
        "sign": lambda: _sign(session, erased, "SE03"),
        "reopen": lambda: signoff.reopen(
            session, actor=actor_of(erased["iqa"]),
            signoff_id=session.exec(select(SignOff.id)).first(), reason="Recheck",
        ),
    }  # fmt: skip
    for what, attempt in attempts.items():
        with pytest.raises(Invalid, match=REFUSED) as refused:
            attempt()
        assert "awarding body's record" in str(refused.value), what
        assert _written(session) == before, what
    assert all(c.status == "claimed" for c in session.exec(select(Claim).where(
        Claim.evidence_id == erased["item"].id)))  # fmt: skip
    assert session.exec(select(SignOff.status)).all() == ["signed"]


def test_the_pages_refuse_with_422(session, client, auth, erased) -> None:
    before = _written(session)
    auth.login(erased["assessor"])
    claim = erased["awaiting"][0]
    dora = erased["learner"]
    posts = {
        f"/claims/{claim.id}/decision": {
            "revision": str(claim.revision), "decision": "accepted", "method": "O",
        },
        f"/evidence/{erased['item'].id}/judgement": {
            name: "y" for name in claims.VACSR
        },
        f"/learners/{dora.id}/standards/SE03/signoff": {
            "summary": "Competent throughout.", "assessor_declaration": "y",
        },
    }  # fmt: skip
    for path, data in posts.items():
        r = client.post(path, data=data)
        assert r.status_code == 422, (path, r.status_code, r.headers.get("Location"))
        assert "personal data was erased on" in r.get_data(as_text=True), path
    session.expire_all()
    assert (
        tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Decision, Judgement, SignOff)
        )
        == before
    )


def test_an_erased_learners_claims_await_no_decision(session, erased) -> None:
    assessor = erased["assessor"]
    assert marking_queue(session, actor=actor_of(assessor)).total == 0
    figures = {f.label: f for f in centre_figures(session, today=TODAY).work}
    assert figures["Claims awaiting a decision"].value == 0


def test_nothing_new_is_written_for_an_erased_learner(session, erased, make_evidence) -> None:
    """Their assessor writes them no observation record and sets them no plan (the services
    refuse in words, nothing written): what is kept of them is the awarding body's record."""
    dora, assessor = erased["learner"], erased["assessor"]
    counted = (Evidence, AssessmentPlan, AuditEntry)
    before = [session.exec(select(func.count()).select_from(m)).one() for m in counted]
    attempts = {
        "observation": lambda: make_evidence(
            dora, kind="observation_record", title="Observed", author=assessor
        ),
        "plan": lambda: plans.set_plan(
            session, actor=actor_of(assessor), registration_id=erased["reg"].id,
            title="Write it up", body="", criterion_ids=[], due_on=None,
        ),
    }  # fmt: skip
    for what, attempt in attempts.items():
        with pytest.raises(Invalid, match=REFUSED) as refused:
            attempt()
        assert "nothing new is written for them" in str(refused.value), what
        session.rollback()
        after = [session.exec(select(func.count()).select_from(m)).one() for m in counted]
        assert after == before, what


def test_no_comment_is_added_to_an_erased_learners_kept_evidence(
    session, client, auth, erased
) -> None:
    """A comment is a new record about the learner, as their declaration or new evidence would
    be: the service refuses it in words (the page too, 422), and nothing is written."""
    from portfolio.models import EvidenceComment, Notification
    from portfolio.services import comments

    kept = erased["kept"][0].id

    def written() -> tuple[int, int, int]:
        session.rollback()
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (EvidenceComment, Notification, AuditEntry)
        )

    before = written()
    with pytest.raises(Invalid, match=REFUSED) as refused:
        comments.add(
            session, actor=actor_of(erased["assessor"]), evidence_id=kept, body="One more thing."
        )
    assert "no comment is added to it" in str(refused.value)
    assert written() == before
    auth.login(erased["assessor"])
    r = client.post(f"/evidence/{kept}/comments", data={"body": "One more thing."})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "personal data was erased on" in page and "no comment is added to it" in page
    assert "One more thing." in page  # the text kept in the form
    session.expire_all()
    assert written() == before


def signed_off_testimony(session, case, make_evidence) -> Evidence:
    """A witness testimony of the case's learner, submitted, its SE01 claim accepted and SE01
    declared and signed off: what is kept of it when the learner is erased."""
    from portfolio.services import evidence as evidence_service

    dora, assessor = case["learner"], case["assessor"]
    said = make_evidence(dora, kind="witness_testimony", title="Profile meeting", submit=False)
    p1 = next(
        c for c in claims.claimable_criteria(session, dora.id)
        if c.standard_code == "SE01" and c.kind == "performance"
    )  # fmt: skip
    claims.set_claims(
        session, actor=actor_of(dora), evidence_id=said.id, criterion_ids=[p1.criterion_id]
    )
    evidence_service.submit(session, actor=actor_of(dora), evidence_id=said.id, declaration=True)
    claim = session.exec(select(Claim).where(Claim.evidence_id == said.id)).one()
    claims.decide(
        session, actor=actor_of(assessor), claim_id=claim.id, expected_revision=claim.revision,
        decision="accepted", method="WT",
    )  # fmt: skip
    session.commit()
    learner_declares(session, dora, "SE01")  # again: the evidence behind SE01 changed
    _sign(session, case, "SE01")
    return said


def test_no_witness_is_asked_about_an_erased_learners_kept_testimony(
    session, case, mail_app, inbox, client, auth, make_evidence, make_person
) -> None:
    """Asking a witness to confirm a kept testimony writes a request about the learner, as a
    comment would: the service refuses it in words (the page too, 422, the address kept), and
    nothing is written or sent."""
    from portfolio.models import WitnessConfirmation
    from portfolio.services import witness

    dora, assessor = case["learner"], case["assessor"]
    said = signed_off_testimony(session, case, make_evidence)
    auth.login(assessor)
    ask = f'action="/evidence/{said.id}/witness"'
    assert ask in client.get(f"/evidence/{said.id}").get_data(as_text=True)  # a learner's
    erase_person(session, actor=actor_of(make_person("admin")), person_id=dora.id, store=None)
    session.commit()
    kept = session.get(Evidence, said.id)
    assert kept is not None and kept.erased_at is None  # behind SE01's sign-off
    shown = client.get(f"/evidence/{said.id}")
    page = html.unescape(shown.get_data(as_text=True))
    assert shown.status_code == 200 and ask not in page  # no form to ask with: why, in words
    assert f"{REFUSED}: what is kept of their evidence is the awarding body's record" in page
    assert 'name="email"' not in page

    def written() -> tuple[int, int]:
        session.rollback()
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (WitnessConfirmation, AuditEntry)
        )

    before = written()
    for who in (assessor, dora):
        with pytest.raises(Invalid, match=REFUSED) as refused:
            witness.request(
                session, actor=actor_of(who), evidence_id=said.id, email="j.smith@employer.org"
            )
        assert "no witness is asked" in str(refused.value)
        assert written() == before
    r = client.post(f"/evidence/{said.id}/witness", data={"email": "j.smith@employer.org"})
    assert r.status_code == 422  # posted from a page shown before: refused, and said why
    page = r.get_data(as_text=True)
    assert "personal data was erased on" in page and "no witness is asked" in page
    assert ask not in page
    session.expire_all()
    assert written() == before
    assert inbox[0].received.empty()
