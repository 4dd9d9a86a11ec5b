"""The administrator's people list through the API says whether each person has two-step
verification on (as the people page and ``portfolio people list --json`` do), read in the
statement that lists them, and never gives the secret."""

from __future__ import annotations

from portfolio.models import TwoStep
from portfolio.services import two_step
from tests.delivery.api_world import bearer, token_for
from tests.portfolio.test_admin_two_step import _add_people


def test_the_people_list_says_who_has_two_step_verification_on(
    client, session, make_person
) -> None:
    admin = make_person("admin", name="Ada Admin")
    on = make_person("assessor", name="Oona On")
    make_person("learner", name="Otto Off")
    secret = two_step.new_secret()
    session.add(TwoStep(person_id=on.id or 0, secret=secret))
    session.commit()
    headers = bearer(token_for(session, admin.id, scopes=("read", "admin")))
    listed = client.get("/api/v1/people?limit=200", headers=headers)
    assert listed.status_code == 200, listed.get_data(as_text=True)
    rows = {r["name"]: r for r in listed.get_json()["items"]}
    assert rows["Oona On"]["two_step"] is True
    assert rows["Otto Off"]["two_step"] is False and rows["Ada Admin"]["two_step"] is False
    assert secret not in listed.get_data(as_text=True)
    assert not any("secret" in key for row in rows.values() for key in row)
    only = client.get("/api/v1/people?role=assessor", headers=headers).get_json()["items"]
    assert [(r["name"], r["two_step"]) for r in only] == [("Oona On", True)]
    made = client.post("/api/v1/people", headers=headers,
                       json={"name": "Asha Patel", "email": "asha@example.org",
                             "roles": ["learner"]})  # fmt: skip
    assert made.status_code == 201 and made.get_json()["two_step"] is False


def test_the_openapi_document_describes_two_step_and_no_secret(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    person = document["components"]["schemas"]["Person"]
    assert person["properties"]["two_step"]["type"] == "boolean"
    assert "two_step" in person["required"]
    assert not any("secret" in name for name in person["properties"])


def test_the_people_list_takes_the_same_statements_for_5_and_200_people(
    client, session, make_person, count_queries
) -> None:
    admin = make_person("admin")
    headers = bearer(token_for(session, admin.id, scopes=("read",)))
    assert client.get("/api/v1/people", headers=headers).status_code == 200  # "last used" set
    counts, shown = [], []
    for n in (4, 195):  # with the administrator: 5 people, then 200
        _add_people(session, n)
        with count_queries() as q:
            listed = client.get("/api/v1/people?limit=200", headers=headers)
        assert listed.status_code == 200
        counts.append(q.count)
        items = listed.get_json()["items"]
        shown.append((len(items), sum(r["two_step"] for r in items)))
    assert counts[0] == counts[1], counts
    assert shown == [(5, 2), (200, 2 + 98)]
