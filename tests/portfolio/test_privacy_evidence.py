"""Personal data in evidence (issue 19): found on save and submit, marked on the learner's page,
replaced with a placeholder or confirmed as intended, and shown to the assessor."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Evidence, EvidenceVersion, PrivacyFinding, PrivacyScan
from portfolio.services import evidence as service
from tests.conftest import actor_of

BODY = (
    "I met Chloe Adams at the Jobcentre. Her phone number is 07700 900123 and she was "
    "born on 12/03/1985. We talked about a job trial."
)
CLEAN = "I supported a job seeker to prepare for an interview."


def _draft(kind: str = "reflective_account", body: str = BODY, **fields: str) -> service.Draft:
    return service.Draft(
        kind=kind,
        title="Meeting at the Jobcentre",
        activity_date=date.today() - timedelta(days=3),
        body=body,
        fields=fields or None,
    )


def _findings(session, evidence_id: int) -> list[PrivacyFinding]:
    session.expire_all()
    item = session.get(Evidence, evidence_id)
    version = service.current_version(session, item)
    return service.scanning.findings_of(session, version.id)


@pytest.fixture
def people(make_person, make_registration):
    learner = make_person("learner", name="Jo Bloggs")
    assessor = make_person("assessor", name="Asha Assessor")
    iqa = make_person("iqa", name="Ian Quality")
    make_registration(learner, assessor=assessor, iqa=iqa)
    return learner, assessor, iqa


def test_findings_are_stored_when_a_draft_is_saved(session, people) -> None:
    learner, _, _ = people
    item = service.create(session, actor=actor_of(learner), learner_id=learner.id, draft=_draft())
    session.commit()
    found = _findings(session, item.id)
    assert [(f.kind, f.text, f.state) for f in found] == [
        ("name", "Chloe Adams", "found"),
        ("phone", "07700 900123", "found"),
        ("date_of_birth", "12/03/1985", "found"),
    ]
    body = service.current_version(session, item).body
    assert all(body[f.start : f.end] == f.text for f in found)
    assert all(f.attachment_id is None for f in found)
    # the learner's own name is never a finding
    assert "Jo Bloggs" not in {f.text for f in found}
    scans = session.exec(select(PrivacyScan)).all()
    assert [(s.attachment_id, s.findings) for s in scans] == [(None, 3)]


def test_submit_is_refused_while_findings_are_unresolved(session, people) -> None:
    learner, _, _ = people
    me = actor_of(learner)
    item = service.create(session, actor=me, learner_id=learner.id, draft=_draft())
    with pytest.raises(Invalid) as refused:
        service.submit(session, actor=me, evidence_id=item.id, declaration=True)
    message = str(refused.value)
    assert "This evidence may name people" in message
    assert "1 name of a person, 1 phone number and 1 date of birth" in message
    assert "replace or confirm each" in message
    assert item.status == "draft"


def test_submit_scans_what_was_never_scanned(session, people) -> None:
    """A draft saved before scanning existed is scanned when it is submitted."""
    learner, _, _ = people
    me = actor_of(learner)
    item = service.create(session, actor=me, learner_id=learner.id, draft=_draft(body=CLEAN))
    version = service.current_version(session, item)
    for row in session.exec(select(PrivacyScan)).all():
        session.delete(row)
    version.body = "I rang Mr Okafor on 07700 900123."
    session.add(version)
    session.flush()
    with pytest.raises(Invalid, match="1 name of a person and 1 phone number"):
        service.submit(session, actor=me, evidence_id=item.id, declaration=True)


def test_replace_edits_the_text_at_the_finding(session, people) -> None:
    learner, _, _ = people
    me = actor_of(learner)
    item = service.create(session, actor=me, learner_id=learner.id, draft=_draft())
    session.commit()

    def finding(kind: str) -> int:
        # each replacement saves the draft, which is scanned again: the findings are new rows
        return next(
            f.id for f in _findings(session, item.id) if f.kind == kind and f.state == "found"
        )

    replaced = service.personal.replace(
        session, actor=me, evidence_id=item.id, finding_id=finding("phone")
    )
    assert replaced == "[phone number]"
    replaced = service.personal.replace(
        session, actor=me, evidence_id=item.id, finding_id=finding("name")
    )
    assert replaced == "CA"
    session.commit()
    version = service.current_version(session, item)
    assert version.number == 1  # a draft is saved in place
    assert version.body == BODY.replace("Chloe Adams", "CA").replace(
        "07700 900123", "[phone number]"
    )
    rows = _findings(session, item.id)
    assert [(f.kind, f.state, f.placeholder) for f in rows if f.state == "replaced"] == [
        ("name", "replaced", "CA"),
        ("phone", "replaced", "[phone number]"),
    ]
    assert all(f.decided_by == learner.id and f.decided_at for f in rows if f.state == "replaced")
    # what is left was found again at its new place
    (left,) = [f for f in rows if f.state == "found"]
    assert left.kind == "date_of_birth" and version.body[left.start : left.end] == "12/03/1985"


def test_replace_in_a_star_narrative_changes_its_section(session, people) -> None:
    learner, _, _ = people
    me = actor_of(learner)
    sections = {
        "situation": "A job seeker wanted outdoor work.",
        "task": "Find a placement.",
        "action": "I spoke to Mr Okafor at the garden centre.",
        "result": "The trial starts on Monday.",
    }
    item = service.create(
        session, actor=me, learner_id=learner.id, draft=_draft("star_narrative", "", **sections)
    )
    (name,) = _findings(session, item.id)
    assert name.text == "Okafor"
    service.personal.replace(session, actor=me, evidence_id=item.id, finding_id=name.id)
    version = service.current_version(session, item)
    assert version.fields["action"] == "I spoke to Mr O at the garden centre."
    assert version.fields["situation"] == sections["situation"]
    assert "Mr O at the garden centre" in version.body and "Okafor" not in version.body


def test_confirm_is_recorded_and_survives_a_save(session, people) -> None:
    learner, _, _ = people
    me = actor_of(learner)
    body = "My manager Chloe Adams watched the review. Chloe Adams agreed to be named."
    item = service.create(session, actor=me, learner_id=learner.id, draft=_draft(body=body))
    first = _findings(session, item.id)[0]
    assert (
        service.personal.confirm(session, actor=me, evidence_id=item.id, finding_id=first.id) == 2
    )
    session.commit()
    rows = _findings(session, item.id)
    assert {(f.state, f.decided_by) for f in rows} == {("confirmed", learner.id)}
    when = rows[0].decided_at
    assert when is not None
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "evidence.privacy_confirm")
    ).one()
    assert entry.actor_id == learner.id
    assert "Chloe" not in str(entry.data)  # the trail never holds the personal data
    # saved again (text moved): still confirmed, with who and when it was confirmed
    service.update(
        session,
        actor=me,
        evidence_id=item.id,
        expected_version=1,
        draft=_draft(body="Before the review: " + body),
    )
    session.commit()
    again = _findings(session, item.id)
    assert [(f.state, f.decided_by, f.decided_at) for f in again] == [
        ("confirmed", learner.id, when)
    ] * 2
    service.submit(session, actor=me, evidence_id=item.id, declaration=True)


def test_stale_replace_is_refused(session, people) -> None:
    learner, _, _ = people
    me = actor_of(learner)
    item = service.create(session, actor=me, learner_id=learner.id, draft=_draft())
    phone = next(f for f in _findings(session, item.id) if f.kind == "phone")
    service.personal.replace(session, actor=me, evidence_id=item.id, finding_id=phone.id)
    from portfolio.errors import Conflict

    with pytest.raises(Conflict):  # already replaced
        service.personal.replace(session, actor=me, evidence_id=item.id, finding_id=phone.id)


# ------------------------------------------------------------------------------ pages


def _new(client, learner, body: str = BODY) -> int:
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={"title": "Meeting", "activity_date": "2026-03-02", "body": body, "save": "Save"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def test_learner_sees_findings_marked_and_replaces_one(client, auth, session, people) -> None:
    learner, _, _ = people
    auth.login(learner)
    evidence_id = _new(client, learner)
    page = client.get(f"/evidence/{evidence_id}", follow_redirects=True).get_data(as_text=True)
    phone = next(f for f in _findings(session, evidence_id) if f.kind == "phone")
    assert (
        f'<mark id="finding-{phone.id}" class="finding-found">07700 900123'
        '<span class="finding-kind"> (phone number)</span></mark>'
    ) in page
    assert "(name of a person)" in page and "(date of birth)" in page
    assert "Replace with “[phone number]”" in page and "Replace with “CA”" in page
    r = client.post(
        f"/evidence/{evidence_id}/personal-data",
        data={"finding": phone.id, "action": "replace"},
    )
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Replaced with “[phone number]”; the draft is saved." in page
    session.expire_all()
    version = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence_id)
    ).one()
    assert version.body == BODY.replace("07700 900123", "[phone number]")


def test_submit_asks_first_and_keeps_the_input(client, auth, session, people) -> None:
    learner, _, _ = people
    auth.login(learner)
    evidence_id = _new(client, learner)
    r = client.post(f"/evidence/{evidence_id}/submit", data={"declaration": "y"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "This evidence may name people or hold their personal details" in page
    declaration = re.search(r'<input[^>]*name="declaration"[^>]*>', page)
    assert declaration and "checked" in declaration.group(0)  # the tick is kept
    session.expire_all()
    assert session.get(Evidence, evidence_id).status == "draft"
    while left := [f for f in _findings(session, evidence_id) if f.state == "found"]:
        action = "confirm" if left[0].kind == "name" else "replace"
        r = client.post(
            f"/evidence/{evidence_id}/personal-data",
            data={"finding": left[0].id, "action": action},
        )
        assert r.status_code == 302, r.get_data(as_text=True)
    r = client.post(f"/evidence/{evidence_id}/submit", data={"declaration": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)


def test_assessor_and_iqa_see_what_was_checked_and_confirmed(client, auth, session, people) -> None:
    learner, assessor, iqa = people
    auth.login(learner)
    evidence_id = _new(client, learner, "My manager Chloe Adams watched me run the session.")
    (name,) = _findings(session, evidence_id)
    client.post(
        f"/evidence/{evidence_id}/personal-data", data={"finding": name.id, "action": "confirm"}
    )
    r = client.post(f"/evidence/{evidence_id}/submit", data={"declaration": "y"})
    assert r.status_code == 302
    for reader in (assessor, iqa):
        auth.logout()
        auth.login(reader)
        page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
        assert "Checked for personal data on " in page
        assert ": 1 name of a person confirmed as intended." in page
        assert "“Chloe Adams”: name of a person, in the text; confirmed by Jo Bloggs on " in page
        assert "It is intended" not in page and "Check for personal data" not in page
        assert "finding-kind" not in page  # nothing marked for readers


def test_other_people_cannot_act_on_findings(client, auth, session, people) -> None:
    learner, assessor, _ = people
    auth.login(learner)
    evidence_id = _new(client, learner)
    finding = _findings(session, evidence_id)[0]
    auth.logout()
    auth.login(assessor)
    r = client.post(
        f"/evidence/{evidence_id}/personal-data", data={"finding": finding.id, "action": "confirm"}
    )
    assert r.status_code in (403, 404)
    assert _findings(session, evidence_id)[0].state == "found"


def test_attached_file_text_is_scanned_when_read(client, auth, session, people) -> None:
    learner, _, _ = people
    auth.login(learner)
    evidence_id = _new(client, learner, CLEAN)
    data = {
        "file": (
            io.BytesIO(b"Notes of the review.\nCall back on 07700 900456 next week.\n"),
            "n.txt",
        ),
        "upload": "Upload",
    }
    r = client.post(
        f"/evidence/{evidence_id}/attachments", data=data, content_type="multipart/form-data"
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    (finding,) = _findings(session, evidence_id)
    assert (finding.kind, finding.text) == ("phone", "07700 900456")
    assert finding.attachment_id is not None
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert "phone number, in n.txt" in page
    assert "change the file and attach it again" in page
    r = client.post(
        f"/evidence/{evidence_id}/personal-data", data={"finding": finding.id, "action": "replace"}
    )
    assert r.status_code == 422
    assert "This is in an attached file" in r.get_data(as_text=True)
    r = client.post(f"/evidence/{evidence_id}/submit", data={"declaration": "y"})
    assert r.status_code == 422 and "1 phone number" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("name", "Chloe Adams", "CA"),
        ("name", "Okafor", "O"),
        ("phone", "07700 900123", "[phone number]"),
        ("date_of_birth", "12/03/1985", "[date of birth]"),
        ("ni_number", "AB 12 34 56 C", "[National Insurance number]"),
        ("client_ref", "CR-123456", "[client ref]"),  # a centre's own kind
    ],
)
def test_placeholders(kind: str, text: str, expected: str) -> None:
    assert service.scanning.placeholder(kind, text) == expected


def test_counted_words() -> None:
    counted = service.scanning.counted
    assert counted(["name"]) == "1 name of a person"
    assert counted(["name", "phone", "name"]) == "2 names of people and 1 phone number"
    assert counted(["email", "email", "address", "postcode"]) == (
        "2 e-mail addresses, 1 street address and 1 postcode"
    )


def test_replace_in_the_text_after_star_sections() -> None:
    from portfolio.services.evidence.drafts import compose_body
    from portfolio.services.evidence.personal import _replaced

    fields = {"situation": "S.", "task": "T.", "action": "A.", "result": "R."}
    body = compose_body("star_narrative", "Ring Dean later.", fields)
    start = body.index("Dean")
    extra, after = _replaced("star_narrative", body, fields, start, start + 4, "D")
    assert (extra, after) == ("Ring D later.", fields)


def test_a_confirmation_holds_in_the_next_version(session, people) -> None:
    """Editing a submitted item makes a new draft version: what was confirmed stays confirmed."""
    learner, _, _ = people
    me = actor_of(learner)
    body = "My manager Chloe Adams watched the review."
    item = service.create(session, actor=me, learner_id=learner.id, draft=_draft(body=body))
    (name,) = _findings(session, item.id)
    service.personal.confirm(session, actor=me, evidence_id=item.id, finding_id=name.id)
    service.submit(session, actor=me, evidence_id=item.id, declaration=True)
    service.update(
        session,
        actor=me,
        evidence_id=item.id,
        expected_version=1,
        draft=_draft(body=body + " I rang 07700 900123 after."),
    )
    session.commit()
    assert service.current_version(session, item).number == 2
    rows = _findings(session, item.id)
    assert [(f.kind, f.state, f.decided_by) for f in rows] == [
        ("name", "confirmed", learner.id),
        ("phone", "found", None),
    ]
