"""The audit trail's search "about whom" finds every entry about anything of the person's (their
claims, sign-offs, declarations, plans, IQA samples and actions, not only the person, their
registrations and evidence), through an index: each entry keeps whom it is about when written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlmodel import col, select

from mappings.assessment import plans, signoff
from mappings.assessment.models import AssessmentPlan, Claim, LearnerDeclaration, SignOff
from mappings.quality.actions import respond_action
from mappings.quality.cycles import create_cycle
from mappings.quality.eqa import grant_eqa
from mappings.quality.models import Action, EqaAccess, Sample
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from portfolio.models import AuditEntry, Criterion, Evidence, Registration
from portfolio.services import audit, audit_search
from portfolio.services.actors import Actor
from portfolio.services.audit_search import TrailFilter
from tests.conftest import actor_of
from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START
from tests.mappings.test_assessment import _accept_all


def _whose(session, entry: AuditEntry) -> int | None:
    """Whom an entry is about, worked out from the rows through the models (the oracle)."""
    sid, kind = entry.subject_id, entry.subject_type
    if sid is None:
        return None
    if kind == "person":
        return sid
    direct = {"registration": Registration, "evidence": Evidence, "iqa_sample": Sample,
              "learner_declaration": LearnerDeclaration}  # fmt: skip
    if kind in direct:
        return session.get(direct[kind], sid).learner_id
    if kind == "claim":
        return session.get(Evidence, session.get(Claim, sid).evidence_id).learner_id
    if kind == "signoff":
        return session.get(Registration, session.get(SignOff, sid).registration_id).learner_id
    if kind == "iqa_action":
        return session.get(Sample, session.get(Action, sid).sample_id).learner_id
    if kind == "eqa_access":
        return session.get(EqaAccess, sid).person_id
    if kind == "assessment_plan":
        return session.get(AssessmentPlan, sid).learner_id
    return None


def _all_about(session, person_id: int, who: Actor) -> list[AuditEntry]:
    found, before = [], None
    while True:
        page = audit_search.search(
            session, actor=who, filters=TrailFilter(about=person_id), before=before
        )
        found += page.entries
        if page.older is None:
            return found
        before = page.older


def test_about_whom_finds_everything_of_the_learners(
    session, make_person, make_registration, make_evidence
) -> None:
    learner, other = make_person("learner"), make_person("learner")
    assessor, iqa_person = make_person("assessor"), make_person("iqa")
    assessor.assessor_status = "new"
    eqa = make_person("eqa")
    admin = Actor.of(make_person("admin"))
    reg = make_registration(learner=learner, assessor=assessor, iqa=iqa_person)
    make_registration(learner=other, assessor=assessor, iqa=iqa_person)
    _accept_all(session, learner, assessor, make_evidence, "SE03")
    record = signoff.sign_off(
        session, actor=actor_of(assessor), registration_id=reg.id, standard_code="SE03",
        summary="Competent.", assessor_declaration=True,
    ).signoff  # fmt: skip
    criterion = session.exec(select(Criterion.id)).first()
    plans.set_plan(
        session, actor=actor_of(assessor), registration_id=reg.id, title="Observe a handover",
        body="Lead a handover.", criterion_ids=[criterion], due_on=date.today() + timedelta(days=9),
    )  # fmt: skip
    cycle = create_cycle(
        session, actor=actor_of(iqa_person), name="R1", start=CYCLE_START, end=CYCLE_END
    )
    plan_cycle(session, actor=actor_of(iqa_person), cycle_id=cycle.id)
    sample = session.exec(select(Sample).where(Sample.signoff_id == record.id)).one()
    review_sample(
        session, actor=actor_of(iqa_person), sample_id=sample.id, outcome="agree",
        feedback="Sound.", checks={}, actions=[("Date every record", date.today())],
    )  # fmt: skip
    action = session.exec(select(Action).where(Action.sample_id == sample.id)).one()
    respond_action(session, actor=actor_of(assessor), action_id=action.id, response="Done.")
    grant_eqa(session, actor=admin, person_id=eqa.id, cycle_id=cycle.id,
              expires_at=datetime.now(UTC) + timedelta(days=7))  # fmt: skip
    session.commit()
    trail = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())))
    for person in (learner, other, eqa):
        expected = [e.id for e in trail if _whose(session, e) == person.id]
        found = [e.id for e in _all_about(session, person.id, admin)]
        assert found == expected, person.roles
    kinds = {e.subject_type for e in _all_about(session, learner.id, admin)}
    assert kinds >= {"person", "registration", "evidence", "claim", "signoff", "iqa_sample",
                     "iqa_action", "assessment_plan"}  # fmt: skip
    assert {e.subject_type for e in _all_about(session, eqa.id, admin)} >= {"eqa_access"}
    assert audit.verify(session).ok  # whom an entry is about is not part of its hash


def test_an_entry_about_a_removed_row_still_names_its_person(
    session, make_person, make_evidence
) -> None:
    learner, admin = make_person("learner"), Actor.of(make_person("admin"))
    item = make_evidence(learner)
    claim = Claim(evidence_id=item.id, criterion_id=1, claimed_by=learner.id)
    session.add(claim)
    session.flush()
    first = audit.record(session, actor=learner, action="claim.add", subject_type="claim",
                         subject_id=claim.id, rows=[claim])  # fmt: skip
    session.delete(claim)
    session.flush()
    gone = audit.record(session, actor=learner, action="claim.remove", subject_type="claim",
                        subject_id=first.subject_id, removed=[("claim", first.subject_id)])  # fmt: skip
    session.commit()
    found = [e.id for e in _all_about(session, learner.id, admin)]
    assert gone.id in found and first.id in found
    nobody = audit.record(session, actor=learner, action="framework.add",
                          subject_type="framework", subject_id=1)  # fmt: skip
    session.commit()
    session.refresh(nobody)
    assert nobody.about_id is None


def test_about_whom_reads_through_an_index(session, backend) -> None:
    query = "SELECT id FROM auditentry WHERE about_id = 1 ORDER BY id DESC LIMIT 51"
    if backend == "sqlite":
        plan = session.exec(text("EXPLAIN QUERY PLAN " + query)).all()
    else:
        session.exec(text("SET LOCAL enable_seqscan = off"))
        plan = session.exec(text("EXPLAIN " + query)).all()
    assert "ix_auditentry_about" in " ".join(str(row) for row in plan)


def test_the_page_about_a_learner_names_them_on_each_thing_of_theirs(
    session, client, auth, make_person, make_evidence, count_queries
) -> None:
    auth.login("admin")
    learner = make_person("learner", name="Lee Learner")
    item = make_evidence(learner)
    claim = Claim(evidence_id=item.id, criterion_id=1, claimed_by=learner.id)
    session.add(claim)
    session.flush()
    audit.record(session, actor=learner, action="claim.decide", subject_type="claim",
                 subject_id=claim.id, rows=[claim])  # fmt: skip
    session.commit()
    with count_queries() as q:
        page = client.get(f"/admin/audit?about_id={learner.id}").get_data(as_text=True)
    assert "A claim (Lee Learner)" in page and "Evidence of Lee Learner" in page
    assert f'href="/admin/people/{learner.id}">A claim (Lee Learner)' in page
    # the log-in; the chosen person; the page's entries (one range of ix_auditentry_about);
    # the people they name; the last check of the trail
    assert q.count == 5
