"""Costs that do not grow with history: an administrator's page of an assessor and their
reallocation page list the learners the assessor has 50 a page (the reallocation form ticks
those shown), in the same number of SQL statements for 5 registrations as for 200, not one per
registration, each page as long as the first; the page of a learner with 60 plans costs what one
with 3 does."""

from __future__ import annotations

import re

from portfolio.models import Registration
from tests.delivery.test_plan_reads_cost import _set_plans
from tests.mappings.test_coverage_web import _quick_learner


def _register(session, make_registration, assessor, iqa, start: int, n: int) -> list[Registration]:
    return [
        make_registration(
            learner=_quick_learner(session, f"Learner {i:03}"),
            assessor=assessor,
            iqa=iqa,
            codes="SE01",
        )  # fmt: skip
        for i in range(start, start + n)
    ]


def test_an_assessors_pages_take_the_same_statements_and_rows_for_5_and_200_learners(
    session, client, auth, make_person, make_registration, count_queries, backend
) -> None:
    assessor = make_person("assessor", name="Ann Assessor")
    ida = make_person("iqa,assessor", name="Ida Both")  # their IQA: cannot be their assessor
    auth.login("admin")
    counts: dict[str, list[int]] = {}
    listed: dict[str, list[int]] = {}
    regs: list[Registration] = []
    for start, n in ((0, 5), (5, 195)):
        regs += _register(session, make_registration, assessor, ida, start, n)
        moved = {"as-registration_ids": [r.id for r in regs], "as-move": "Move"}
        for name, method, url, data, status in (
            ("person", "get", f"/admin/people/{assessor.id}", None, 200),
            ("their IQA", "get", f"/admin/people/{ida.id}", None, 200),
            ("reallocate", "get", f"/admin/people/{assessor.id}/reallocate", None, 200),
            ("page 4", "get", f"/admin/people/{assessor.id}?page=4", None, 200),
            ("reallocate 4", "get", f"/admin/people/{assessor.id}/reallocate?as_page=4", None,
             200),
            ("no one chosen", "post", f"/admin/people/{assessor.id}/reallocate",
             {**moved, "as-to_assessor_id": 0}, 422),
            ("refused", "post", f"/admin/people/{assessor.id}/reallocate",
             {**moved, "as-to_assessor_id": ida.id}, 422),
        ):  # fmt: skip
            with count_queries() as q:
                response = client.open(url, method=method, data=data)
            assert response.status_code == status, name
            counts.setdefault(name, []).append(q.count)
            page = response.get_data(as_text=True)
            listed.setdefault(name, []).append(len(set(re.findall(r"Learner \d{3}", page))))
    # the log-in; the person; their registrations with names, and the registrations' standards;
    # the reallocation page also the people to move them to; a post begins a write, and a
    # refusal has the service's reads (PostgreSQL's lock of the rows to move one more); a page
    # past the end (page 4 of 5 learners) is counted and the last page read; the people to move
    # them to are the assessors and IQAs alone, so a refusal reads the acting administrator again
    # after its rollback (one more: they were among "everyone" the page read before)
    refused = 9 if backend == "sqlite" else 10
    assert counts == {"person": [4, 4], "their IQA": [4, 4], "reallocate": [5, 5],
                      "page 4": [6, 4], "reallocate 4": [7, 5],
                      "no one chosen": [6, 6], "refused": [refused, refused]}  # fmt: skip
    assert {name: shown for name, shown in listed.items()} == {
        **dict.fromkeys(counts, [5, 50]),
        "page 4": [5, 50],
        "reallocate 4": [5, 50],
    }
    assert [r.assessor_id for r in regs] == [assessor.id] * 200  # nothing moved


def test_a_learners_page_takes_the_same_statements_for_3_and_60_plans(
    session, client, auth, make_person, make_registration, count_queries
) -> None:
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    auth.login("admin")
    counts = []
    for n in (3, 57):
        _set_plans(session, reg, assessor, n)
        with count_queries() as q:
            page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
        counts.append(q.count)
    assert counts == [5, 5]  # and the plans, at most 50 of them, one statement
    assert len(set(re.findall(r'href="/plans/(\d+)"', page))) == 50
