"""A person whose personal data was erased: their page says so and when, offers nothing that
cannot apply to them (withdrawing, a break, their portfolio), the services refuse those if asked
anyway, their registrations no longer read "Active", and the placeholder e-mail address stored in
place of theirs is never shown on the ordinary pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from mappings.privacy.requests import erase_person
from portfolio.errors import Invalid
from portfolio.models import Person, Registration
from portfolio.services import breaks, withdrawals
from portfolio.words import day_words
from tests.conftest import actor_of

TODAY = date.today()
ERASED_ON = f"Their personal data was erased on {day_words(TODAY)}"


@pytest.fixture
def case(session: Session, make_person, make_registration):
    learner, assessor, admin = make_person("learner"), make_person("assessor"), make_person("admin")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    session.commit()
    return learner, assessor, admin, reg


def _erase(session: Session, admin: Person, person: Person) -> None:
    erase_person(session, actor=actor_of(admin), person_id=person.id, store=None)
    session.commit()


def test_the_page_of_an_erased_learner_says_so_and_offers_nothing_that_cannot_apply(
    client, auth, session, case
) -> None:
    learner, _assessor, admin, reg = case
    auth.login(admin)
    before = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f'id="withdraw-{reg.id}"' in before and f'id="start-break-{reg.id}"' in before
    assert "portfolio as Leap2A" in before and learner.email in before
    _erase(session, admin, learner)
    page = client.get(f"/admin/people/{learner.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ERASED_ON in text
    assert "the records the awarding body needs are kept" in text
    assert f'id="withdraw-{reg.id}"' not in text and f'id="start-break-{reg.id}"' not in text
    assert "withdrawal</h2>" not in text and "break in learning</h2>" not in text
    assert "portfolio as Leap2A" not in text and "leap2a.zip" not in text
    assert "erased.invalid" not in text and "erased-" not in text
    assert "<dt>E-mail</dt><dd>erased with their personal data</dd>" in text


def test_an_erased_learners_registrations_no_longer_read_active(
    client, auth, session, case
) -> None:
    learner, _assessor, admin, reg = case
    auth.login(admin)
    assert '<td data-label="State">Active' in client.get("/admin/registrations").get_data(
        as_text=True
    )
    _erase(session, admin, learner)
    text = client.get("/admin/registrations").get_data(as_text=True)
    assert '<td data-label="State">Active' not in text
    assert '<td data-label="State">Ended: the learner&#39;s personal data was erased' in text


def test_posting_a_withdrawal_or_a_break_for_an_erased_learner_is_refused(
    client, auth, session, case
) -> None:
    learner, _assessor, admin, reg = case
    _erase(session, admin, learner)
    auth.login(admin)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    posted = {
        "withdraw": {"on": yesterday, "reason": "Moved away", "withdraw": "Withdraw"},
        "break": {"reason": "Illness", "start": "Start the break"},
    }
    for path, data in posted.items():
        r = client.post(f"/admin/registrations/{reg.id}/{path}", data=data)
        assert r.status_code == 422, path
        assert f"personal data was erased on {day_words(TODAY)}" in r.get_data(as_text=True)
    session.expire_all()
    kept = session.get(Registration, reg.id)
    assert (kept.withdrawn_at, kept.break_since) == (None, None)


@pytest.mark.parametrize("before", ["withdrawn", "on a break"])
def test_the_services_refuse_changing_an_erased_learners_registration(
    session, case, before
) -> None:
    learner, _assessor, admin, reg = case
    me = actor_of(admin)
    if before == "withdrawn":
        withdrawals.withdraw(
            session, actor=me, registration_id=reg.id, on=TODAY, reason="Moved away"
        )
    else:
        breaks.start_break(session, actor=me, registration_id=reg.id, reason="Illness")
    session.commit()
    _erase(session, admin, learner)
    undo = withdrawals.reinstate if before == "withdrawn" else breaks.end_break
    with pytest.raises(Invalid, match="personal data was erased on .*can no longer be changed"):
        undo(session, actor=me, registration_id=reg.id)
    session.rollback()
    kept = session.get(Registration, reg.id)
    assert (kept.withdrawn_at is not None) == (before == "withdrawn")
    assert (kept.break_since is not None) == (before == "on a break")


def test_an_erased_learners_portfolio_is_not_downloaded(client, auth, session, case) -> None:
    learner, _assessor, admin, _reg = case
    _erase(session, admin, learner)
    auth.login(admin)
    r = client.get(f"/learners/{learner.id}/leap2a.zip")
    assert r.status_code == 422
    assert "personal data was erased" in r.get_data(as_text=True)


def test_the_placeholder_address_is_never_shown(client, auth, session, case, make_person) -> None:
    learner, assessor, admin, _reg = case
    other = make_person("learner")
    _erase(session, admin, learner)
    _erase(session, admin, other)
    auth.login(admin)
    for path in (
        "/admin/people",
        "/admin/people?q=erased",
        "/admin/audit?about=erased",
        f"/admin/audit?about_id={learner.id}",
        f"/admin/people/{assessor.id}",
        "/admin/registrations",
    ):
        text = client.get(path).get_data(as_text=True)
        assert "erased.invalid" not in text, path
    listed = client.get("/admin/audit?about=erased").get_data(as_text=True)
    assert listed.count("personal data erased</span>") == 2
    auth.logout()
    auth.login(assessor)
    caseload = client.get("/caseload").get_data(as_text=True)
    assert "erased.invalid" not in caseload


def test_the_api_gives_no_address_for_an_erased_person(session, case) -> None:
    from delivery.web.api.admin import _person

    learner, _assessor, admin, _reg = case
    assert _person(learner, two_step=False)["email"] == learner.email
    _erase(session, admin, learner)
    session.refresh(learner)
    assert learner.email.endswith("erased.invalid")  # what is stored, never given
    assert _person(learner, two_step=False)["email"] is None


def test_the_openapi_document_says_the_address_may_be_null(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    email = document["components"]["schemas"]["Person"]["properties"]["email"]
    assert email.get("nullable") is True or "null" in (email.get("type") or [])
    assert "erased" in email.get("description", "")


def test_the_subject_access_button_reads_sensibly_once_erased(client, auth, session, case) -> None:
    learner, _assessor, admin, _reg = case
    auth.login(admin)
    before = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f"Download everything held about {learner.name}</button>" in before
    _erase(session, admin, learner)
    text = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "about Erased person" not in text
    assert "Download everything still held about this person</button>" in text


def test_the_cohort_page_shows_an_erased_learner_as_ended(client, auth, session, case) -> None:
    """The cohort's progress page works each registration out as it stands (not from the
    caseload's summaries): an erased learner is not shown in progress, red, amber or green."""
    from portfolio.models import Cohort

    learner, _assessor, admin, reg = case
    cohort = Cohort(name="Spring", site="Main site")
    session.add(cohort)
    session.flush()
    reg.cohort_id = cohort.id
    session.add(reg)
    session.commit()
    auth.login(admin)

    def row() -> str:
        html = client.get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
        learners = html.split("<h2>Learners</h2>", 1)[1]
        rows = learners.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
        (found,) = rows
        return found

    assert "Ended" not in row() and 'class="badge rag-' in row()
    _erase(session, admin, learner)
    after = row()
    assert "Ended: personal data erased" in after
    assert '<td data-label="Status">Ended</td>' in after and 'class="badge rag-' not in after
