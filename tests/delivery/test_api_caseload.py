"""``GET /api/v1/caseload``: an assessor's or IQA's own learners, each registration with where it
stands as the caseload page shows it; refused to anyone without a caseload; paged by keyset; the
same statements for 2 learners as for 20, each with their history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from delivery.web.coverage import caseload as page_service
from mappings.assessment import claims, signoff, summaries
from mappings.assessment.models import RegistrationSummary
from portfolio.errors import PermissionDenied
from portfolio.models import Person, Registration
from portfolio.services import registration_rows, withdrawals
from tests.conftest import PASSWORD, actor_of
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_api_evidence_keyset import _statements
from tests.mappings.test_assessment import _accept_all
from tests.rows_read import rows_read, rows_returned

TODAY = date.today()
URL = "/api/v1/caseload"


def _claim_two(session, learner, make_evidence) -> None:
    item = make_evidence(learner)
    found = claims.claimable_criteria(session, learner.id)
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id,
        criterion_ids=[c.criterion_id for c in found][:2],
    )  # fmt: skip
    session.commit()


@pytest.fixture
def case(session, make_person, make_registration, make_evidence) -> dict[str, Any]:
    """An assessor and an IQA; a person who is both; a learner still learning with two claims
    awaiting, one completed, one withdrawn, and one nobody here holds."""
    assessor, iqa = make_person("assessor"), make_person("iqa")
    both = make_person("assessor,iqa")
    busy = make_person("learner", name="Abel Busy")
    done = make_person("learner", name="Dora Done")
    gone = make_person("learner", name="Wanda Walker")
    regs = {
        "busy": make_registration(learner=busy, assessor=assessor, iqa=iqa, codes="SE01"),
        "done": make_registration(learner=done, assessor=assessor, iqa=both, codes="SE01"),
        "gone": make_registration(learner=gone, assessor=both, iqa=iqa, codes="SE01"),
        "else": make_registration(codes="SE01"),
    }
    _claim_two(session, busy, make_evidence)
    _accept_all(session, done, assessor, make_evidence, "SE01")
    signoff.sign_off(
        session, actor=actor_of(assessor), registration_id=regs["done"].id,
        standard_code="SE01", summary="Competent throughout.", assessor_declaration=True,
    )  # fmt: skip
    withdrawals.withdraw(
        session, actor=actor_of(make_person("admin")), registration_id=regs["gone"].id,
        on=TODAY - timedelta(days=1), reason="Moved away",
    )  # fmt: skip
    session.commit()
    return {"assessor": assessor, "iqa": iqa, "both": both, "regs": regs}


def _get(client, session, person, query: str = "", scopes=("read",)) -> Any:
    return client.get(f"{URL}{query}", headers=bearer(token_for(session, person.id, scopes)))


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.get_json()["items"]]


def test_each_holder_is_given_their_own_learners_as_the_caseload_page_shows_them(
    client, session, case
) -> None:
    regs = case["regs"]
    answer = _get(client, session, case["assessor"]).get_json()
    assert answer["next"] is None and answer["next_cursor"] is None
    rows = {row["learner"]: row for row in answer["items"]}
    assert list(rows) == ["Abel Busy", "Dora Done"]  # by name; not the withdrawn one's assessor
    busy, done = rows["Abel Busy"], rows["Dora Done"]
    assert (busy["id"], busy["roles"], busy["state"]) == (regs["busy"].id, ["assessor"], "active")
    assert busy["awaiting_claims"] == 2 and busy["standards"] == ["SE01"]
    assert busy["rag"] in ("red", "amber", "green") and busy["completed_on"] is None
    assert (done["state"], done["rag"]) == ("completed", None)
    assert done["completed_on"] == TODAY.isoformat()
    assert done["met"] == done["total"] > 0 and done["percent"] == 100
    # the figures are those the caseload page shows (worked out the same way, from its summaries)
    shown = page_service.caseload(
        session, actor=actor_of(case["assessor"]),
        store=lambda ids: summaries.save(session, ids, TODAY),
    )  # fmt: skip
    [row] = shown.rows
    assert (row.registration_id, row.met, row.total, row.percent, row.rag, row.awaiting_claims) == (
        busy["id"], busy["met"], busy["total"], busy["percent"], busy["rag"], busy["awaiting_claims"]
    )  # fmt: skip
    iqa = _get(client, session, case["iqa"]).get_json()["items"]
    assert [(r["learner"], r["roles"], r["state"]) for r in iqa] == [
        ("Abel Busy", ["iqa"], "active"), ("Wanda Walker", ["iqa"], "withdrawn"),
    ]  # fmt: skip
    gone = iqa[1]
    assert (gone["withdrawn_on"], gone["rag"]) == ((TODAY - timedelta(days=1)).isoformat(), None)


def test_a_person_who_is_both_is_given_either_or_both_caseloads(client, session, case) -> None:
    both, regs = case["both"], case["regs"]
    whole = _get(client, session, both).get_json()["items"]
    assert [(r["id"], r["roles"]) for r in whole] == [
        (regs["done"].id, ["iqa"]), (regs["gone"].id, ["assessor"]),
    ]  # fmt: skip
    assert _ids(_get(client, session, both, "?role=assessor")) == [regs["gone"].id]
    assert _ids(_get(client, session, both, "?role=iqa")) == [regs["done"].id]


def test_anyone_without_that_caseload_is_refused(client, session, case, make_person) -> None:
    for person, query in [
        (make_person("admin"), ""), (make_person("learner"), ""), (make_person("eqa"), ""),
        (make_person("admin"), "?role=assessor"), (case["assessor"], "?role=iqa"),
        (case["iqa"], "?role=assessor"),
    ]:  # fmt: skip
        refused = _get(client, session, person, query)
        assert refused.status_code == 403, (person.roles, query)
        assert refused.content_type == "application/problem+json"
        assert "caseload" in refused.get_json()["detail"]
    assert client.get(URL).status_code == 401
    unknown = _get(client, session, case["assessor"], "?role=admin")
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.get_json()["errors"]] == ["role"]
    no_scope = _get(client, session, case["assessor"], scopes=("assess",))
    assert no_scope.status_code == 403


def test_the_service_itself_refuses_who_has_no_caseload(session, case, make_person) -> None:
    """The check is the service's, not only the operation's."""
    from mappings.assessment.caseload import entries_after

    for person, role in [(make_person("admin"), None), (make_person("eqa"), None),
                         (case["iqa"], "assessor"), (make_person("learner"), "iqa")]:  # fmt: skip
        with pytest.raises(PermissionDenied):
            entries_after(session, actor=actor_of(person), role=role, after=None, limit=5)
        with pytest.raises(PermissionDenied):
            registration_rows.caseload_after(
                session, actor=actor_of(person), role=role, after=None, limit=5
            )


NAMES = ["Ann Lee", "Bob Stone", "Ann Lee", "Cara Moss", "ann lee", "Bob Stone", "Zed Park"]


def _walk(client, url: str, headers: dict[str, str]) -> list[int]:
    seen: list[int] = []
    while url:
        body = client.get(url, headers=headers).get_json()
        assert "items" in body, body
        assert len(body["items"]) <= 2 and (body["next"] is None) == (body["next_cursor"] is None)
        seen += [row["id"] for row in body["items"]]
        url = body["next"]
    return seen


def test_the_caseload_is_paged_by_keyset_and_a_cursor_of_another_list_refused(
    client, session, make_person, make_registration
) -> None:
    holder, other = make_person("assessor,iqa"), make_person("iqa")
    made = [
        make_registration(learner=make_person("learner", name=n), assessor=holder, iqa=other).id
        for n in NAMES
    ] + [make_registration(learner=make_person("learner", name="Iris Q"), iqa=holder).id]
    headers = bearer(token_for(session, holder.id, ("read",)))
    whole = client.get(f"{URL}?limit=200", headers=headers).get_json()
    assert whole["next"] is None and sorted(r["id"] for r in whole["items"]) == sorted(made)
    in_order = [r["id"] for r in whole["items"]]
    assert _walk(client, f"{URL}?limit=2", headers) == in_order
    assessed = [r["id"] for r in whole["items"] if r["roles"] == ["assessor"]]
    assert _walk(client, f"{URL}?limit=2&role=assessor", headers) == assessed
    assert sorted(assessed) == sorted(made[:-1])
    cursor = client.get(f"{URL}?limit=2&role=assessor", headers=headers).get_json()["next_cursor"]
    assert client.get(f"{URL}?role=assessor&cursor={cursor}", headers=headers).status_code == 200
    people = client.get("/api/v1/registrations?limit=1", headers=bearer(
        token_for(session, make_person("admin").id, ("read",))
    )).get_json()["next_cursor"]  # fmt: skip
    for url in (f"{URL}?cursor={cursor}", f"{URL}?role=iqa&cursor={cursor}",
                f"{URL}?cursor={people}", f"{URL}?cursor={cursor[:-2]}"):  # fmt: skip
        refused = client.get(url, headers=headers)
        assert refused.status_code == 422, url
        assert [e["field"] for e in refused.get_json()["errors"]] == ["cursor"]


def _holder_of(count: int, session, make_person, make_registration, make_evidence) -> Any:
    """An assessor of ``count`` learners, each with a claimed item and a decision (history)."""
    assessor = make_person("assessor")
    for n in range(count):
        learner = make_person("learner", name=f"Learner {n:02}")
        make_registration(learner=learner, assessor=assessor, iqa=make_person("iqa"))
        _claim_two(session, learner, make_evidence)
    return assessor


def test_the_statements_of_a_page_do_not_grow_with_the_learners_or_their_history(
    client, session, connection, make_person, make_registration, make_evidence
) -> None:
    counted = []
    for count in (2, 20):
        assessor = _holder_of(count, session, make_person, make_registration, make_evidence)
        headers = bearer(token_for(session, assessor.id, ("read",)))
        url = f"{URL}?limit=50"
        assert len(_ids(client.get(url, headers=headers))) == count  # "last used" written
        with _statements(connection) as read:
            assert len(_ids(client.get(url, headers=headers))) == count
        counted.append([s for s, _ in read])
    assert len(counted[0]) == len(counted[1]), "\n\n".join(counted[1])
    # the token; the page of registrations (limit + 1) and their standards; their summaries of
    # today (none stored here) and so their standings (registrations, standards, criteria,
    # claims), counts only
    selects = [s for s in counted[1] if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 8, "\n\n".join(selects)


def test_a_caseload_of_a_role_not_held_is_refused_in_words_on_the_page_and_the_api(
    client, session, case
) -> None:
    """The page's ``?role=`` and the API's ``role`` are refused by the one check, in words (the
    page shows its message: no role's code)."""
    words = "Only an internal quality assurer has that caseload, and you are not one."
    refused = _get(client, session, case["assessor"], "?role=iqa")
    assert refused.get_json()["detail"] == words
    page = client.application.test_client()
    page.post("/login", data={"email": case["assessor"].email, "password": PASSWORD})
    shown = page.get("/caseload?role=iqa")
    assert shown.status_code == 403 and words in shown.get_data(as_text=True)


def _learner_with_history(session, assessor, items: int, make_person, make_registration,
                          make_evidence) -> None:  # fmt: skip
    learner = make_person("learner", name=f"Learner with {items}")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    for _ in range(items):
        _claim_two(session, learner, make_evidence)


def test_a_page_reads_the_stored_figures_not_every_learners_claims(
    client, session, connection, backend, make_person, make_registration, make_evidence
) -> None:
    """Costs must not grow with history: with the caseload page's summaries stored today, the
    API reads them (as the page does) and no claim at all, so the statements and the rows sent
    back are the same for learners with 3 claimed items each as with 30; and the answer is the
    one worked out from every claim."""
    counted = []
    for items in (3, 30):
        assessor = make_person("assessor")
        for _ in range(2):
            _learner_with_history(
                session, assessor, items, make_person, make_registration, make_evidence
            )
        headers = bearer(token_for(session, assessor.id, ("read",)))
        worked_out = client.get(URL, headers=headers).get_json()  # no summary stored yet
        page_service.caseload(
            session, actor=actor_of(assessor),
            store=lambda ids: summaries.save(session, ids, TODAY),
        )  # fmt: skip
        session.commit()
        before = rows_read(connection, "claim") if backend == "postgresql" else {}
        with _statements(connection) as read, rows_returned(connection) as rows:
            stored = client.get(URL, headers=headers).get_json()
        assert stored == worked_out
        assert {row["awaiting_claims"] for row in stored["items"]} == {2 * items}
        if backend == "postgresql":
            assert rows_read(connection, "claim").get("claim", 0) == before.get("claim", 0)
        counted.append((len(read), sum(rows)))
        # the token, the page of registrations and their standards, their summaries of today
        selects = [s for s, _ in read if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 4, "\n\n".join(selects)
    assert counted[0][0] == counted[1][0], counted
    if backend == "postgresql":
        assert counted[0][1] == counted[1][1], counted


def test_figures_not_stored_today_are_worked_out_not_read(
    client, session, case, make_evidence
) -> None:
    """A summary of an earlier day, or one deleted by a change, is not given: the registration's
    figures are worked out at the request, and the request stores nothing."""
    headers = bearer(token_for(session, case["assessor"].id, ("read",)))
    fresh = client.get(URL, headers=headers).get_json()
    ids = [row["id"] for row in fresh["items"]]
    summaries.save(session, ids, TODAY - timedelta(days=1))  # an earlier day's
    session.execute(
        update(RegistrationSummary).values(met=0, awaiting=99)  # wrong, if anyone read it
    )
    session.commit()
    assert client.get(URL, headers=headers).get_json() == fresh
    summaries.save(session, ids[:1], TODAY)
    session.commit()
    busy = session.get(RegistrationSummary, ids[0])
    assert client.get(URL, headers=headers).get_json() == fresh
    learner = session.get(Person, session.get(Registration, ids[0]).learner_id)
    _claim_two(session, learner, make_evidence)  # deletes its summary
    session.expire_all()
    assert session.get(RegistrationSummary, ids[0]) is None
    again = client.get(URL, headers=headers).get_json()
    assert again["items"][0]["awaiting_claims"] == fresh["items"][0]["awaiting_claims"] + 2
    session.expire_all()
    assert session.get(RegistrationSummary, ids[0]) is None  # a GET stores nothing
    assert busy is not None
