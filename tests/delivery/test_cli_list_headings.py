"""The lists the commands print say what each column is: `cohort list` printed "3  North  Leeds  4",
a bare count nobody could read without the source; now a heading names the columns. `tokens list`
says until when a token works, as the tokens page does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from portfolio.models import Person
from portfolio.services import registrations, tokens
from portfolio.services.people import SYSTEM


def test_the_cohort_list_names_its_columns(
    cli: Callable[..., Any],
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
) -> None:
    empty = cli("cohort", "list")
    assert empty.exit_code == 0 and empty.output.strip() == "No cohorts yet.", empty.output
    north = registrations.create_cohort(session, actor=SYSTEM, name="North", site="Leeds")
    for _ in range(2):
        reg = make_registration()
        reg.cohort_id = north.id
        session.add(reg)
    session.commit()
    listed = cli("cohort", "list").output.splitlines()
    assert listed[0].split() == ["Id", "Name", "Site", "Registrations", "State"]
    row = next(line for line in listed[1:] if "North" in line)
    assert row.split() == [str(north.id), "North", "Leeds", "2", "Open"]
    # each value under its heading
    assert row.index("Leeds") == listed[0].index("Site")
    assert row.index("2  Open") + 1 == listed[0].index("Registrations") + len("Registrations")
    assert row.index("Open") == listed[0].index("State")


def test_the_token_list_names_its_columns_and_says_until_when_each_works(
    cli: Callable[..., Any], session: Session, make_person: Callable[..., Person]
) -> None:
    empty = cli("tokens", "list")
    assert empty.exit_code == 0 and empty.output.strip() == "No tokens yet.", empty.output
    person = make_person("learner", email="tess@centre.test")
    made = {
        name: tokens.create(session, actor=SYSTEM, person_id=person.id or 0, name=name,
                            scopes=["read"], days=days).token
        for name, days in (("sync", 30), ("forever", None), ("old", None))
    }  # fmt: skip
    tokens.revoke(session, actor=SYSTEM, token_id=made["old"].id or 0)
    session.commit()
    listed = cli("tokens", "list").output.splitlines()
    assert listed[0].split() == ["Id", "Person", "Name", "May", "State"]
    rows = {line.split()[2]: line for line in listed[1:]}
    assert rows.keys() == made.keys()
    assert re.search(r"  works until \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d$", rows["sync"])
    assert rows["forever"].endswith("  works") and rows["old"].endswith("  revoked")
    assert all("tess@centre.test" in row and " read " in row for row in rows.values())
    assert not re.search(r"\d{4}-\d\d-\d\d", "\n".join(listed))  # no ISO timestamps


def test_the_people_list_names_its_columns(
    cli: Callable[..., Any], make_person: Callable[..., Person]
) -> None:
    assert cli("people", "list", "--role", "eqa").output.strip() == "No people with that role."
    person = make_person("assessor", name="Ana Lyst", email="ana@centre.test")
    listed = cli("people", "list").output.splitlines()
    assert listed[0].split() == ["Id", "Name", "E-mail", "Two-step", "Roles"]
    row = next(line for line in listed[1:] if "Ana Lyst" in line)
    assert row.split() == [str(person.id), "Ana", "Lyst", "ana@centre.test", "off", "assessor"]
    assert row.index("ana@centre.test") == listed[0].index("E-mail")
    assert row.index("off") == listed[0].index("Two-step")


def test_people_add_and_list_say_roles_in_words(cli: Callable[..., Any], tmp_path: Any) -> None:
    password = tmp_path / "pw"
    password.write_text("a long enough password 123\n")
    r = cli(
        "people", "add", "--name", "Quinn Assure", "--email", "quinn@centre.test",
        "--role", "iqa,eqa", "--password-file", str(password),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "as external quality assurer, internal quality assurer (id " in r.output
    assert "iqa" not in r.output.replace("quinn@", "")
    row = next(line for line in cli("people", "list").output.splitlines() if "Quinn" in line)
    assert row.endswith("off       external quality assurer, internal quality assurer")


def test_the_framework_list_names_its_columns_and_says_version(cli: Callable[..., Any]) -> None:
    listed = cli("framework", "list").output.splitlines()
    assert listed[0].split() == ["Code", "Version", "Standards", "Criteria", "Title"]
    row = next(line for line in listed[1:] if line.startswith("SE "))
    assert row.split()[:4] == ["SE", "1", "8", "188"] and " v1 " not in row
    assert row.endswith("Supported Employment National Occupational Standards")
    assert row.index(" 1 ") + 1 == listed[0].index("Version")
