"""The learner is asked to declare on their home page and by notification, and confirms there."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from mappings.assessment import declarations
from mappings.assessment.models import LearnerDeclaration
from portfolio.models import Notification, Standard
from tests.mappings.test_assessment import _accept_all


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_learner_confirms_the_declaration_on_the_home_page(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    auth.login(learner)
    assert "Confirm your declaration" not in _text(client.get("/"))
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    title = session.exec(select(Standard.title).where(Standard.code == "SE03")).one()
    [awaiting] = declarations.awaiting_declarations(session, learner_id=learner.id)
    page = _text(client.get("/"))
    assert f"Confirm your declaration for SE03 {title}" in page
    assert awaiting.wording in page and "Confirm my declaration for SE03" in page
    url = f"/declarations/{reg.id}/SE03"
    # a page read before the evidence changed: refused, nothing written, asked to read again
    stale = client.post(url, data={"evidence_set_sha256": "f" * 64})
    assert stale.status_code == 409 and "read the declaration again" in _text(stale)
    assert session.exec(select(LearnerDeclaration)).all() == []
    response = client.post(url, data={"evidence_set_sha256": awaiting.evidence_set_sha256})
    assert response.status_code == 302, _text(response)
    made = session.exec(select(LearnerDeclaration)).one()
    assert made.learner_id == learner.id and made.wording == awaiting.wording
    assert "Confirm your declaration" not in _text(client.get("/"))
    again = client.post(url, data={"evidence_set_sha256": awaiting.evidence_set_sha256})
    assert again.status_code == 422 and "already confirmed" in _text(again)


def test_nobody_else_declares_for_the_learner(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE03")
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    [awaiting] = declarations.awaiting_declarations(session, learner_id=learner.id)
    data = {"evidence_set_sha256": awaiting.evidence_set_sha256}
    auth.login(assessor)
    assert client.post(f"/declarations/{reg.id}/SE03", data=data).status_code == 403
    auth.logout()
    auth.login(make_person("learner"))
    assert client.post(f"/declarations/{reg.id}/SE03", data=data).status_code == 404
    assert session.exec(select(LearnerDeclaration)).all() == []


def test_notification_count_list_and_read(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE03")
    _accept_all(session, learner, assessor, make_evidence, "SE03", declare=False)
    auth.login(learner)
    home = _text(client.get("/"))
    unread = re.search(r'<span class="visually-hidden">\((\d+) unread\)</span>', home)
    assert unread is not None  # the bell says the count in words (decisions, the declaration)
    listing = _text(client.get("/notifications"))
    assert "SE03" in listing and "confirm your declaration" in listing
    note = session.exec(
        select(Notification).where(
            Notification.person_id == learner.id, Notification.kind == "declaration"
        )
    ).one()
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/#declare-{reg.id}-SE03")
    after = _text(client.get("/")).split("</nav>")[0]
    left = int(unread.group(1)) - 1
    assert (f"({left} unread)" if left else "(none unread)") in after
    auth.logout()
    auth.login(assessor)  # another person's notification is not theirs to read
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
