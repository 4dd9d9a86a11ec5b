"""An administrator corrects a person's details (name, e-mail, roles, site): by the service,
which checks who asks, and on the person's page. Every change is one audit entry with the old
and the new values; a refused change writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from portfolio.errors import Invalid, NotFound, PermissionDenied
from portfolio.models import AuditEntry, Person
from portfolio.services import people
from tests.conftest import PASSWORD, actor_of


def _details(person: Person, **changes: object) -> dict[str, object]:
    found = {"name": person.name, "email": person.email, "roles": sorted(person.role_set),
             "site": person.site}  # fmt: skip
    return {**found, **changes}


def _entries(session, person_id: int) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "person.update", AuditEntry.subject_id == person_id)
            .order_by(col(AuditEntry.id))
        )
    )


def test_an_administrator_corrects_a_person_and_it_is_audited(session, make_person) -> None:
    admin = make_person("admin")
    person = make_person("learner", name="Mria Smith", email="mria@centre.test")
    people.update_person(
        session, actor=actor_of(admin), person_id=person.id,
        **_details(person, name="Maria Smith", email=" Maria@Centre.TEST ",
                   roles=["learner", "assessor"], site="North site"),
    )  # fmt: skip
    session.commit()
    session.refresh(person)
    assert (person.name, person.email, person.role_set, person.site) == (
        "Maria Smith", "maria@centre.test", frozenset({"learner", "assessor"}), "North site"
    )  # fmt: skip
    [entry] = _entries(session, person.id)
    assert entry.actor_id == admin.id
    assert entry.data == {
        "name": {"old": "Mria Smith", "new": "Maria Smith"},
        "email": {"old": "mria@centre.test", "new": "maria@centre.test"},
        "roles": {"old": "learner", "new": "assessor,learner"},
        "site": {"old": "Main site", "new": "North site"},
    }


def test_saving_without_a_change_records_nothing(session, make_person) -> None:
    admin, person = make_person("admin"), make_person("learner")
    people.update_person(session, actor=actor_of(admin), person_id=person.id, **_details(person))
    assert _entries(session, person.id) == []


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "eqa"])
def test_only_administrators_change_details(session, make_person, role) -> None:
    someone, person = make_person(role), make_person("learner")
    with pytest.raises(PermissionDenied):
        people.update_person(
            session, actor=actor_of(someone), person_id=someone.id, **_details(someone, name="X")
        )
    with pytest.raises(PermissionDenied):
        people.update_person(
            session, actor=actor_of(someone), person_id=person.id, **_details(person, name="X")
        )


def test_an_e_mail_another_account_has_is_refused(session, make_person) -> None:
    admin, taken, person = make_person("admin"), make_person("assessor"), make_person("learner")
    name = person.name
    with pytest.raises(Invalid) as refused:
        people.update_person(
            session, actor=actor_of(admin), person_id=person.id,
            **_details(person, name="Changed", email=taken.email.upper()),
        )  # fmt: skip
    assert refused.value.field == "email"
    assert str(refused.value) == f"Another account already has the e-mail {taken.email}."
    session.rollback()
    session.refresh(person)
    assert person.name == name and _entries(session, person.id) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": " "}, "name", "A name is required."),
        ({"email": "first..last@x.org"}, "email", "two periods in a row"),
        ({"roles": []}, "roles", "at least one role"),
        ({"roles": ["wizard"]}, "roles", "wizard"),
        ({"site": ""}, "site", "A site is required."),
    ],
)
def test_the_same_rules_as_adding_a_person(session, make_person, changes, field, words) -> None:
    admin, person = make_person("admin"), make_person("learner")
    with pytest.raises(Invalid) as refused:
        people.update_person(
            session, actor=actor_of(admin), person_id=person.id, **_details(person, **changes)
        )
    assert refused.value.field == field and words in str(refused.value)


def test_losing_the_assessor_role_is_allowed(session, make_person, make_registration) -> None:
    """Access reads roles at each request, so a former assessor simply stops assessing."""
    admin, assessor = make_person("admin"), make_person("assessor,iqa")
    make_registration(assessor=assessor)
    people.update_person(session, actor=actor_of(admin), person_id=assessor.id,
                         **_details(assessor, roles=["iqa"]))  # fmt: skip
    session.commit()
    session.refresh(assessor)
    assert assessor.role_set == {"iqa"}


def test_an_administrator_keeps_their_own_admin_role(session, make_person) -> None:
    admin = make_person("admin")
    with pytest.raises(Invalid) as refused:
        people.update_person(session, actor=actor_of(admin), person_id=admin.id,
                             **_details(admin, roles=["assessor"]))  # fmt: skip
    assert refused.value.field == "roles" and "your own" in str(refused.value)


def test_unknown_and_erased_people(session, make_person) -> None:
    admin, person = make_person("admin"), make_person("learner")
    with pytest.raises(NotFound):
        people.update_person(session, actor=actor_of(admin), person_id=999_999,
                             **_details(person))  # fmt: skip
    person.erased_at = person.created_at
    session.add(person)
    session.commit()
    with pytest.raises(Invalid):
        people.update_person(session, actor=actor_of(admin), person_id=person.id,
                             **_details(person, name="Back again"))  # fmt: skip


def _form(person: Person, **changes: object) -> dict[str, object]:
    found = _details(person, **changes)
    return {f"dt-{key}": value for key, value in found.items()} | {"dt-save": "Save details"}


def test_change_details_on_the_persons_page(client, auth, session, make_person) -> None:
    auth.login("admin")
    person = make_person("learner", email="old@centre.test")
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Change details" in page and 'value="old@centre.test"' in page
    ticked = re.findall(r'<input checked[^>]*name="dt-roles"[^>]*value="(\w+)"', page)
    assert ticked == ["learner"]
    answer = client.post(
        f"/admin/people/{person.id}",
        data=_form(person, name="New Name", email="new@centre.test", roles=["learner", "iqa"]),
    )
    assert answer.status_code == 302
    session.refresh(person)
    assert (person.name, person.email, person.role_set) == (
        "New Name", "new@centre.test", frozenset({"learner", "iqa"}))  # fmt: skip
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Saved the details of New Name." in shown
    client.post("/logout")
    logged = client.post("/login", data={"email": "new@centre.test", "password": PASSWORD})
    assert logged.status_code == 302


def test_the_page_shows_a_refusal_beside_the_field(client, auth, session, make_person) -> None:
    auth.login("admin")
    taken, person = make_person("assessor"), make_person("learner")
    answer = client.post(
        f"/admin/people/{person.id}", data=_form(person, name="Typed", email=taken.email)
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f"Another account already has the e-mail {taken.email}." in html
    assert 'id="dt-email-error"' in html and 'value="Typed"' in html
    session.refresh(person)
    assert person.name != "Typed"


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "eqa"])
def test_other_roles_cannot_change_details_on_the_page(client, auth, session, make_person, role):
    person = make_person("learner")
    name = person.name
    auth.login(role)
    answer = client.post(f"/admin/people/{person.id}", data=_form(person, name="Hacked"))
    assert answer.status_code == 403
    session.refresh(person)
    assert person.name == name


def test_the_details_stay_filled_in_beside_another_forms_error(client, auth, make_person):
    auth.login("admin")
    person = make_person("learner", email="kept@centre.test")
    answer = client.post(f"/admin/people/{person.id}",
                         data={"pw-password": "short", "pw-confirm": "short", "pw-reset": "Reset"})  # fmt: skip
    assert answer.status_code == 422 and 'value="kept@centre.test"' in answer.get_data(as_text=True)


def test_a_person_without_registrations_is_told_so_in_words(client, auth, make_person):
    auth.login("admin")
    person = make_person("assessor")
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert f"{person.name} is not the learner, assessor or IQA of any registration." in page
    assert "None." not in page
