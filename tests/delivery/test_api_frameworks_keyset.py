"""``GET /api/v1/frameworks`` is paged by keyset as the other lists: the cursor holds the last
framework's code and id, following ``next`` gives every version once (also when frameworks are
imported between pages), and every page is one statement of ``limit + 1`` rows with their counts,
however many frameworks are loaded and however far down the list, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from portfolio.models import Criterion, Framework, Standard
from portfolio.services import registrations
from portfolio.services.people import SYSTEM
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_api_evidence_keyset import _bound, _statements

URL = "/api/v1/frameworks"


def _framework(session, code: str, version: str = "1", standards: int = 1) -> int:
    fw = Framework(code=code, title=f"Framework {code}", version=version, content_hash="0" * 64)
    session.add(fw)
    session.flush()
    for s in range(standards):
        std = Standard(framework_id=fw.id or 0, code=f"{code}{s:02}", title="A standard")
        session.add(std)
        session.flush()
        session.add_all(
            Criterion(standard_id=std.id or 0, kind="performance", code=f"P{c}", text="Do it")
            for c in range(1, 4)
        )
    session.flush()
    return fw.id or 0


def _walk(client, url: str, headers: dict[str, str], between=None) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while url:
        body = client.get(url, headers=headers).get_json()
        assert "items" in body, body
        assert len(body["items"]) <= 2 and (body["next"] is None) == (body["next_cursor"] is None)
        seen += body["items"]
        url = body["next"]
        if between is not None and url:
            between()
    return seen


def test_every_framework_once_in_the_order_of_one_page(client, session, make_person) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    made = [_framework(session, code, version, standards=2)
            for code, version in [("AB", "1"), ("AB", "2"), ("Zed", "1"), ("CC", "1"), ("CC", "3")]]  # fmt: skip
    session.commit()
    whole = client.get(f"{URL}?limit=200", headers=headers).get_json()
    assert whole["next"] is None
    in_order = [row["id"] for row in whole["items"]]
    assert set(made) <= set(in_order)
    codes = [(row["code"], row["id"]) for row in whole["items"]]
    assert codes == sorted(codes)
    walked = _walk(client, f"{URL}?limit=2", headers)
    assert [row["id"] for row in walked] == in_order
    assert walked == whole["items"]  # the counts as one long page says them
    mine = {row["id"]: row for row in walked if row["id"] in made}
    assert {(r["standards"], r["criteria"]) for r in mine.values()} == {(2, 6)}


def test_frameworks_imported_between_pages_leave_each_seen_once(
    client, session, make_person
) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    before = [_framework(session, f"F{n}") for n in range(6)]
    session.commit()
    added: list[int] = []

    def add_more() -> None:
        if len(added) < 6:
            added.extend(_framework(session, code) for code in (f"A{len(added)}", f"Z{len(added)}"))
            session.commit()

    seen = [row["id"] for row in _walk(client, f"{URL}?limit=2", headers, between=add_more)]
    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen)


def test_each_page_is_one_statement_however_many_frameworks(
    client, session, connection, make_person
) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    assert client.get(URL, headers=headers).status_code == 200  # "last used" written
    costs = []
    for count in (3, 30):
        for n in range(count):
            _framework(session, f"N{count}-{n:02}", standards=2)
        session.commit()
        url: str | None = f"{URL}?limit=2"
        pages: list[list[tuple[str, Any]]] = []
        while url:
            with _statements(connection) as read:
                body = client.get(url, headers=headers).get_json()
            pages.append(read)
            url = body["next"]
        assert len(pages) >= 2
        costs += [len(page) for page in pages]
        listed = [
            [(s, p) for s, p in page if re.search(r"\bFROM framework\b", s)] for page in pages
        ]
        assert all(len(page) == 1 for page in listed), listed[0]
        for [(sql, params)] in listed:  # 3 rows asked for (one tells whether more follow)
            assert _bound(sql, params, "LIMIT") == 3
            assert _bound(sql, params, "OFFSET") in (None, 0)
    assert len(set(costs)) == 1, costs  # the same statements on every page of 5 or 32 frameworks


def test_a_cursor_of_another_list_or_made_up_is_refused(client, session, make_person) -> None:
    headers = bearer(token_for(session, make_person("admin").id, ("read",)))
    for n in range(3):
        _framework(session, f"K{n}")
        registrations.create_cohort(session, actor=SYSTEM, name=f"Cohort {n}")
    session.commit()
    mine = client.get(f"{URL}?limit=1", headers=headers).get_json()["next_cursor"]
    assert client.get(f"{URL}?cursor={mine}", headers=headers).status_code == 200
    cohorts = client.get("/api/v1/cohorts?limit=1", headers=headers).get_json()["next_cursor"]
    for cursor in (cohorts, mine[:-2], "eyJhdCI6IDJ9"):
        refused = client.get(f"{URL}?cursor={cursor}", headers=headers)
        assert refused.status_code == 422, cursor
        assert [e["field"] for e in refused.get_json()["errors"]] == ["cursor"]
