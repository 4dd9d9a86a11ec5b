"""Discarding a draft (mappings.assessment.discard): only its author, only while it was never
submitted, one transaction, one audit entry; anything refused writes nothing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from mappings.assessment import claims
from mappings.assessment.discard import discard
from mappings.assessment.models import Claim
from portfolio.errors import Conflict, NotFound
from portfolio.models import Attachment, AuditEntry, AuditRow, Evidence, EvidenceVersion, Person
from portfolio.services import audit
from portfolio.services import evidence as service
from portfolio.services.files import FileStore
from tests.conftest import actor_of


def _draft(session: Session, author, learner, kind: str = "reflective_account", title="Menu"):
    return service.create(
        session,
        actor=actor_of(author),
        learner_id=learner.id,
        draft=service.Draft(kind=kind, title=title, activity_date=date.today(), body="text"),
    )


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Evidence, EvidenceVersion, Attachment, Claim, AuditEntry)
    )


def test_the_author_discards_a_draft_with_its_files_claims_and_one_entry(
    session, make_registration, tmp_path: Path
) -> None:
    reg = make_registration()
    learner = session.get(Person, reg.learner_id)
    store = FileStore(tmp_path / "files")
    item = _draft(session, learner, learner)
    attachment = service.attach(
        session, actor=actor_of(learner), store=store, evidence_id=item.id,
        filename="menu.txt", stream=io.BytesIO(b"the menu"), max_bytes=1000,
    )  # fmt: skip
    criterion = claims.claimable_criteria(session, learner.id)[0].criterion_id
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=[criterion]
    )
    session.commit()
    sha, item_id = attachment.sha256, item.id
    assert store.exists(sha)
    done = discard(session, actor=actor_of(learner), evidence_id=item_id, store=store)
    session.commit()
    assert (done.title, done.files) == ("Menu", 1)
    assert session.get(Evidence, item_id) is None
    assert (
        session.exec(select(EvidenceVersion).where(EvidenceVersion.evidence_id == item_id)).all()
        == []
    )
    assert session.exec(select(Claim).where(Claim.evidence_id == item_id)).all() == []
    assert session.exec(select(Attachment).where(Attachment.sha256 == sha)).all() == []
    assert not store.exists(sha)  # the file left the store after the commit
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence.discard")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.subject_type, entry.subject_id, entry.about_id) == (
        "evidence", item_id, learner.id,
    )  # fmt: skip
    assert entry.data["files"] == [sha] and entry.data["claims"] == 1
    assert "Menu" not in str(entry.data)  # the title's hash, never the title
    removed = session.exec(select(AuditRow).where(AuditRow.entry_id == entry.id)).all()
    assert {(r.kind, r.hash) for r in removed} == {("evidenceversion", None), ("claim", None)}
    assert audit.verify(session).ok, audit.verify(session).breaks


def test_a_file_another_item_still_uses_stays_in_the_store(
    session, make_person, tmp_path: Path
) -> None:
    learner = make_person("learner")
    store = FileStore(tmp_path / "files")
    me = actor_of(learner)
    kept, gone = _draft(session, learner, learner), _draft(session, learner, learner, title="B")
    for item in (kept, gone):
        service.attach(
            session, actor=me, store=store, evidence_id=item.id, filename="a.txt",
            stream=io.BytesIO(b"same content"), max_bytes=1000,
        )  # fmt: skip
    session.commit()
    sha = session.exec(select(Attachment.sha256)).first()
    discard(session, actor=me, evidence_id=gone.id, store=store)
    session.commit()
    assert store.exists(sha)


def test_an_assessor_discards_their_own_observation_draft(session, make_registration, make_person):
    assessor = make_person("assessor")
    reg = make_registration(assessor=assessor)
    learner = session.get(Person, reg.learner_id)
    item = _draft(session, assessor, learner, kind="observation_record", title="Observed")
    session.commit()
    with pytest.raises(NotFound):  # not the learner's to discard, nor yet to see
        discard(session, actor=actor_of(learner), evidence_id=item.id, store=None)
    session.rollback()
    discard(session, actor=actor_of(assessor), evidence_id=item.id, store=None)
    session.commit()
    assert session.get(Evidence, item.id) is None


def _refused(session: Session, actor, item_id: int, error: type[Exception], words: str) -> None:
    before = _counts(session)
    with pytest.raises(error) as caught:
        discard(session, actor=actor, evidence_id=item_id, store=None)
    assert words in str(caught.value)
    session.rollback()
    assert _counts(session) == before  # nothing written


def test_a_submitted_item_is_refused_and_nothing_is_written(session, make_person) -> None:
    learner = make_person("learner")
    me = actor_of(learner)
    item = _draft(session, learner, learner)
    service.submit(session, actor=me, evidence_id=item.id, declaration=True)
    session.commit()
    _refused(session, me, item.id, Conflict, "has been submitted")
    # edited after it was submitted: a draft version again, still the record
    current = service.current_version(session, item)
    service.update(
        session, actor=me, evidence_id=item.id, expected_version=1,
        draft=service.Draft(kind="reflective_account", title="Menu 2",
                            activity_date=date.today(), body="more"),
    )  # fmt: skip
    session.commit()
    assert current.declared_at is not None
    _refused(session, me, item.id, Conflict, "has been submitted")


def test_someone_else_is_refused_and_nothing_is_written(session, make_person) -> None:
    learner, other = make_person("learner"), make_person("learner")
    item = _draft(session, learner, learner)
    session.commit()
    _refused(session, actor_of(other), item.id, NotFound, "No such")
    _refused(session, actor_of(learner), item.id + 999, NotFound, "No such")


def test_a_discarded_id_given_again_keeps_its_history_apart(session, make_person) -> None:
    """On SQLite before migration 0051 a deleted row's id was given to the next new row, and the
    trail keeps what was written then: another learner's item holding a draft's id discarded
    then must neither show the discarded draft's history nor fail `audit verify`."""
    first, second = make_person("learner"), make_person("learner")
    item = _draft(session, first, first)
    session.commit()
    gone = item.id
    discard(session, actor=actor_of(first), evidence_id=gone, store=None)
    session.commit()
    if session.get_bind().dialect.name == "sqlite":  # as before 0051: the largest id left
        session.execute(
            text("UPDATE sqlite_sequence SET seq = :s WHERE name = 'evidence'"), {"s": gone - 1}
        )
    new = _draft(session, second, second, title="Fresh")
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        assert new.id == gone  # the id given again, as it was before 0051
    info = service.detail(session, actor=actor_of(second), evidence_id=new.id)
    assert [e.action for e in info.history] == ["evidence.create"]
    assert audit.verify(session).ok, audit.verify(session).breaks


