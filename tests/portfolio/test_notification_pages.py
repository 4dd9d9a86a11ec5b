"""The notifications list is a page of history: 50 a page, newest first, with "Next page" to
older ones, in the same number of SQL statements for 5 notifications as for 500."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from portfolio.models import Notification
from portfolio.services import notifications


def _add(session, person, start: int, n: int) -> None:
    for i in range(start, start + n):
        read = None if i % 2 else datetime.now(UTC)
        session.add(Notification(person_id=person.id, text=f"Note {i}.", link="/", read_at=read))
    session.commit()


def _notes(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"Note (\d+)\.", page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_list_takes_the_same_statements_for_5_and_500_and_shows_a_page(
    session, client, auth, make_person, count_queries
) -> None:
    person = auth.login(make_person("learner"))
    counts = []
    for start, n, urls in ((0, 5, [""]), (5, 495, ["", "?page=2", "?page=10"])):
        _add(session, person, start, n)
        for url in urls:
            with count_queries() as q:
                assert client.get(f"/notifications{url}").status_code == 200
            counts.append(q.count)
    assert counts == [2, 2, 2, 2], counts  # the log-in with the unread count; the page
    first = client.get("/notifications").get_data(as_text=True)
    assert _notes(first) == list(range(499, 499 - notifications.SHOWN, -1))  # newest first
    assert "Page 1 of 10" in first and _link(first, "prev") is None


def test_next_page_reaches_the_oldest_and_previous_page_comes_back(
    session, client, auth, make_person
) -> None:
    person = auth.login(make_person("learner"))
    _add(session, person, 0, 120)
    seen: list[int] = []
    url: str | None = "/notifications"
    pages = []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(page)
        seen += _notes(page)
        url = _link(page, "next")
        assert len(pages) < 5
    assert seen == list(range(119, -1, -1))  # each one once, newest first
    assert "Page 3 of 3" in pages[-1]
    back = _link(pages[-1], "prev")
    assert back and _notes(client.get(back).get_data(as_text=True)) == _notes(pages[1])
    # a page past the end shows the last; nonsense shows the first
    assert _notes(client.get("/notifications?page=99").get_data(as_text=True)) == _notes(pages[-1])
    assert _notes(client.get("/notifications?page=x").get_data(as_text=True)) == _notes(pages[0])


def test_a_short_list_has_no_page_links(session, client, auth, make_person) -> None:
    person = auth.login(make_person("learner"))
    _add(session, person, 0, 3)
    page = client.get("/notifications").get_data(as_text=True)
    assert _notes(page) == [2, 1, 0] and "Next page" not in page and "Page 1 of" not in page


def _rows(session, person) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.person_id == person.id)
            .order_by(col(Notification.id).desc())
        )
    )


def test_marking_read_on_a_later_page_comes_back_to_that_page(
    session, client, auth, make_person
) -> None:
    person = auth.login(make_person("learner"))
    for i in range(120):  # no link ("Mark as read") or one off this site: back to the list
        link = "" if i % 2 else "https://elsewhere.example/x"
        session.add(Notification(person_id=person.id, text=f"Note {i}.", link=link))
    session.commit()
    page2 = client.get("/notifications?page=2").get_data(as_text=True)
    assert "<title>Notifications, page 2 of 3 ·" in page2  # a title of its own (WCAG 2.4.2)
    assert page2.count('<input type="hidden" name="page" value="2">') == 51  # each row, "all"
    second = _rows(session, person)[60]  # on page 2
    for row in (second, _rows(session, person)[61]):
        response = client.post(f"/notifications/{row.id}/read", data={"page": "2"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/notifications?page=2"
    response = client.post("/notifications/read-all", data={"page": "3"})
    assert response.headers["Location"] == "/notifications?page=3"
    session.expire_all()
    assert all(r.read_at for r in _rows(session, person))
    # the first page, no page or anything but a page number: the list itself, never elsewhere
    for value in ("1", "", "0", "-2", "x", "//evil.example", "https://evil.example/", "2/../x"):
        response = client.post("/notifications/read-all", data={"page": value})
        assert response.headers["Location"] == "/notifications", value
        response = client.post(f"/notifications/{second.id}/read", data={"page": value})
        assert response.headers["Location"] == "/notifications", value


def test_opening_a_notification_with_a_link_on_this_site_goes_there(
    session, client, auth, make_person
) -> None:
    person = auth.login(make_person("learner"))
    session.add(Notification(person_id=person.id, text="Note 1.", link="/plans/7"))
    session.commit()
    row = _rows(session, person)[0]
    response = client.post(f"/notifications/{row.id}/read", data={"page": "4"})
    assert response.headers["Location"] == "/plans/7"


@pytest.mark.parametrize(
    "link",
    ["/\\evil.example", "//evil.example", "/\t/evil.example", "javascript:alert(1)", "https://evil.example/", "/x\r\nSet-Cookie: a=1", "/ /evil.example"],
)  # fmt: skip
def test_a_notification_link_off_this_site_is_never_followed(
    session, client, auth, make_person, link
) -> None:
    """The same check as log-in's ``next``: a backslash is a slash to a browser, so "/\\host"
    is another site; anything but a plain path on this site goes back to the list."""
    person = auth.login(make_person("learner"))
    session.add(Notification(person_id=person.id, text="Note 1.", link=link))
    session.commit()
    row = _rows(session, person)[0]
    response = client.post(f"/notifications/{row.id}/read", data={"page": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications", link
