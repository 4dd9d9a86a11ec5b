"""The witness confirms their testimony: who may ask, the single-use link (only its hash kept),
what it records, and the words the evidence page and documents use."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, EvidenceVersion, WitnessConfirmation
from portfolio.services import evidence, logins, witness
from portfolio.services.evidence import Draft
from portfolio.words import day_words, local
from tests.conftest import actor_of

LONDON = ZoneInfo("Europe/London")
TEXT = "The learner ran the vocational profile meeting with the job seeker and me."


@pytest.fixture
def case(session: Session, make_person, make_registration, make_evidence):
    learner = make_person("learner")
    assessor = make_person("assessor")
    iqa = make_person("iqa")
    make_registration(learner, assessor, iqa)
    item = make_evidence(learner, kind="witness_testimony", title="Profile meeting", body=TEXT)
    return learner, assessor, iqa, item


def _ask(session, who, item, email="J.Smith@Employer.org"):
    asked = witness.request(session, actor=actor_of(who), evidence_id=item.id, email=email)
    session.commit()
    return asked.row, asked.token


def test_the_learner_and_their_assessor_may_ask_and_no_one_else(
    session: Session, case, make_person
) -> None:
    learner, assessor, iqa, item = case
    row, _token = _ask(session, learner, item)
    assert row.witness_email == "j.smith@employer.org" and row.requested_by == learner.id
    row, _token = _ask(session, assessor, item)
    assert row.requested_by == assessor.id
    refused = {
        "iqa": (iqa, PermissionDenied),
        "other assessor": (make_person("assessor"), NotFound),
        "other learner": (make_person("learner"), NotFound),
        "administrator": (make_person("admin"), (NotFound, PermissionDenied)),
        "eqa": (make_person("eqa"), NotFound),
    }
    for who, (person, error) in refused.items():
        with pytest.raises(error):
            witness.request(
                session, actor=actor_of(person), evidence_id=item.id, email="w@employer.org"
            )
        session.rollback()
        assert who
    assert len(session.exec(select(WitnessConfirmation)).all()) == 2


def test_only_a_submitted_witness_testimony_and_a_real_address(
    session: Session, case, make_evidence
) -> None:
    learner, _assessor, _iqa, item = case
    account = make_evidence(learner, kind="reflective_account")
    with pytest.raises(Invalid, match="Only a witness testimony"):
        _ask(session, learner, account)
    session.rollback()
    draft = make_evidence(learner, kind="witness_testimony", submit=False)
    with pytest.raises(Invalid, match="Submit the testimony first"):
        _ask(session, learner, draft)
    session.rollback()
    with pytest.raises(Invalid, match="not an e-mail address"):
        _ask(session, learner, item, email="j.smith at employer")
    session.rollback()
    with pytest.raises(NotFound):
        witness.request(session, actor=actor_of(learner), evidence_id=10**9, email="a@b.org")


def test_only_a_hash_of_the_token_is_kept_and_the_request_is_audited(
    session: Session, case
) -> None:
    learner, _assessor, _iqa, item = case
    row, token = _ask(session, learner, item)
    assert row.token_hash == logins.digest(token) and token not in row.token_hash
    version = evidence.latest_submitted(session, item)
    assert (row.version_id, row.version_sha256) == (version.id, version.sha256)
    assert row.expires_at - row.requested_at == timedelta(days=14)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "witness.request")).one()
    assert entry.actor_id == learner.id and entry.subject_id == item.id


def test_the_link_shows_the_exact_version_and_records_one_answer(session: Session, case) -> None:
    learner, _assessor, _iqa, item = case
    _row, token = _ask(session, learner, item)
    page = witness.open_link(session, token=token)
    assert page.version.body == TEXT and page.learner_name == learner.name
    assert page.version.fields["witness_role"] == "Manager"
    row = witness.answer(session, token=token, accurate=False, comment="  I was not there.  ")
    session.commit()
    assert (row.answer, row.comment) == ("not_accurate", "I was not there.")
    assert row.answered_at is not None
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "witness.answer")).one()
    assert entry.actor_id is None  # the witness's answer, no person's of this site
    assert entry.data["answer"] == "not_accurate" and entry.data["sha256"] == row.version_sha256
    with pytest.raises(witness.LinkGone) as gone:
        witness.answer(session, token=token, accurate=True)
    assert gone.value.why == "used"
    with pytest.raises(witness.LinkGone) as gone:
        witness.open_link(session, token=token)
    assert gone.value.why == "used"
    assert session.get(WitnessConfirmation, row.id).answer == "not_accurate"


def test_unknown_expired_and_superseded_links_do_not_work(
    session: Session, case, monkeypatch
) -> None:
    learner, _assessor, _iqa, item = case
    for token in ("not-a-real-link", "", "x" * 500):
        with pytest.raises(witness.LinkGone) as gone:
            witness.open_link(session, token=token)
        assert gone.value.why == "unknown"
    _row, token = _ask(session, learner, item)
    later = datetime.now(UTC) + timedelta(days=14, minutes=1)
    monkeypatch.setattr(witness, "utcnow", lambda: later)
    with pytest.raises(witness.LinkGone) as gone:
        witness.answer(session, token=token, accurate=True)
    assert gone.value.why == "expired"
    monkeypatch.undo()
    _row, fresh = _ask(session, learner, item)
    _resubmit(session, learner, item)
    with pytest.raises(witness.LinkGone) as gone:
        witness.open_link(session, token=fresh)
    assert gone.value.why == "superseded"
    assert "submitted again" in str(gone.value)


def _resubmit(session: Session, learner, item) -> None:
    actor = actor_of(learner)
    version = evidence.current_version(session, item)
    evidence.update(
        session,
        actor=actor,
        evidence_id=item.id,
        expected_version=version.number,
        draft=Draft(
            kind=item.kind,
            title=item.title,
            activity_date=item.activity_date,
            body=TEXT + " Changed.",
            fields=dict(version.fields),
        ),
    )
    evidence.submit(session, actor=actor, evidence_id=item.id, declaration=True)
    session.commit()


def test_a_draft_made_after_the_request_does_not_stop_the_link(session: Session, case) -> None:
    learner, _assessor, _iqa, item = case
    _row, token = _ask(session, learner, item)
    version = evidence.current_version(session, item)
    evidence.update(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        expected_version=version.number,
        draft=Draft(item.kind, item.title, item.activity_date, TEXT + " x", dict(version.fields)),
    )
    session.commit()
    assert witness.open_link(session, token=token).version.body == TEXT  # the submitted one


def test_a_bad_comment_is_refused_and_the_link_still_works(session: Session, case) -> None:
    learner, _assessor, _iqa, item = case
    _row, token = _ask(session, learner, item)
    with pytest.raises(Invalid, match="at most"):
        witness.answer(session, token=token, accurate=False, comment="x" * 2001)
    session.rollback()
    assert witness.open_link(session, token=token).row.answered_at is None


def test_words_for_each_state_and_an_earlier_version(session: Session, case) -> None:
    learner, _assessor, _iqa, item = case
    _row, token = _ask(session, learner, item)
    (status,) = witness.statuses(session, evidence_id=item.id, version_number=1)
    now = datetime(2026, 12, 6, tzinfo=UTC)
    day = day_words(local(status.requested_at, LONDON).date())
    assert witness.words(status, LONDON, now=status.requested_at) == (
        f"Confirmation requested on {day}, not answered (sent to j.smith@employer.org)"
    )
    witness.answer(session, token=token, accurate=True)
    session.commit()
    (status,) = witness.statuses(session, evidence_id=item.id, version_number=1)
    assert witness.words(status, LONDON, now=now).startswith(
        "Confirmed by the witness (j.smith@employer.org) on "
    )
    _resubmit(session, learner, item)
    (status,) = witness.statuses(session, evidence_id=item.id, version_number=2)
    said = witness.words(status, LONDON, now=now)
    assert "confirmed an earlier version (version 1)" in said and "not confirmed" in said
    assert witness.statuses(session, evidence_id=item.id, version_number=1)[0].earlier is False


def test_words_of_a_refusal_and_of_an_expired_request() -> None:
    at = datetime(2026, 12, 3, 10, tzinfo=UTC)
    refusal = witness.Status(
        email="j.smith@employer.org",
        requested_at=at - timedelta(days=2),
        expires_at=at + timedelta(days=12),
        answer="not_accurate",
        answered_at=at,
        comment="I was on leave that week.",
        version_number=1,
        earlier=False,
    )
    assert witness.words(refusal, LONDON) == (
        "Witness said it is not accurate (j.smith@employer.org, 3 Dec 2026): "
        "I was on leave that week."
    )
    # the answer page tells the witness their comment is shown to the assessor, either answer
    confirmed = replace(refusal, answer="accurate", comment="I watched the whole trial.")
    assert witness.words(confirmed, LONDON) == (
        "Confirmed by the witness (j.smith@employer.org) on 3 Dec 2026: I watched the whole trial."
    )
    assert witness.words(replace(confirmed, earlier=True), LONDON) == (
        "The witness (j.smith@employer.org) confirmed an earlier version (version 1) on "
        "3 Dec 2026; this version is not confirmed"
    )
    open_one = witness.Status(
        email="j.smith@employer.org",
        requested_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        expires_at=datetime(2026, 12, 15, 9, tzinfo=UTC),
        answer="",
        answered_at=None,
        comment="",
        version_number=1,
        earlier=False,
    )
    assert witness.words(open_one, LONDON, now=at) == (
        "Confirmation requested on 1 Dec 2026, not answered (sent to j.smith@employer.org)"
    )
    assert "the link expired on 15 Dec 2026" in witness.words(
        open_one, LONDON, now=datetime(2026, 12, 20, tzinfo=UTC)
    )


def test_erasing_the_testimony_forgets_the_witness_address(session: Session, case, make_person):
    from mappings.privacy.erasure import erase_items

    learner, _assessor, _iqa, item = case
    row, token = _ask(session, learner, item)
    witness.answer(session, token=token, accurate=False, comment="Not me.")
    erase_items(
        session,
        actor=actor_of(make_person("admin")),
        evidence_ids=[item.id],
        reason="request",
        store=None,
    )
    session.commit()
    session.refresh(row)
    assert row.witness_email == "[erased]" and row.comment == "" and row.answer == "not_accurate"
    assert session.get(EvidenceVersion, row.version_id) is not None


def test_asking_again_replaces_the_earlier_unanswered_links(session: Session, case) -> None:
    learner, assessor, _iqa, item = case
    answered, answered_token = _ask(session, learner, item)
    # "not accurate": a version the witness confirmed is not asked about again
    witness.answer(session, token=answered_token, accurate=False, comment="Wrong day.")
    session.commit()
    first, first_token = _ask(session, learner, item)
    second, second_token = _ask(session, assessor, item, email="jo@employer.org")
    session.refresh(first)
    session.refresh(answered)
    assert first.replaced_at is not None and first.replaced_by == second.id
    assert answered.replaced_at is None and answered.answer == "not_accurate"
    for attempt in (
        lambda: witness.open_link(session, token=first_token),
        lambda: witness.answer(session, token=first_token, accurate=False, comment="Old."),
    ):
        with pytest.raises(witness.LinkGone) as gone:
            attempt()
        assert gone.value.why == "replaced"
        assert "This request was replaced by a later one; use the newest e-mail" in str(gone.value)
    session.rollback()
    session.refresh(first)
    assert first.answered_at is None and first.answer == ""
    assert witness.open_link(session, token=second_token).row.id == second.id
    entry = session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "witness.request")
        .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
    ).first()
    assert entry is not None and entry.data["replaced"] == [first.id]
    said = [
        witness.words(s, LONDON)
        for s in witness.statuses(session, evidence_id=item.id, version_number=1)
    ]
    day = day_words(local(first.requested_at, LONDON).date())
    assert said[1] == (
        f"Confirmation requested on {day}, replaced by a later request on "
        f"{day_words(local(second.requested_at, LONDON).date())} (sent to j.smith@employer.org)"
    )
    assert said[0].endswith("not answered (sent to jo@employer.org)")
    assert said[2].startswith("Witness said it is not accurate (j.smith@employer.org, ")


def test_an_expired_link_is_not_marked_replaced(session: Session, case, monkeypatch) -> None:
    learner, _assessor, _iqa, item = case
    old, _token = _ask(session, learner, item)
    later = datetime.now(UTC) + timedelta(days=15)
    monkeypatch.setattr(witness, "utcnow", lambda: later)
    _ask(session, learner, item)
    session.refresh(old)
    assert old.replaced_at is None  # it had stopped working already: it still says expired


def _draft(session: Session, learner, item) -> None:
    version = evidence.current_version(session, item)
    evidence.update(
        session,
        actor=actor_of(learner),
        evidence_id=item.id,
        expected_version=version.number,
        draft=Draft(item.kind, item.title, item.activity_date, TEXT + " y", dict(version.fields)),
    )
    session.commit()


def test_the_result_says_which_version_the_witness_will_see(session: Session, case) -> None:
    learner, assessor, _iqa, item = case
    submitted = evidence.latest_submitted(session, item)
    day = day_words(local(submitted.declared_at, LONDON).date())
    asked = witness.request(
        session, actor=actor_of(learner), evidence_id=item.id, email="w@employer.org"
    )
    assert asked.shown == f"The witness will see the version you submitted on {day}."
    _draft(session, learner, item)
    asked = witness.request(
        session, actor=actor_of(learner), evidence_id=item.id, email="w@employer.org"
    )
    assert asked.shown == (
        f"The witness will see the version you submitted on {day}, not your draft changes."
    )
    assert asked.row.version_id == submitted.id
    asked = witness.request(
        session, actor=actor_of(assessor), evidence_id=item.id, email="w@employer.org"
    )
    assert asked.shown == (
        f"The witness will see the version {learner.name} submitted on {day}, not the draft "
        "changes made since."
    )


def test_a_testimony_never_submitted_is_not_sent_and_its_draft_is_kept(
    session: Session, case, make_evidence
) -> None:
    learner, _assessor, _iqa, _item = case
    draft = make_evidence(learner, kind="witness_testimony", body=TEXT, submit=False)
    with pytest.raises(Invalid, match="no version of it was ever submitted"):
        _ask(session, learner, draft)
    session.rollback()
    assert evidence.current_version(session, draft).body == TEXT
    assert session.exec(select(WitnessConfirmation)).all() == []