def test_a_discarded_drafts_ids_are_never_given_to_new_rows(
    session, make_registration, tmp_path: Path
) -> None:
    """The draft's item, version, file and claim ids name it for good: the next item (and its
    version, file and claim) is given new ones, on SQLite too (migration 0051: AUTOINCREMENT),
    so nothing still naming the draft ever points at someone else's work."""
    reg = make_registration()
    learner = session.get(Person, reg.learner_id)
    me, store = actor_of(learner), FileStore(tmp_path / "files")
    criterion = claims.claimable_criteria(session, learner.id)[0].criterion_id

    def drafted(title: str) -> tuple[int, ...]:
        item = _draft(session, learner, learner, title=title)
        attached = service.attach(
            session, actor=me, store=store, evidence_id=item.id, filename="a.txt",
            stream=io.BytesIO(title.encode()), max_bytes=1000,
        )  # fmt: skip
        claims.set_claims(session, actor=me, evidence_id=item.id, criterion_ids=[criterion])
        session.commit()
        claim = session.exec(select(Claim.id).where(Claim.evidence_id == item.id)).one()
        return item.id, attached.version_id, attached.id, claim

    gone = drafted("Gone")
    discard(session, actor=me, evidence_id=gone[0], store=store)
    session.commit()
    new = drafted("New")
    assert all(n > g for n, g in zip(new, gone, strict=True)), (gone, new)


def test_a_draft_with_comments_is_kept_and_nothing_is_written(session, make_person) -> None:
    from portfolio.services import comments

    learner = make_person("learner")
    item = _draft(session, learner, learner)
    comments.add(session, actor=actor_of(learner), evidence_id=item.id, body="Is this enough?")
    session.commit()
    _refused(session, actor_of(learner), item.id, Conflict, "discussed in its comments")


def test_notifications_pointing_at_a_discarded_draft_say_so_and_point_nowhere(
    client, auth, session, make_person
) -> None:
    """A notice that links a draft (anyone's, any anchor) would lead to "not found" once it is
    discarded: the discard rewrites it, in the same transaction, to say so and link nothing."""
    from portfolio.models import Notification
    from portfolio.services import notifications

    learner, other = make_person("learner"), make_person("learner")
    item = _draft(session, learner, learner, title="Secret plan")
    kept = _draft(session, other, other, title="Kept")
    for person, link in (
        (learner, notifications.evidence_link(item.id)),
        (other, notifications.evidence_link(item.id, "#comments")),
        (other, notifications.evidence_link(kept.id)),
        (other, notifications.evidence_link(int(f"{item.id}0"))),  # an id that only starts so
    ):
        notifications.notify(
            session, person_id=person.id, text=f"About “Secret plan” at {link}.", link=link
        )
    session.commit()
    discard(session, actor=actor_of(learner), evidence_id=item.id, store=None)
    session.commit()
    rows = session.exec(select(Notification).order_by(Notification.id)).all()
    assert [(r.text, r.link) for r in rows] == [
        (notifications.DISCARDED_EVIDENCE, ""),
        (notifications.DISCARDED_EVIDENCE, ""),
        (f"About “Secret plan” at /evidence/{kept.id}.", f"/evidence/{kept.id}"),
        (f"About “Secret plan” at /evidence/{item.id}0.", f"/evidence/{item.id}0"),
    ]
    auth.login(learner)
    page = client.get("/notifications").get_data(as_text=True)
    assert notifications.DISCARDED_EVIDENCE in page and "Secret plan" not in page
    r = client.post(f"/notifications/{rows[0].id}/read")
    assert r.status_code == 302 and f"/evidence/{item.id}" not in r.headers["Location"]
