"""A closed cohort takes no new registration: the registration forms offer only open cohorts (the
edit form also the registration's own, closed or not), and the service refuses one into a closed
cohort in words, from the page, the command, the CSV import and the API, writing nothing. The
registrations already in it stay, and its progress page still works."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from portfolio.errors import Invalid
from portfolio.models import AuditEntry, Cohort, Registration
from portfolio.services import cohorts, registrations
from portfolio.services.people import SYSTEM
from portfolio.services.people_import import import_people
from tests.conftest import actor_of
from tests.delivery.api_world import bearer, token_for

REFUSAL = "The cohort “Spring 2024” is closed: a new registration cannot go into it."


def _count(session, model) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def _closed(session, name: str = "Spring 2024") -> Cohort:
    cohort = registrations.create_cohort(session, actor=SYSTEM, name=name)
    cohorts.close_cohort(session, actor=SYSTEM, cohort_id=cohort.id or 0)
    session.commit()
    return cohort


def _register(session, framework, learner, assessor, iqa, cohort_id):
    return registrations.register(
        session, actor=SYSTEM, learner_id=learner.id, framework_id=framework.id,
        standard_codes=["SE01"], assessor_id=assessor.id, iqa_id=iqa.id, cohort_id=cohort_id,
        start_date=date.today(), planned_end=date.today() + timedelta(days=300),
    )  # fmt: skip


@pytest.fixture
def trio(make_person):
    return make_person("learner"), make_person("assessor"), make_person("iqa")


def test_the_service_refuses_a_new_registration_into_a_closed_cohort(
    session, sample_framework, trio
) -> None:
    cohort = _closed(session)
    before = (_count(session, Registration), _count(session, AuditEntry))
    with pytest.raises(Invalid, match=REFUSAL):
        _register(session, sample_framework, *trio, cohort.id)
    session.rollback()
    assert (_count(session, Registration), _count(session, AuditEntry)) == before


def test_a_registration_already_in_it_stays_keeps_it_and_may_not_be_moved_into_one(
    session, sample_framework, trio, make_person
) -> None:
    learner, assessor, iqa = trio
    spring = registrations.create_cohort(session, actor=SYSTEM, name="Spring 2024")
    reg = _register(session, sample_framework, learner, assessor, iqa, spring.id)
    other = _register(session, sample_framework, make_person("learner"), assessor, iqa, None)
    cohorts.close_cohort(session, actor=SYSTEM, cohort_id=spring.id or 0)
    session.commit()
    assert session.get(Registration, reg.id).cohort_id == spring.id
    new_assessor = make_person("assessor")
    registrations.update_allocation(  # saved with its own closed cohort: works
        session, actor=SYSTEM, registration_id=reg.id, assessor_id=new_assessor.id,
        iqa_id=iqa.id, cohort_id=spring.id,
    )  # fmt: skip
    session.commit()
    assert session.get(Registration, reg.id).assessor_id == new_assessor.id
    with pytest.raises(Invalid, match="The cohort “Spring 2024” is closed"):
        registrations.update_allocation(
            session, actor=SYSTEM, registration_id=other.id, assessor_id=assessor.id,
            iqa_id=iqa.id, cohort_id=spring.id,
        )  # fmt: skip
    session.rollback()
    assert session.get(Registration, other.id).cohort_id is None


def _cohort_select(page: str) -> str:
    """The cohort field's options."""
    return page.split('id="cohort_id"', 1)[1].split("</select>", 1)[0]


def test_the_forms_offer_only_open_cohorts_and_the_edit_form_its_own(
    client, auth, session, sample_framework, trio, make_person
) -> None:
    auth.login("admin")
    learner, assessor, iqa = trio
    spring = registrations.create_cohort(session, actor=SYSTEM, name="Spring 2024")
    reg = _register(session, sample_framework, learner, assessor, iqa, spring.id)
    cohorts.close_cohort(session, actor=SYSTEM, cohort_id=spring.id or 0)
    _closed(session, "Winter 2023")
    registrations.create_cohort(session, actor=SYSTEM, name="Autumn 2026")
    session.commit()
    new = _cohort_select(client.get("/admin/registrations").get_data(as_text=True))
    assert "Autumn 2026" in new and "Winter 2023" not in new and "Spring 2024" not in new
    edit = _cohort_select(client.get(f"/admin/registrations/{reg.id}").get_data(as_text=True))
    assert "Autumn 2026" in edit and "Winter 2023" not in edit
    assert f'<option selected value="{spring.id}">Spring 2024 (Main site, closed)</option>' in edit
    unchanged = {
        "standards": ["SE01"], "assessor_id": assessor.id, "iqa_id": iqa.id,
        "cohort_id": spring.id, "planned_end": reg.planned_end.isoformat(),
    }  # fmt: skip
    assert client.post(f"/admin/registrations/{reg.id}", data=unchanged).status_code == 302


def test_the_page_refuses_a_closed_cohort_in_words_and_writes_nothing(
    client, auth, session, sample_framework, trio
) -> None:
    auth.login("admin")
    learner, assessor, iqa = trio
    cohort = _closed(session)
    before = _count(session, Registration)
    response = client.post("/admin/registrations", data={
        "learner_email": learner.email, "framework_id": sample_framework.id,
        "standards": ["SE01"], "assessor_id": assessor.id, "iqa_id": iqa.id,
        "cohort_id": cohort.id, "start_date": "2026-03-02", "planned_end": "2027-03-01",
    })  # fmt: skip
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)
    assert _count(session, Registration) == before


