"""The API's lists of people, cohorts and registrations are paged by keyset, as the evidence list:
a cursor holds the last row's name and id, so following ``next`` gives every row exactly once,
also when rows are added between pages, and a page far down the list is read as the first is
(one statement of ``limit + 1`` rows, no offset, the list's index), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from portfolio.models import Person
from portfolio.services import registrations
from portfolio.services.people import SYSTEM
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_api_evidence_keyset import _bound, _statements

# names that tie: an order falls back on the id, and a page may end inside a tie
NAMES = ["Ann Lee", "Bob Stone", "Ann Lee", "Cara Moss", "ann lee", "Bob Stone", "Zed Park"]


def _walk(client, url: str, headers: dict[str, str], between=None) -> list[int]:
    seen: list[int] = []
    while url:
        body = client.get(url, headers=headers).get_json()
        assert "items" in body, body
        assert len(body["items"]) <= 2 and (body["next"] is None) == (body["next_cursor"] is None)
        seen += [row["id"] for row in body["items"]]
        url = body["next"]
        if between is not None and url:
            between()
    return seen


def _person(session, name: str, roles: str = "learner") -> Person:
    person = Person(name=name, email=f"{uuid.uuid4().hex[:10]}@t.example", roles=roles)
    session.add(person)
    session.flush()
    return person


def _register(session, framework_id: int, name: str) -> int:
    reg = registrations.register(
        session, actor=SYSTEM, learner_id=_person(session, name).id or 0,
        framework_id=framework_id, standard_codes=["SE01"], assessor_id=None, iqa_id=None,
        cohort_id=None, start_date=date.today(), planned_end=date.today() + timedelta(days=300),
    )  # fmt: skip
    return reg.id or 0


def _cohort(session, name: str) -> int:
    return registrations.create_cohort(session, actor=SYSTEM, name=name).id or 0


def _adders(session, framework_id: int) -> dict[str, Any]:
    """For each list: its address and how to add one row with a name."""
    return {
        "people": ("/api/v1/people", lambda name: _person(session, name, "learner,iqa").id),
        "cohorts": ("/api/v1/cohorts", lambda name: _cohort(session, f"{name} {uuid.uuid4()}")),
        "registrations": ("/api/v1/registrations", lambda name: _register(session, framework_id, name)),
    }  # fmt: skip


def test_each_list_gives_every_row_once_in_the_order_of_one_page(
    client, session, make_person, sample_framework
) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    for name, (url, add) in _adders(session, sample_framework.id or 0).items():
        made = [add(n) for n in NAMES]
        session.commit()
        whole = client.get(f"{url}?limit=200", headers=headers).get_json()
        assert whole["next"] is None
        in_order = [row["id"] for row in whole["items"]]
        assert set(made) <= set(in_order), name
        assert _walk(client, f"{url}?limit=2", headers) == in_order, name
    whole = client.get("/api/v1/people?limit=200&role=iqa", headers=headers).get_json()
    iqas = [row["id"] for row in whole["items"]]
    assert len(iqas) == len(NAMES) and all("iqa" in row["roles"] for row in whole["items"])
    assert _walk(client, "/api/v1/people?limit=2&role=iqa", headers) == iqas


def test_rows_added_between_pages_leave_each_row_seen_once(
    client, session, make_person, sample_framework
) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    for name, (url, add) in _adders(session, sample_framework.id or 0).items():
        before = [add(n) for n in NAMES]
        session.commit()
        added: list[int] = []

        def add_more(add: Any = add, added: list[int] = added) -> None:
            if len(added) >= 9:  # on the first three pages (the walk must end)
                return
            added.extend(add(n) for n in (f"Aa {len(added)}", f"Zz {len(added)}", "Bob Stone"))
            session.commit()

        seen = _walk(client, f"{url}?limit=2", headers, between=add_more)
        assert len(seen) == len(set(seen)), name  # no row twice
        assert set(before) <= set(seen), name  # every row there from the start


INDEXES = {
    "people": "ix_person_name",
    "cohorts": "ix_cohort_name",
    "registrations": "ix_person_name",
}


def test_a_page_far_down_each_list_is_read_without_an_offset(
    client, session, connection, backend, make_person, sample_framework
) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    for name, (url, add) in _adders(session, sample_framework.id or 0).items():
        for n in range(30):
            add(f"Name {n:02}")
        session.commit()
        url = f"{url}?limit=2"
        assert client.get(url, headers=headers).status_code == 200  # "last used" written
        pages: list[list[tuple[str, Any]]] = []
        while url:
            with _statements(connection) as read:
                body = client.get(url, headers=headers).get_json()
            pages.append(read)
            url = body["next"]
        assert len(pages) >= 15
        assert {len(page) for page in pages} == {len(pages[0])}, name  # the last as the first
        listed = [[(s, p) for s, p in page if re.search(r"\bLIMIT\b", s)] for page in pages]
        assert all(len(page) == 1 for page in listed), (name, listed[0])
        for [(sql, params)] in listed:  # 3 rows asked for (one tells whether more follow)
            assert _bound(sql, params, "LIMIT") == 3, name
            assert _bound(sql, params, "OFFSET") in (None, 0), name  # SQLite writes OFFSET 0
        if backend == "sqlite":  # the last page seeks in the list's index, sorting nothing
            [(sql, params)] = listed[-1]
            plan = " ".join(
                str(r[-1]) for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            assert f"INDEX {INDEXES[name]} " in plan and "TEMP B-TREE" not in plan, (name, plan)


def test_a_cursor_of_another_list_or_made_up_is_refused(
    client, session, make_person, sample_framework
) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    adders = _adders(session, sample_framework.id or 0)
    cursors = {}
    for name, (url, add) in adders.items():
        for n in NAMES[:3]:
            add(n)
        session.commit()
        cursors[name] = client.get(f"{url}?limit=1", headers=headers).get_json()["next_cursor"]
        assert client.get(f"{url}?cursor={cursors[name]}", headers=headers).status_code == 200
    for name, (url, _) in adders.items():
        others = [c for other, c in cursors.items() if other != name]
        for cursor in [*others, cursors[name][:-2], "eyJhdCI6IDJ9"]:
            refused = client.get(f"{url}?cursor={cursor}", headers=headers)
            assert refused.status_code == 422, (name, cursor)
            assert [e["field"] for e in refused.get_json()["errors"]] == ["cursor"]
