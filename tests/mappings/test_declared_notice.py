"""The learner's allocated assessor is told when the learner confirms their declaration for a
standard: until then they had to look to find they could sign it off."""

from __future__ import annotations

from sqlmodel import select

from mappings.assessment import declarations
from portfolio.models import Notification, Person, Standard
from portfolio.services import notifications
from tests.conftest import actor_of
from tests.mappings.test_assessment import _accept_all, learner_declares

# Statements of one declaration request (POST /declarations/<registration>/<code>): the log-in
# lookup and the learner's standing, the evidence behind the standard and whether it was declared,
# the insert, the learner's ask marked read and the audit entry: 20 (23 on PostgreSQL, where the
# erasure is read again once the registration is held, as a sign-off does) before the assessor was
# told. Four more tell the allocated assessor (notices.declared): the assessor's row
# (their roles, whether they left), whether the same notice waits unread, their choice of e-mail
# for the kind, and the insert.
DECLARATION_STATEMENTS = {"sqlite": 24, "postgresql": 27}


def _title(session, code: str) -> str:
    return session.exec(select(Standard.title).where(Standard.code == code)).one()


def _told(session, person_id: int) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(
                Notification.person_id == person_id, Notification.kind == "signoff_ready"
            )
        ).all()
    )


def test_confirming_the_declaration_tells_the_allocated_assessor(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    other = make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    assert _told(session, assessor.id) == []  # complete, but not yet declared: nothing to sign
    [awaiting] = declarations.awaiting_declarations(session, learner_id=learner.id)
    auth.login(learner)
    response = client.post(
        f"/declarations/{reg.id}/SE03",
        data={"evidence_set_sha256": awaiting.evidence_set_sha256},
    )
    assert response.status_code == 302
    session.expire_all()
    [note] = _told(session, assessor.id)
    assert note.text == (
        f"{learner.name} confirmed their declaration for SE03 {_title(session, 'SE03')}: "
        "you can sign it off."
    )
    assert note.link == f"/learners/{learner.id}/standards/SE03"
    assert _told(session, other.id) == [] and _told(session, learner.id) == []


def test_the_assessor_chooses_how_it_comes_by_email(
    session, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE03")
    notifications.choose(session, person_id=assessor.id, kind="signoff_ready", mode="digest")
    session.commit()
    _accept_all(session, learner, assessor, make_evidence, "SE03")
    [note] = _told(session, assessor.id)
    assert note.mail == "digest"
    assert "signoff_ready" in notifications.kinds_for(actor_of(assessor))
    assert "signoff_ready" not in notifications.kinds_for(actor_of(learner))


def test_an_assessor_who_lost_the_role_is_not_told(
    session, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE03")
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    row = session.get(Person, assessor.id)
    assert row is not None
    row.roles = "learner"
    session.add(row)
    session.commit()
    learner_declares(session, learner, "SE03")
    assert _told(session, assessor.id) == []


def test_declaration_request_statement_count_is_fixed(
    session, client, auth, make_person, make_registration, make_evidence, count_queries, backend
) -> None:
    assessor = make_person("assessor")
    counts = []
    for items in (1, 3):
        learner = make_person("learner")
        reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
        for _ in range(items):
            _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
        [awaiting] = declarations.awaiting_declarations(session, learner_id=learner.id)
        auth.login(learner)
        with count_queries() as q:
            response = client.post(
                f"/declarations/{reg.id}/SE03",
                data={"evidence_set_sha256": awaiting.evidence_set_sha256},
            )
        assert response.status_code == 302
        counts.append(q.count)
        auth.logout()
    assert counts == [DECLARATION_STATEMENTS[backend]] * 2, counts
