"""Review: who is told of a learner's evidence. Access goes through a role still held
(access.relation, access.staff_scope); notices about a learner should too."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portfolio.errors import NotFound
from portfolio.models import Notification, Person
from portfolio.services import comments, registrations
from portfolio.services import evidence as service
from portfolio.services.actors import SYSTEM
from tests.conftest import actor_of


@pytest.fixture
def case(make_person, make_registration):
    learner = make_person("learner", name="Lee Learner")
    assessor = make_person("assessor", name="Asha Assessor")
    iqa = make_person("iqa", name="Ira Iqa")
    make_registration(learner=learner, assessor=assessor, iqa=iqa, codes="SE01")
    return learner, assessor, iqa


def _lose_assessor_role(session, person: Person) -> Person:
    person.roles = "iqa"  # no longer an assessor; still allocated on the old registration
    session.add(person)
    session.commit()
    return person


def test_a_former_assessor_is_not_told_of_submissions(session, case, make_evidence) -> None:
    learner, assessor, _ = case
    former = _lose_assessor_role(session, assessor)
    item = make_evidence(learner, title="Supporting Dean at his interview")
    with pytest.raises(NotFound):  # they may no longer read it
        service.detail(session, actor=actor_of(former), evidence_id=item.id)
    told = session.exec(select(Notification.text).where(Notification.person_id == former.id)).all()
    assert told == []


def test_a_former_assessor_is_not_told_of_comments(session, case, make_evidence) -> None:
    learner, assessor, _ = case
    item = make_evidence(learner, title="Supporting Dean at his interview")
    former = _lose_assessor_role(session, assessor)
    before = session.exec(select(Notification.id).where(Notification.person_id == former.id)).all()
    comments.add(session, actor=actor_of(learner), evidence_id=item.id, body="Dean got the job")
    after = session.exec(select(Notification.id).where(Notification.person_id == former.id)).all()
    assert after == before


def test_a_removed_assessor_is_not_told(session, case, make_evidence) -> None:
    learner, assessor, _ = case
    registrations.remove_person(session, actor=SYSTEM, person_id=assessor.id)
    session.commit()
    item = make_evidence(learner, title="Supporting Dean at his interview")
    comments.add(session, actor=actor_of(learner), evidence_id=item.id, body="Dean got the job")
    told = session.exec(
        select(Notification.text).where(Notification.person_id == assessor.id)
    ).all()
    assert told == []