def test_the_csv_import_refuses_a_row_naming_a_closed_cohort(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    _closed(session)
    assessor, iqa = make_person("assessor"), make_person("iqa")
    data = (
        "name,email,roles,framework,standards,assessor,iqa,cohort\n"
        f"Cora Closed,cora.closed@example.org,learner,SE,SE01,{assessor.email},{iqa.email},"
        "Spring 2024\n"
    ).encode()
    people_before = _count(session, Registration)
    for dry_run in (True, False):
        report = import_people(session, actor=admin, data=data, dry_run=dry_run)
        assert not report.written
        assert any(REFUSAL in e for e in report.rows[0].errors), report.rows[0].errors
    session.commit()
    assert _count(session, Registration) == people_before


def test_the_command_and_the_api_refuse_it_too(
    cli, client, session, sample_framework, trio, make_person
) -> None:
    learner, assessor, iqa = trio
    cohort = _closed(session)
    r = cli(
        "register", "--learner", str(learner.id), "--framework", "SE", "--standards", "SE01",
        "--assessor", str(assessor.id), "--iqa", str(iqa.id), "--cohort", str(cohort.id),
    )  # fmt: skip
    assert r.exit_code == 1 and REFUSAL in r.output
    headers = bearer(token_for(session, make_person("admin").id or 0))
    answer = client.post("/api/v1/registrations", headers=headers, json={
        "learner_id": learner.id, "framework_id": sample_framework.id, "standards": ["SE01"],
        "assessor_id": assessor.id, "iqa_id": iqa.id, "cohort_id": cohort.id,
        "start_date": "2026-03-02", "planned_end": "2027-03-01",
    })  # fmt: skip
    assert answer.status_code == 422 and REFUSAL in answer.get_json()["detail"]
    assert (
        session.exec(select(Registration).where(Registration.learner_id == learner.id)).all() == []
    )


def test_a_closed_cohorts_progress_page_still_works(
    client, auth, session, sample_framework, trio
) -> None:
    learner, assessor, iqa = trio
    spring = registrations.create_cohort(session, actor=SYSTEM, name="Spring 2024")
    _register(session, sample_framework, learner, assessor, iqa, spring.id)
    cohorts.close_cohort(session, actor=SYSTEM, cohort_id=spring.id or 0)
    session.commit()
    auth.login("admin")
    page = client.get(f"/cohorts/{spring.id}/progress")
    assert page.status_code == 200 and learner.name in page.get_data(as_text=True)


def _statements(session):
    seen: list[str] = []
    bind = session.get_bind()

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(bind, "before_cursor_execute", count)
    return seen, lambda: event.remove(bind, "before_cursor_execute", count)


def test_the_registration_forms_read_as_many_statements_whatever_the_closed_cohorts(
    client, auth, session, sample_framework, trio
) -> None:
    auth.login("admin")
    reg = _register(session, sample_framework, *trio, None)
    session.commit()
    counts = []
    for n in (1, 20):
        for _ in range(n):
            _closed(session, f"Closed {uuid.uuid4().hex[:8]}")
        seen, stop = _statements(session)
        try:
            pages = [
                client.get("/admin/registrations"),
                client.get(f"/admin/registrations/{reg.id}"),
            ]
        finally:
            stop()
        assert all(p.status_code == 200 for p in pages)
        assert not any("Closed " in p.get_data(as_text=True) for p in pages)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_a_cohort_that_does_not_exist_is_said_in_words_on_pages_and_by_id_in_the_command(
    cli, client, auth, session, sample_framework, trio
) -> None:
    """No page shows a raw id for a cohort that is not there (a tampered form, an old address);
    the command line keeps the id, which is what the operator typed there."""
    learner, assessor, iqa = trio
    missing = 999_999
    with pytest.raises(Invalid, match="^There is no such cohort.$") as refused:
        _register(session, sample_framework, *trio, missing)
    assert refused.value.field == "cohort_id"
    session.rollback()
    auth.login("admin")
    form = client.post("/admin/registrations", data={
        "learner_email": learner.email, "framework_id": sample_framework.id,
        "standards": ["SE01"], "assessor_id": assessor.id, "iqa_id": iqa.id,
        "cohort_id": missing, "start_date": "2026-03-02", "planned_end": "2027-03-01",
    })  # fmt: skip
    assert form.status_code == 422
    assert 'id="cohort_id-error"' in form.get_data(as_text=True)
    assert "There is no such cohort." in form.get_data(as_text=True)
    for answer in (
        client.get(f"/admin/cohorts/{missing}/close"),
        client.post(f"/admin/cohorts/{missing}/close", data={"sure": "y"}),
        client.post(f"/admin/cohorts/{missing}/reopen"),
    ):
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404 and "No such cohort." in page
        assert str(missing) not in page
    assert _count(session, Registration) == 0
    for args in (
        ("cohort", "close", "--id", str(missing)),
        ("cohort", "reopen", "--id", str(missing)),
        ("register", "--learner", str(learner.id), "--framework", "SE", "--standards", "SE01",
         "--assessor", str(assessor.id), "--iqa", str(iqa.id), "--cohort", str(missing)),
    ):  # fmt: skip
        r = cli(*args)
        assert r.exit_code == 1 and f"There is no cohort with id {missing}." in r.output, args
