"""An assessor with more learners than a page holds: the reallocation page lists them 50 a page and
"All N learners" moves every one of them, found on the server, but those unticked on the page
shown; "Only the learners ticked" moves the ticked of this page. One transaction either way: the
rules judge every registration first, each moved one is audited, the new assessor told once. The
person page lists their registrations 50 a page too, with links to the others."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import col, func, select

from portfolio.models import AuditEntry, Notification, Registration
from tests.portfolio.test_admin_person_reads import _register


@pytest.fixture
def caseload(session, make_person, make_registration):
    ann = make_person("assessor", name="Ann Assessor")
    ben = make_person("assessor", name="Ben Assessor")
    ida = make_person("iqa,assessor", name="Ida Both")  # their IQA: cannot be their assessor
    regs = _register(session, make_registration, ann, ida, 0, 120)
    return ann, ben, ida, regs


def _assessors(session, regs) -> list[int]:
    session.expire_all()
    return [session.get(Registration, r.id).assessor_id for r in regs]


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


def _shown_page(client, ann, query: str = "") -> tuple[str, list[int], str]:
    response = client.get(f"/admin/people/{ann.id}/reallocate{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = [int(i) for i in _hidden(page, "as-shown").split(",")]
    return page, shown, _hidden(page, "as-expected")


def _audits(session) -> int:
    return session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(col(AuditEntry.action) == "registration.update")
    ).one()


def test_the_page_lists_50_and_all_120_move_but_those_unticked(
    client, auth, session, caseload
) -> None:
    ann, ben, _ida, regs = caseload
    auth.login("admin")
    page, shown, expected = _shown_page(client, ann)
    assert len(shown) == 50 and expected == "120"
    assert "All 120 learners, but those unticked below" in page
    assert "Showing 1–50 of 120" in page
    assert f'href="/admin/people/{ann.id}/reallocate?as_page=3&amp;iq_page=1"' in page
    stay = shown[:2]
    before = _audits(session)
    response = client.post(f"/admin/people/{ann.id}/reallocate", data={
        "as-scope": "all", "as-registration_ids": shown[2:], "as-shown": ",".join(map(str, shown)),
        "as-expected": expected, "as-to_assessor_id": ben.id, "as-move": "Move",
    }, follow_redirects=True)  # fmt: skip
    assert response.status_code == 200
    assert "118 learners moved to Ben Assessor." in response.get_data(as_text=True)
    moved = _assessors(session, regs)
    assert moved.count(ben.id) == 118
    assert sorted(r.id for r, a in zip(regs, moved, strict=True) if a == ann.id) == sorted(stay)
    assert _audits(session) - before == 118
    told = session.exec(select(Notification).where(Notification.person_id == ben.id)).all()
    assert len(told) == 1 and "118 learners" in told[0].text


def test_only_the_ticked_of_the_page_shown_move(client, auth, session, caseload) -> None:
    ann, ben, _ida, regs = caseload
    auth.login("admin")
    page, shown, expected = _shown_page(client, ann, "?as_page=3")
    assert len(shown) == 20 and "Showing 101–120 of 120" in page
    response = client.post(f"/admin/people/{ann.id}/reallocate?as_page=3", data={
        "as-scope": "ticked", "as-registration_ids": shown[:5],
        "as-shown": ",".join(map(str, shown)), "as-expected": expected,
        "as-to_assessor_id": ben.id, "as-move": "Move",
    })  # fmt: skip
    assert response.status_code == 302
    moved = _assessors(session, regs)
    assert sorted(r.id for r, a in zip(regs, moved, strict=True) if a == ben.id) == sorted(
        shown[:5]
    )


def test_a_learner_added_since_the_page_was_shown_moves_no_one(
    client, auth, session, caseload, make_registration
) -> None:
    ann, ben, ida, regs = caseload
    auth.login("admin")
    _page, shown, expected = _shown_page(client, ann)
    regs += _register(session, make_registration, ann, ida, 500, 1)
    data = {"as-scope": "all", "as-registration_ids": shown, "as-shown": ",".join(map(str, shown)),
            "as-expected": expected, "as-to_assessor_id": ben.id, "as-move": "Move"}  # fmt: skip
    refused = client.post(f"/admin/people/{ann.id}/reallocate", data=data)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "now the assessor of 121 learners, not the 120 the page showed" in text
    assert _hidden(text, "as-expected") == "121"  # sent again, it is taken
    assert _assessors(session, regs) == [ann.id] * 121
    again = client.post(f"/admin/people/{ann.id}/reallocate", data={**data, "as-expected": "121"})
    assert again.status_code == 302 and _assessors(session, regs) == [ben.id] * 121


def test_a_learner_on_another_page_who_may_not_move_stops_every_move(
    client, auth, session, caseload, make_person, make_registration
) -> None:
    ann, _ben, ida, regs = caseload
    auth.login("admin")
    # Ida is the IQA of every one: as their assessor she breaks the rule for each; the page
    # names the first learner judged, and nothing moves
    _page, shown, expected = _shown_page(client, ann)
    refused = client.post(f"/admin/people/{ann.id}/reallocate", data={
        "as-scope": "all", "as-registration_ids": shown, "as-shown": ",".join(map(str, shown)),
        "as-expected": expected, "as-to_assessor_id": ida.id, "as-move": "Move",
    })  # fmt: skip
    assert refused.status_code == 422
    assert "Nothing was moved." in refused.get_data(as_text=True)
    assert _assessors(session, regs) == [ann.id] * 120


def test_the_person_page_lists_50_registrations_a_page(client, auth, session, caseload) -> None:
    ann, _ben, _ida, _regs = caseload
    auth.login("admin")
    first = client.get(f"/admin/people/{ann.id}").get_data(as_text=True)
    assert "Showing 1–50 of 120 registrations" in first
    assert len(re.findall(r'href="/admin/registrations/\d+"', first)) == 50
    assert f'href="/admin/people/{ann.id}?page=2#registrations" rel="next">Next</a>' in first
    assert "Reallocate their learners" in first
    last = client.get(f"/admin/people/{ann.id}?page=3").get_data(as_text=True)
    assert f"<title>{ann.name}, registrations page 3 of 3 ·" in last  # WCAG 2.4.2
    assert "Showing 101–120 of 120 registrations" in last
    assert len(re.findall(r'href="/admin/registrations/\d+"', last)) == 20
    names = re.findall(r"Learner (\d{3})", first + last)
    assert names == sorted(names)  # by learner's name, across pages
    beyond = client.get(f"/admin/people/{ann.id}?page=99").get_data(as_text=True)
    assert "Showing 101–120 of 120 registrations" in beyond  # past the end: the last page


def test_the_title_says_which_page_of_which_list_is_shown(
    client, auth, session, make_person, make_registration, caseload
) -> None:
    """The two lists are paged apart, and each page of either had the one title "Reallocate the
    learners of …": the title names the list and its page once it is beyond the first, as other
    lists' titles say their page (WCAG 2.4.2)."""
    _ann, _ben, ida, _regs = caseload  # Ida quality-assures 120 learners: 3 pages
    other = make_person("iqa", name="Ivy Iqa")
    _register(session, make_registration, ida, other, 200, 60)  # Ida assesses 60: 2 pages
    auth.login("admin")
    titles = {
        "": "Reallocate the learners of Ida Both",
        "?as_page=1&iq_page=1": "Reallocate the learners of Ida Both",
        "?as_page=2&iq_page=1": "Reallocate the learners of Ida Both: learners assessed, "
        "page 2 of 2",
        "?iq_page=3": "Reallocate the learners of Ida Both: learners quality-assured, page 3 of 3",
        "?as_page=2&iq_page=2": "Reallocate the learners of Ida Both: learners assessed, "
        "page 2 of 2; learners quality-assured, page 2 of 3",
        "?iq_page=99": "Reallocate the learners of Ida Both: learners quality-assured, "
        "page 3 of 3",  # past the end: the last page, as the list shows
    }
    for query, title in titles.items():
        page = client.get(f"/admin/people/{ida.id}/reallocate{query}").get_data(as_text=True)
        shown = re.search(r"<title>(.*?) · ", page)
        assert shown is not None and html.unescape(shown.group(1)) == title, query


def test_the_page_reads_those_who_may_take_the_work_not_every_learner(
    client, auth, session, caseload
) -> None:
    """The choice of new assessor or IQA was made from every account read in full (120 learners
    here, thousands in a centre) and kept in Python; the page now reads assessors and IQAs alone."""
    from tests.portfolio.test_admin import _statements

    ann, *_ = caseload
    auth.login("admin")
    with _statements(session) as seen:
        page = client.get(f"/admin/people/{ann.id}/reallocate").get_data(as_text=True)
    assert "Ben Assessor" in page
    # reads of the person table as a list (not one person by id, such as the one logged in)
    people_reads = [
        s for s in seen
        if re.search(r"FROM person\b", s) and "JOIN" not in s and "person.id =" not in s
    ]  # fmt: skip
    assert people_reads and all("LIKE" in s for s in people_reads), people_reads
