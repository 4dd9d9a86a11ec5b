"""What erasing a person or applying retention leaves behind of their personal data: nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from sqlmodel import col, select

from mappings.privacy import retention
from mappings.privacy.requests import erase_person
from portfolio.models import AuditEntry, EvidenceComment, Notification, Person
from portfolio.models.base import utcnow
from portfolio.services import comments, notifications, registrations
from portfolio.services import evidence as evidence_service
from portfolio.services.actors import SYSTEM
from tests.conftest import actor_of

SECRET = "Dean Okafor rang me on 07700 900123 about his tenancy"


def test_erasure_on_request_leaves_the_learners_comments_on_erased_evidence(
    session, case, store
) -> None:
    comments.add(session, actor=actor_of(case.learner), evidence_id=case.note_id, body=SECRET)
    session.commit()
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()
    bodies = session.exec(
        select(EvidenceComment.body).where(EvidenceComment.evidence_id == case.note_id)
    ).all()
    assert all("Okafor" not in b for b in bodies), bodies


def test_retention_leaves_the_comments_on_evidence_it_erases(session, case, store) -> None:
    comments.add(session, actor=actor_of(case.learner), evidence_id=case.note_id, body=SECRET)
    session.commit()
    registrations.remove_person(session, actor=SYSTEM, person_id=case.learner.id)
    learner = session.get(Person, case.learner.id)
    learner.removed_at = utcnow() - timedelta(days=4 * 366)
    session.add(learner)
    session.commit()
    retention.apply(session, actor=SYSTEM, rules=retention.Rules(), store=store)
    session.commit()
    bodies = session.exec(select(EvidenceComment.body)).all()
    assert all("Okafor" not in b for b in bodies), bodies


def test_erasure_leaves_the_learners_name_and_titles_in_their_assessors_notifications(
    session, case, store
) -> None:
    name = case.learner.name
    comments.add(session, actor=actor_of(case.learner), evidence_id=case.note_id, body="Hello")
    session.commit()
    before = session.exec(
        select(Notification.text).where(Notification.person_id == case.assessor.id)
    ).all()
    assert any(name in t for t in before)  # "<learner> submitted/commented on ..."
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()
    after = session.exec(
        select(Notification.text).where(Notification.person_id == case.assessor.id)
    ).all()
    assert after, "the assessor's notifications stay, rewritten"
    assert all(name not in t for t in after), after
    assert all("Review note" not in t for t in after), after


def test_an_erased_name_is_replaced_where_it_names_who_acted_only(session, make_person) -> None:
    """Texts begin with the name of whoever acted: that beginning changes, and a longer name
    beginning with the same letters, or the name inside another sentence, stays as it was."""
    reader = make_person("assessor")
    texts = [
        "Lee Learner commented on “Plan”.",
        "Lee Learnerson commented on “Other plan”.",
        "Ann Other responded to the action you set: “ask Lee Learner”.",
    ]
    for text in texts:
        notifications.notify(session, person_id=reader.id, text=text, link="/iqa/actions")
    session.commit()
    assert notifications.forget_name(session, "Lee  Learner", "Erased person") == 1
    session.commit()
    after = session.exec(
        select(Notification.text).where(Notification.person_id == reader.id)
        .order_by(Notification.id)
    ).all()  # fmt: skip
    assert after == ["Erased person commented on “Plan”.", *texts[1:]]


def test_retention_leaves_no_title_in_the_notifications_of_what_it_erases(
    session, case, store
) -> None:
    comments.add(session, actor=actor_of(case.learner), evidence_id=case.note_id, body="Hello")
    registrations.remove_person(session, actor=SYSTEM, person_id=case.learner.id)
    learner = session.get(Person, case.learner.id)
    learner.removed_at = utcnow() - timedelta(days=4 * 366)
    session.add(learner)
    session.commit()
    assert any("Review note" in t for t in session.exec(select(Notification.text)))
    retention.apply(session, actor=SYSTEM, rules=retention.Rules(), store=store)
    session.commit()
    rows = session.exec(
        select(Notification.text).where(Notification.link.startswith("/evidence/"))
    ).all()
    assert rows and all("Review note" not in t for t in rows), rows
    assert all("My account of job coaching" not in t for t in rows), rows


def test_erasing_an_item_leaves_its_file_names_in_the_audit_trail(session, case, store) -> None:
    # build_case attaches "notes.txt" to the account; attach a revealing name to the note
    evidence_service.attach(
        session, actor=actor_of(case.learner), store=store, evidence_id=case.note_id,
        filename="Dean Okafor care plan.txt", stream=io.BytesIO(b"plan\n"),
        max_bytes=1024 * 1024,
    )  # fmt: skip
    session.commit()
    # the item's history still names the file, from the attachment row
    seen = evidence_service.detail(session, actor=actor_of(case.learner), evidence_id=case.note_id)
    attached = [h for h in seen.history if h.action == "evidence.attach"]
    assert [seen.file_named(h) for h in attached] == ["Dean Okafor care plan.txt"]
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()
    trail = session.exec(
        select(AuditEntry.data).where(
            AuditEntry.subject_type == "evidence", col(AuditEntry.subject_id) == case.note_id
        )
    ).all()
    assert "Okafor" not in json.dumps(list(trail))


def test_erasure_takes_the_vle_links_tokens_and_email_choices_with_the_account(
    session, case, store
) -> None:
    from portfolio.models import ApiToken, LtiLink, NotificationPreference, RecoveryCode, TwoStep
    from portfolio.services import tokens, two_step

    for person in (case.learner, case.assessor):
        session.add(LtiLink(issuer="https://vle.test", subject=f"u-{person.id}",
                            person_id=person.id))  # fmt: skip
        session.add(TwoStep(person_id=person.id, secret=two_step.new_secret()))
        session.add(RecoveryCode(person_id=person.id, code_hash=f"{person.id:064d}"))
        tokens.create(session, actor=SYSTEM, person_id=person.id, name="script", scopes=["read"])
        kind = notifications.kinds_for(actor_of(person))[0]
        notifications.set_preferences(session, actor=actor_of(person), modes={kind: "off"})
    session.commit()
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()
    for model in (LtiLink, ApiToken, NotificationPreference, TwoStep, RecoveryCode):
        owners = session.exec(select(model.person_id)).all()
        assert case.learner.id not in owners and case.assessor.id in owners, model


def test_erasure_leaves_nothing_of_the_learner_in_their_assessment_plans(
    session, case, store
) -> None:
    from datetime import date

    from mappings.assessment import plan_reads, plans
    from mappings.assessment.models import AssessmentPlan

    assessor = actor_of(case.assessor)
    target = plan_reads.targets_of(session, case.registration.id)[0].criterion_id
    kept = {}
    for title, close in (("Visit Dean Okafor's tenancy", None), ("Call Dean Okafor", SECRET)):
        plan = plans.set_plan(
            session,
            actor=assessor,
            registration_id=case.registration.id,
            title=title,
            body=SECRET,
            criterion_ids=[target],
            due_on=date.today() + timedelta(days=7),
        )
        if close:
            plans.close_plan(session, actor=assessor, plan_id=plan.id, reason=close)
        kept[plan.id] = plan.due_on
    session.commit()
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()
    rows = session.exec(select(AssessmentPlan)).all()
    said = [(p.title, p.body, p.close_reason) for p in rows]
    assert all("Okafor" not in text for row in said for text in row), said
    assert {p.id: p.due_on for p in rows} == kept  # the plans stay, as records of work set


def test_retention_leaves_nothing_of_the_learner_in_plans_or_witness_confirmations(
    session, case, store, make_evidence
) -> None:
    from datetime import date

    from mappings.assessment import plan_reads, plans
    from mappings.assessment.models import AssessmentPlan
    from portfolio.models import WitnessConfirmation
    from portfolio.services import witness

    target = plan_reads.targets_of(session, case.registration.id)[0].criterion_id
    plan = plans.set_plan(
        session,
        actor=actor_of(case.assessor),
        registration_id=case.registration.id,
        title="Visit Dean Okafor's tenancy",
        body=SECRET,
        criterion_ids=[target],
        due_on=date.today() + timedelta(days=7),
    )
    plans.close_plan(session, actor=actor_of(case.assessor), plan_id=plan.id, reason=SECRET)
    item = make_evidence(case.learner, kind="witness_testimony", title="Tenancy visit")
    sent = witness.request(
        session, actor=actor_of(case.learner), evidence_id=item.id, email="dean@okafor.example"
    )
    row, token = sent.row, sent.token
    witness.answer(session, token=token, accurate=True, comment=SECRET)
    session.commit()
    registrations.remove_person(session, actor=SYSTEM, person_id=case.learner.id)
    learner = session.get(Person, case.learner.id)
    learner.removed_at = utcnow() - timedelta(days=4 * 366)
    session.add(learner)
    session.commit()
    retention.apply(session, actor=SYSTEM, rules=retention.Rules(), store=store)
    session.commit()
    kept = session.get(AssessmentPlan, plan.id)
    assert (kept.title, kept.body, kept.close_reason) == ("[erased]", "", "")
    asked = session.get(WitnessConfirmation, row.id)
    assert (asked.witness_email, asked.comment, asked.answer) == ("[erased]", "", "accurate")


def test_an_erased_persons_token_and_notification_ids_are_never_given_again(
    session, case, store
) -> None:
    """The audit entries for making and revoking a token name it by its id (in their data), and
    a notification is marked read by its id (``/notifications/<id>/read``): the newest token and
    notification, the erased person's, are deleted with the account, and the next ones, anyone's,
    are given new ids, on SQLite too (migration 0054: AUTOINCREMENT), so the trail's "token 7"
    is never someone else's token."""
    from portfolio.models import ApiToken
    from portfolio.services import tokens

    tokens.create(session, actor=SYSTEM, person_id=case.assessor.id, name="kept", scopes=["read"])
    made = tokens.create(
        session, actor=SYSTEM, person_id=case.learner.id, name="gone", scopes=["read"]
    )
    tokens.revoke(session, actor=SYSTEM, token_id=made.token.id)
    told = notifications.notify(session, person_id=case.learner.id, text="Last", link="/")
    session.commit()
    gone_token, gone_note = made.token.id, told.id
    erase_person(session, actor=SYSTEM, person_id=case.learner.id, store=store)
    session.commit()

    new = tokens.create(
        session, actor=SYSTEM, person_id=case.assessor.id, name="new", scopes=["read"]
    )
    notifications.notify(session, person_id=case.assessor.id, text="New", link="/")
    session.commit()
    assert new.token.id > gone_token
    assert all(i > gone_note for i in session.exec(select(Notification.id).where(
        Notification.person_id == case.assessor.id, Notification.text == "New"
    )))  # fmt: skip
    assert session.exec(select(ApiToken.id).where(ApiToken.id == gone_token)).first() is None
