"""One rule for an e-mail address, kept by the service and used by every way an account is made:
the administrator's page, the CSV import, the API and the command line. The log-in form looks
up any address it is given, so no account has an address that cannot log in."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portfolio.errors import Invalid
from portfolio.models import Person
from portfolio.services import people
from portfolio.services.people_import import import_people
from tests.conftest import PASSWORD, actor_of

# addresses real centres have: internal domains (.local, .test) and what mail allows
GOOD = [
    "maria@centre.test",
    "x@college.local",
    "Lena.Smith+portfolio@Example.ORG",
    "o'brien@example.org",
    "josé@example.org",
    "a@mail.localhost",
]
BAD = [
    "first..last@x.org",
    ".first@x.org",
    "first.@x.org",
    "no-at-sign.example.org",
    "two@@x.org",
    "a@b",
    "a b@x.org",
    "a@x..org",
    "a@-x.org",
    "a@x.invalid",
    '"quoted"@x.org',
    "a@[192.0.2.1]",
    "a@x.org\u200b",
    "x" * 320 + "@x.org",
]


@pytest.mark.parametrize("address", GOOD)
def test_the_rule_accepts_addresses_centres_have(address) -> None:
    assert people.check_email(f"  {address} ") == address.lower()


@pytest.mark.parametrize("address", BAD)
def test_the_rule_refuses_what_is_not_an_address(address) -> None:
    with pytest.raises(Invalid) as refused:
        people.check_email(address)
    assert refused.value.field == "email" and "e-mail address" in str(refused.value)


def test_a_person_added_on_the_page_with_an_internal_domain_logs_in(client, auth, session):
    auth.login("admin")
    data = {"name": "Maria Centre", "email": "maria@centre.test", "roles": ["learner"],
            "site": "Main site", "password": PASSWORD}  # fmt: skip
    assert client.post("/admin/people", data=data).status_code == 302
    auth.logout()
    answer = client.post("/login", data={"email": "maria@centre.test", "password": PASSWORD})
    assert answer.status_code == 302


def test_the_page_refuses_with_the_services_words(client, auth, session) -> None:
    auth.login("admin")
    data = {"name": "Double Dot", "email": "first..last@x.org", "roles": ["learner"],
            "site": "Main site"}  # fmt: skip
    answer = client.post("/admin/people", data=data)
    assert answer.status_code == 422
    assert "two periods in a row" in answer.get_data(as_text=True)
    assert session.exec(select(Person).where(Person.name == "Double Dot")).first() is None


def test_the_csv_import_uses_the_same_rule(session, make_person) -> None:
    admin = actor_of(make_person("admin"))
    data = (
        b"name,email,roles\n"
        b"Maria Centre,maria@centre.test,learner\n"
        b"Xan College,x@college.local,assessor\n"
        b"Double Dot,first..last@x.org,learner\n"
    )
    report = import_people(session, actor=admin, data=data, dry_run=True)
    errors = {r.line: " ".join(r.errors) for r in report.rows if r.errors}
    assert list(errors) == [4] and "two periods in a row" in errors[4]
    fixed = data.replace(b"first..last", b"first.last")
    assert import_people(session, actor=admin, data=fixed, dry_run=False).written


def test_log_in_looks_up_any_address_an_account_has(client, session, make_person) -> None:
    """Accounts made before the one rule may hold an address it refuses: they still log in."""
    person = make_person("learner")
    person.email = "first..last@x.org"
    session.add(person)
    session.commit()
    answer = client.post("/login", data={"email": "First..Last@x.org", "password": PASSWORD})
    assert answer.status_code == 302
    client.post("/logout")
    unknown = client.post("/login", data={"email": "nobody", "password": PASSWORD})
    assert unknown.status_code != 302 and "E-mail" in unknown.get_data(as_text=True)


def test_forgotten_password_takes_any_address(client) -> None:
    answer = client.post("/password/forgot", data={"email": "maria@centre.test"})
    assert answer.status_code in (200, 302)


def test_the_cli_uses_the_same_rule(cli) -> None:
    refused = cli("people", "add", "--name", "Dots", "--email", "first..last@x.org",
                  "--role", "learner")  # fmt: skip
    assert refused.exit_code == 1 and "two periods in a row" in refused.output
    made = cli("people", "add", "--name", "Maria", "--email", "maria@centre.test",
               "--role", "learner")  # fmt: skip
    assert made.exit_code == 0, made.output


def test_the_api_uses_the_same_rule(client, session, make_person) -> None:
    from tests.delivery.api_world import bearer, token_for

    admin = make_person("admin")
    headers = bearer(token_for(session, admin.id))
    refused = client.post("/api/v1/people", headers=headers, json={
        "name": "Dots", "email": "first..last@x.org", "roles": ["learner"]})  # fmt: skip
    assert refused.status_code == 422 and "two periods" in refused.get_data(as_text=True)
    made = client.post("/api/v1/people", headers=headers, json={
        "name": "Maria", "email": "maria@centre.test", "roles": ["learner"]})  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
