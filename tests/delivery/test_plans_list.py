"""Every plan a learner was ever set stays within reach: ``/learners/N/plans`` lists them 50 a
page (open ones soonest due first, then ended ones, most recently ended first) with "Next page",
in the same number of SQL statements for 3 plans as for 60; the progress page and the
administrator's page of the learner show the first 50 and link to the list when there are more."""

from __future__ import annotations

import html
import re
from datetime import date

from mappings.assessment import plan_reads
from tests.conftest import actor_of
from tests.delivery.test_plan_reads_cost import _set_plans


def _plans(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li><a href="/plans/(\d+)">', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def _walk(client, url: str | None) -> list[str]:
    pages = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, url
        pages.append(page.get_data(as_text=True))
        url = _link(pages[-1], "next")
        assert len(pages) < 5
    return pages


def test_the_list_pages_every_plan_in_the_same_statements_for_3_and_60(
    session, client, auth, make_person, make_registration, count_queries, monkeypatch
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    admin = make_person("admin")
    url = f"/learners/{learner.id}/plans"
    counts: dict[str, list[int]] = {}
    for start, n in ((0, 3), (3, 57)):
        _set_plans(session, reg, assessor, n)
        for person in (learner, assessor, admin):
            auth.login(person)
            for page in ("", "?page=2")[: 1 + (start > 0)]:
                with count_queries() as q:
                    assert client.get(url + page).status_code == 200
                counts.setdefault(person.roles, []).append(q.count)
            auth.logout()
    # the log-in; the learner; the page with how many plans (and for their assessor, who they are)
    assert counts == {"learner": [3, 3, 3], "assessor": [4, 4, 4], "admin": [3, 3, 3]}, counts
    auth.login(learner)
    pages = _walk(client, url)
    everything = plan_reads.plans_of(session, actor=actor_of(learner), learner_id=learner.id,
                                     today=date.today(), limit=100)  # fmt: skip
    assert [p for page in pages for p in _plans(page)] == [p.id for p in everything]
    assert len(pages) == 2 and "Page 2 of 2" in pages[1] and len(_plans(pages[0])) == 50
    # each page has a title of its own, as the page says which it is (WCAG 2.4.2)
    assert "<title>My assessment plans, page 2 of 2 ·" in pages[1]
    assert _link(pages[1], "prev") and _plans(client.get(_link(pages[1], "prev")).get_data(
        as_text=True)) == _plans(pages[0])  # fmt: skip
    assert _plans(client.get(f"{url}?page=9").get_data(as_text=True)) == _plans(pages[1])
    # the progress page shows the first 50 and says where the rest are
    progress = client.get(f"/learners/{learner.id}/progress").get_data(as_text=True)
    assert f'href="{url}">See all 60 plans</a>' in progress


def test_a_few_plans_need_no_pages_and_the_progress_page_no_link(
    session, client, auth, make_person, make_registration
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    _set_plans(session, reg, assessor, 3)
    auth.login(assessor)
    page = client.get(f"/learners/{learner.id}/plans").get_data(as_text=True)
    assert len(_plans(page)) == 3 and "Next page" not in page and "Page 1 of" not in page
    assert "See all" not in client.get(f"/learners/{learner.id}/progress").get_data(as_text=True)


def test_an_administrator_reaches_every_plan_from_the_learners_page(
    session, client, auth, make_person, make_registration
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    _set_plans(session, reg, assessor, 55)
    auth.login("admin")
    person = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    url = f"/learners/{learner.id}/plans"
    assert f'href="{url}">See all 55 plans</a>' in person
    pages = _walk(client, url)
    assert len({p for page in pages for p in _plans(page)}) == 55
    assert f'href="/admin/people/{learner.id}"' in pages[0]


def test_someone_who_may_not_read_the_portfolio_is_not_shown_the_list(
    session, client, auth, make_person, make_registration
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE01")
    auth.login("learner")
    assert client.get(f"/learners/{learner.id}/plans").status_code in (403, 404)
    assert client.get("/learners/999999/plans").status_code == 404


def test_the_api_pages_a_learners_plans_with_a_cursor_as_its_other_lists(
    session, client, make_person, make_registration, count_queries
) -> None:
    from tests.delivery.api_world import bearer, token_for

    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    headers = bearer(token_for(session, assessor.id))
    url = f"/api/v1/learners/{learner.id}/plans"
    _set_plans(session, reg, assessor, 3)
    client.get(url, headers=headers)  # the token's first use is written down once
    with count_queries() as q:
        few = client.get(url, headers=headers).get_json()
    counts = [q.count]
    assert len(few["items"]) == 3 and few["next"] is None and few["next_cursor"] is None
    _set_plans(session, reg, assessor, 57)
    seen, link = [], url
    while link:
        with count_queries() as q:
            answer = client.get(link, headers=headers)
        assert answer.status_code == 200, answer.get_json()
        counts.append(q.count)
        seen += [p["id"] for p in answer.get_json()["items"]]
        link = answer.get_json()["next"]
        assert len(counts) < 5
    everything = plan_reads.plans_of(session, actor=actor_of(learner), learner_id=learner.id,
                                     today=date.today(), limit=100)  # fmt: skip
    assert seen == [p.id for p in everything] and len(counts) == 3  # 50, then 10
    assert counts[0] == counts[1] == counts[2], counts
    small = client.get(f"{url}?limit=7", headers=headers).get_json()
    assert len(small["items"]) == 7 and small["next_cursor"]
