"""An administrator gives a learner's ULN on their page and a registration's awarding body number
on its page, the command line adds a learner with their ULN, and the API says both and changes
the awarding body number. A refusal is shown beside its field and writes nothing, not even the
form's other changes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from portfolio.models import Person, Registration
from tests.delivery.api_world import api_world, bearer, token_for, world  # noqa: F401 - fixtures

ULN = "1234567899"


def _details(person: Person, **changes: object) -> dict[str, object]:
    found = {"name": person.name, "email": person.email, "roles": sorted(person.role_set),
             "site": person.site, "uln": person.uln or ""}  # fmt: skip
    return {f"dt-{k}": v for k, v in {**found, **changes}.items()} | {"dt-save": "Save details"}


def test_the_learners_page_gives_and_shows_their_uln(client, auth, session, make_person) -> None:
    auth.login("admin")
    learner = make_person("learner")
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Unique learner number (ULN)" in page and "not given" in page
    answer = client.post(f"/admin/people/{learner.id}", data=_details(learner, uln="123 456 7899"))
    assert answer.status_code == 302
    session.refresh(learner)
    assert learner.uln == ULN
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"<dd>{ULN}</dd>" in shown and f'value="{ULN}"' in shown


def test_a_staff_members_page_has_no_uln_box(client, auth, make_person) -> None:
    auth.login("admin")
    assessor = make_person("assessor")
    page = client.get(f"/admin/people/{assessor.id}").get_data(as_text=True)
    assert "dt-uln" not in page and "Unique learner number" not in page


def test_a_bad_uln_is_shown_beside_its_box_with_the_others(client, auth, session, make_person):
    auth.login("admin")
    learner = make_person("learner")
    name = learner.name
    answer = client.post(
        f"/admin/people/{learner.id}",
        data=_details(learner, name="Typed Name", email="not an address", uln="1234567890"),
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="dt-uln-error"' in html and "its last digit does not check" in html
    assert 'id="dt-email-error"' in html  # reported together
    assert 'value="Typed Name"' in html and 'value="1234567890"' in html  # nothing typed is lost
    session.refresh(learner)
    assert (learner.name, learner.uln) == (name, None)


def test_a_uln_another_learner_has_writes_nothing(client, auth, session, make_person) -> None:
    admin = auth.login("admin")
    first, second = make_person("learner", name="Ann First"), make_person("learner")
    client.post(f"/admin/people/{first.id}", data=_details(first, uln=ULN))
    name = second.name
    answer = client.post(
        f"/admin/people/{second.id}", data=_details(second, name="Renamed", uln=ULN)
    )
    assert answer.status_code == 422
    assert f"Ann First already has the unique learner number {ULN}." in answer.get_data(
        as_text=True
    )
    session.expire_all()
    again = session.get(Person, second.id)
    assert (again.name, again.uln) == (name, None)  # the rename went back with the refusal
    assert admin.id


def test_the_registration_page_gives_the_awarding_body_number(
    client, auth, session, make_person, make_registration
) -> None:
    auth.login("admin")
    assessor, iqa = make_person("assessor"), make_person("iqa")
    reg = make_registration(assessor=assessor, iqa=iqa, codes="SE01")
    page = client.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    assert "Awarding body registration number (optional)" in page
    form = {"standards": ["SE01"], "assessor_id": assessor.id, "iqa_id": iqa.id,
            "cohort_id": 0, "planned_end": reg.planned_end.isoformat()}  # fmt: skip
    answer = client.post(
        f"/admin/registrations/{reg.id}", data={**form, "awarding_body_ref": " AB/77 "}
    )
    assert answer.status_code == 302
    session.refresh(reg)
    assert reg.awarding_body_ref == "AB/77"
    page = client.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    assert 'value="AB/77"' in page
    too_long = client.post(
        f"/admin/registrations/{reg.id}", data={**form, "awarding_body_ref": "X" * 31}
    )
    assert too_long.status_code == 422
    assert "at most 30 characters" in too_long.get_data(as_text=True)
    session.refresh(reg)
    assert reg.awarding_body_ref == "AB/77"


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "eqa"])
def test_other_roles_cannot_give_numbers(client, auth, session, make_person, role) -> None:
    learner = make_person("learner")
    auth.login(role)
    answer = client.post(f"/admin/people/{learner.id}", data=_details(learner, uln=ULN))
    assert answer.status_code == 403
    session.refresh(learner)
    assert learner.uln is None


def test_the_command_adds_a_learner_with_their_uln(cli, session, tmp_path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a long password\n")
    args = ["people", "add", "--name", "Cli Learner", "--email", "cli@example.org",
            "--role", "learner", "--password-file", str(secret)]  # fmt: skip
    bad = cli(*args, "--uln", "1234567890")
    assert bad.exit_code != 0 and "its last digit does not check" in bad.output
    assert session.exec(select(Person).where(Person.email == "cli@example.org")).first() is None
    made = cli(*args, "--uln", ULN, "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["uln"] == ULN
    assert session.exec(select(Person.uln).where(Person.email == "cli@example.org")).one() == ULN


def test_the_api_says_the_numbers_and_changes_the_awarding_body_number(
    client,
    session,
    api_world,  # noqa: F811
) -> None:
    walk, values = api_world
    admin = bearer(walk["tokens"]["admin"])
    reg_id = values["registration_id"]
    changed = client.patch(
        f"/api/v1/registrations/{reg_id}", headers=admin, json={"awarding_body_ref": "AB-5"}
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["awarding_body_ref"] == "AB-5"
    later = (session.get(Registration, reg_id).planned_end + timedelta(days=7)).isoformat()
    kept = client.patch(
        f"/api/v1/registrations/{reg_id}", headers=admin, json={"planned_end": later}
    )
    assert kept.status_code == 200, kept.get_data(as_text=True)
    assert kept.get_json()["awarding_body_ref"] == "AB-5"  # left out: kept
    cleared = client.patch(
        f"/api/v1/registrations/{reg_id}", headers=admin, json={"awarding_body_ref": None}
    )
    assert cleared.get_json()["awarding_body_ref"] is None
    assert session.get(Registration, reg_id).awarding_body_ref is None
    too_long = client.patch(
        f"/api/v1/registrations/{reg_id}", headers=admin, json={"awarding_body_ref": "X" * 31}
    )
    assert too_long.status_code == 422
    listed = client.get("/api/v1/people?role=learner", headers=admin).get_json()
    assert listed["items"] and all("uln" in p for p in listed["items"])
