"""The list of frameworks is paged, on the web (/frameworks: "Previous page" and "Next page" as the
other long lists, by keyset from the framework shown first or last) and at the command line
(``portfolio framework list --limit N --after ID``), both through the service the API pages with
(``frameworks.summaries_after``): every framework once in order, none repeated nor lost walking
either way, each page the same number of statements whatever the number of frameworks, and each
page saying how many there are."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from delivery.web import frameworks as pages
from portfolio.models import Framework
from tests.delivery.test_api_frameworks_keyset import _framework

NEXT = re.compile(r'<a rel="next" href="([^"]+)">Next page')
PREVIOUS = re.compile(r'<a rel="prev" href="([^"]+)">Previous page')
SHOWN = re.compile(r'<a href="/frameworks/(\d+)">')


def _page(client, url: str) -> tuple[list[int], str | None, str | None]:
    html = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    found_next, found_prev = NEXT.search(html), PREVIOUS.search(html)
    return (
        [int(i) for i in SHOWN.findall(html)],
        found_next.group(1) if found_next else None,
        found_prev.group(1) if found_prev else None,
    )


def test_the_pages_of_frameworks_give_each_once_forwards_and_back(
    client, auth, session, monkeypatch
) -> None:
    auth.login("admin")
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    for n, code in enumerate(("CC", "AB", "Zed", "AB", "BB")):
        _framework(session, code, version=str(n))
    session.commit()
    every: list[int] = []
    url: str | None = "/frameworks"
    forwards: list[list[int]] = []
    while url:
        shown, url, _ = _page(client, url)
        assert 0 < len(shown) <= 2
        forwards.append(shown)
        every += shown
    loaded = set(session.exec(select(Framework.id)).all())
    assert len(every) == len(set(every)) and set(every) == loaded and len(loaded) >= 5
    first, _, previous = _page(client, "/frameworks")
    assert previous is None
    backwards: list[list[int]] = []
    url = "/frameworks"
    while True:  # to the last page, then back to the first by "Previous page"
        shown, following, _ = _page(client, url)
        if following is None:
            break
        url = following
    while url:
        shown, _, url = _page(client, url)
        backwards.insert(0, shown)
    assert backwards == forwards


def test_a_page_of_frameworks_costs_the_same_with_few_and_many(
    client, auth, session, count_queries, monkeypatch
) -> None:
    auth.login("admin")
    monkeypatch.setattr(pages, "PAGE_SIZE", 3)
    for n in range(4):
        _framework(session, f"A{n}")
    session.commit()
    with count_queries() as few:
        _, following, _ = _page(client, "/frameworks")
    with count_queries() as few_next:
        _page(client, following)
    for n in range(40):
        _framework(session, f"B{n}", standards=2)
    session.commit()
    with count_queries() as many:
        _, following, _ = _page(client, "/frameworks")
    with count_queries() as many_next:
        _page(client, following)
    assert few.count == many.count == FRAMEWORKS_PAGE_STATEMENTS, many.statements
    assert few_next.count == many_next.count == FRAMEWORKS_PAGE_STATEMENTS, many_next.statements


def _total(client, url: str) -> str:
    html = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    found = re.search(r'<p id="frameworks-total">([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def test_every_page_says_how_many_frameworks_there_are(client, auth, session, monkeypatch) -> None:
    auth.login("admin")
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    loaded = session.exec(select(Framework.code)).all()  # the suite's own, if any
    assert len(set(loaded)) == len(loaded)
    for n, code in enumerate(("CC", "AB", "Zed", "AB", "BB")):
        _framework(session, code, version=str(n))
    session.commit()
    codes = len(loaded) + 4
    # one more version than frameworks (AB twice), said on the first page and the last alike
    said = f"{codes} frameworks ({codes + 1} versions)."
    assert _total(client, "/frameworks") == said
    url: str | None = "/frameworks"
    while url:
        assert _total(client, url) == said
        _, url, _ = _page(client, url)


def test_one_version_each_is_said_as_frameworks_alone(client, auth, session) -> None:
    auth.login("admin")
    assert len(session.exec(select(Framework.id)).all()) == 1  # the suite's sample framework
    assert _total(client, "/frameworks") == "1 framework."
    _framework(session, "AB")
    session.commit()
    assert _total(client, "/frameworks") == "2 frameworks."


def test_the_command_lists_frameworks_a_page_at_a_time(cli, session) -> None:
    made = {_framework(session, code) for code in ("CC", "AB", "Zed", "BB", "AA")}
    session.commit()
    whole = json.loads(cli("framework", "list", "--json").output)
    assert made <= {r["id"] for r in whole}
    seen: list[int] = []
    args = ["framework", "list", "--json", "--limit", "2"]
    while True:
        result = cli(*args)
        rows = json.loads(result.stdout)
        assert len(rows) <= 2
        seen += [r["id"] for r in rows]
        more = re.search(r"--after (\d+)", result.stderr)
        if more is None:
            break
        args = ["framework", "list", "--json", "--limit", "2", "--after", more.group(1)]
    assert seen == [r["id"] for r in whole]
    text = cli("framework", "list", "--limit", "2").output
    assert "More frameworks follow: portfolio framework list --limit 2 --after " in text


# the log-in with its notices, one page of frameworks with their counts, and how many there are
FRAMEWORKS_PAGE_STATEMENTS = 3
