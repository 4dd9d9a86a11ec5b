"""The API's evidence list is paged by keyset: a cursor holds the last row's sort key and id, so
each order gives every item exactly once, also when items are written between pages, and a page
far down the list is read as the first is (no OFFSET), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from tests.delivery.api_world import bearer, token_for

SORTS = ("newest", "oldest", "title")
# titles and days that tie: an order falls back on the id, and a page may end inside a tie
TITLES = ["Job search", "JOB SEARCH", "Vocational profile", "Appraisal", "job search", "Zoo",
          "appraisal", "Better-off calculation", "Risk assessment"]  # fmt: skip


def _write(make_evidence, learner, titles: list[str], first_day: int) -> list[int]:
    return [
        make_evidence(
            learner,
            title=title,
            activity_date=date.today() - timedelta(days=first_day + n % 3),
            submit=n % 2 == 0,
        ).id
        for n, title in enumerate(titles)
    ]


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


def test_each_order_gives_every_item_once_in_the_order_of_one_page(
    client, session, make_person, make_evidence
) -> None:
    learner = make_person("learner")
    made = _write(make_evidence, learner, TITLES, 10)
    headers = bearer(token_for(session, learner.id, ("read",)))
    base = f"/api/v1/learners/{learner.id}/evidence"
    for sort in SORTS:
        whole = client.get(f"{base}?sort={sort}&limit=200", headers=headers).get_json()
        assert whole["next"] is None
        in_order = [row["id"] for row in whole["items"]]
        assert sorted(in_order) == sorted(made)
        assert _walk(client, f"{base}?sort={sort}&limit=2", headers) == in_order, sort
        drafts = [row["id"] for row in whole["items"] if row["status"] == "draft"]
        assert _walk(client, f"{base}?sort={sort}&limit=2&status=draft", headers) == drafts


def test_items_written_between_pages_leave_each_item_seen_once(
    client, session, make_person, make_evidence
) -> None:
    learner = make_person("learner")
    before = _write(make_evidence, learner, TITLES, 10)
    headers = bearer(token_for(session, learner.id, ("read",)))
    for sort in SORTS:
        added: list[int] = []

        def write_more(sort: str = sort, added: list[int] = added) -> None:
            # one item sorting before anything, one after anything, one in the middle; on the
            # first four pages (the walk must end)
            n = len(added)
            if n >= 12:
                return
            added.extend(_write(make_evidence, learner, [f"Aardvark {sort} {n}"], 0))
            added.extend(_write(make_evidence, learner, [f"Zz {sort} {n}"], 30))
            added.extend(_write(make_evidence, learner, [f"Job search {sort} {n}"], 11))

        url = f"/api/v1/learners/{learner.id}/evidence?sort={sort}&limit=2"
        seen = _walk(client, url, headers, between=write_more)
        assert len(seen) == len(set(seen)), sort  # no item twice
        assert set(before) <= set(seen), sort  # every item there from the start
        assert set(seen) <= set(before) | set(added)
        before += added


def test_a_page_far_down_the_list_is_read_without_an_offset(
    client, session, connection, backend, make_person, make_evidence
) -> None:
    learner = make_person("learner")
    _write(make_evidence, learner, [f"Item {n:02}" for n in range(30)], 5)
    headers = bearer(token_for(session, learner.id, ("read",)))
    for sort in SORTS:
        url = f"/api/v1/learners/{learner.id}/evidence?sort={sort}&limit=2"
        assert client.get(url, headers=headers).status_code == 200  # "last used" written
        pages: list[list[tuple[str, Any]]] = []
        while url:
            with _statements(connection) as read:
                body = client.get(url, headers=headers).get_json()
            pages.append(read)
            url = body["next"]
        assert len(pages) == 15
        assert len({len(page) for page in pages}) == 1, sort  # the 15th page as the first
        listed = [(sql, params) for page in pages for sql, params in page if "evidence.kind" in sql]
        assert len(listed) == 15
        for sql, params in listed:  # 3 rows asked for (one tells whether more follow), none skipped
            assert _bound(sql, params, "LIMIT") == 3, sort
            assert _bound(sql, params, "OFFSET") in (None, 0), sort  # SQLite writes OFFSET 0
        if backend == "sqlite":  # the last page seeks in the order's index, sorting nothing
            sql, params = listed[-1]
            plan = " ".join(
                str(r[-1]) for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            assert (
                re.search(r"INDEX ix_evidence_learner_(activity|title) ", plan)
                and "TEMP B-TREE" not in plan
            ), (sort, plan)


def _bound(sql: str, params: Any, word: str) -> Any:
    """The value bound to ``LIMIT`` or ``OFFSET`` in ``sql`` (None: there is none)."""
    found = re.search(rf"\b{word} (\?|%\((\w+)\)s)", sql)
    if found is None:
        return None
    if found.group(2):
        return params[found.group(2)]
    return params[sql[: found.start(1)].count("?")]


@contextmanager
def _statements(connection) -> Iterator[list[tuple[str, Any]]]:
    """The statements run meanwhile, with their parameters."""
    read: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        read.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", listener)
    try:
        yield read
    finally:
        event.remove(connection, "before_cursor_execute", listener)


def test_a_cursor_of_another_order_or_made_up_is_refused(
    client, session, make_person, make_evidence
) -> None:
    learner = make_person("learner")
    _write(make_evidence, learner, TITLES[:3], 3)
    headers = bearer(token_for(session, learner.id, ("read",)))
    base = f"/api/v1/learners/{learner.id}/evidence"
    cursor = client.get(f"{base}?sort=title&limit=1", headers=headers).get_json()["next_cursor"]
    assert client.get(f"{base}?sort=title&cursor={cursor}", headers=headers).status_code == 200
    for url in (f"{base}?sort=newest&cursor={cursor}", f"{base}?cursor={cursor[:-2]}",
                f"{base}?cursor=eyJhdCI6IDJ9"):  # fmt: skip
        refused = client.get(url, headers=headers)
        assert refused.status_code == 422, url
        assert [e["field"] for e in refused.get_json()["errors"]] == ["cursor"]
