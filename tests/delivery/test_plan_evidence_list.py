"""A plan's page lists the newest items written for it and links the rest: the learner's
evidence list filtered to the plan (``?plan=N``), for whoever may read the learner's portfolio,
never another learner's plan, in the same number of SQL statements however many items."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from mappings.assessment import plan_reads
from mappings.assessment.models import AssessmentPlanEvidence
from tests.conftest import actor_of
from tests.delivery.test_plans_web import _set, _text


@pytest.fixture
def case(session, make_person, make_registration):
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    session.commit()
    return reg, learner, assessor


def _write(session, make_evidence, learner, plan_id: int | None, start: int, n: int) -> None:
    for i in range(start, start + n):
        item = make_evidence(
            learner,
            title=f"For the plan {i}" if plan_id else f"Other work {i}",
            activity_date=date.today() - timedelta(days=i % 30),
            submit=i % 2 == 0,
        )
        if plan_id:
            session.add(
                AssessmentPlanEvidence(plan_id=plan_id, evidence_id=item.id, linked_by=learner.id)
            )
    session.commit()


def _numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r">For the plan (\d+)</a>", page)]


def test_a_plans_page_shows_the_newest_20_and_links_the_earlier_ones(
    session, client, auth, case, make_evidence, make_person
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on your visits")
    _write(session, make_evidence, learner, plan, 0, 3)
    auth.login(learner)
    page = _text(client.get(f"/plans/{plan}"))
    assert _numbers(page) == [0, 1, 2] and "earlier item" not in page
    _write(session, make_evidence, learner, plan, 3, 22)
    for person in (learner, assessor):
        auth.login(person)
        page = _text(client.get(f"/plans/{plan}"))
        assert _numbers(page) == list(range(5, 25))  # the newest 20, oldest first
        link = f'<a href="/learners/{learner.id}/evidence?plan={plan}">'
        assert f"{link}5 earlier items written for this plan</a>" in page
        assert "evidence submitted" in page.lower()  # its state counts every item, shown or not
        auth.logout()
    admin = make_person("admin")
    auth.login(admin)
    page = _text(client.get(f"/plans/{plan}"))  # an administrator does not read the portfolio
    assert "5 earlier items written for this plan." in page and "?plan=" not in page
    # nor links an item, which would answer 404: the titles are said, not linked
    assert "For the plan 24" in page and _numbers(page) == [] and 'href="/evidence/' not in page
    shown = plan_reads.plan_page(
        session, actor=actor_of(assessor), plan_id=plan, today=date.today()
    )
    assert shown.evidence_total == 25 and len(shown.evidence) == plan_reads.EVIDENCE_SHOWN


def _titles(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return re.findall(r'<td data-label="Title"><a href="/evidence/\d+">([^<]*)</a>', body)


def test_the_evidence_list_filtered_to_a_plan(session, client, auth, case, make_evidence) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on your visits")
    _write(session, make_evidence, learner, plan, 0, 4)
    _write(session, make_evidence, learner, None, 10, 3)
    for person, url in (
        (learner, f"/evidence?plan={plan}"),
        (learner, f"/learners/{learner.id}/evidence?plan={plan}"),
        (assessor, f"/learners/{learner.id}/evidence?plan={plan}"),
    ):
        auth.login(person)
        page = _text(client.get(url))
        assert "Evidence written for the plan “Reflect on your visits”" in page, url
        assert sorted(_titles(page)) == [f"For the plan {i}" for i in range(4)], url
        # the status filters, the order and the search keep to the plan
        assert f"plan={plan}" in page.split('aria-label="Show evidence by status"')[1][:400]
        assert f'<input type="hidden" name="plan" value="{plan}">' in page
        drafts = _text(client.get(f"{url}&status=draft&q=plan"))
        assert sorted(_titles(drafts)) == ["For the plan 1", "For the plan 3"], url
        everything = _text(client.get(url.split("?")[0]))
        assert len(_titles(everything)) == 7 and "Evidence written for the plan" not in everything
        auth.logout()


def test_an_unknown_plan_or_another_learners_is_not_found(
    session, client, auth, case, make_evidence, make_person, make_registration
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on your visits")
    _write(session, make_evidence, learner, plan, 0, 2)
    other, other_assessor = make_person("learner"), make_person("assessor")
    other_reg = make_registration(learner=other, assessor=other_assessor, codes="SE01,SE03")
    session.commit()
    theirs = _set(session, other_reg, other_assessor, title="Their own plan")
    # the plan's assessor reads a third learner too: still only the listed learner's plan
    third = make_person("learner")
    make_registration(learner=third, assessor=assessor, codes="SE01")
    session.commit()
    refused = [
        (other, f"/evidence?plan={plan}"),  # another learner's plan on one's own list
        (other, f"/learners/{learner.id}/evidence?plan={plan}"),
        (other_assessor, f"/learners/{learner.id}/evidence?plan={plan}"),
        (other_assessor, f"/learners/{other.id}/evidence?plan={plan}"),
        (assessor, f"/learners/{third.id}/evidence?plan={plan}"),
        (learner, f"/evidence?plan={theirs}"),
        (learner, "/evidence?plan=999999"),
        (learner, "/evidence?plan=x"),
        (assessor, f"/learners/{learner.id}/evidence?plan=-1"),
    ]
    for person, url in refused:
        auth.login(person)
        response = client.get(url)
        page = _text(response)
        assert response.status_code == 404, url
        assert "For the plan" not in page and "Reflect on your visits" not in page, url
        auth.logout()
    auth.login(assessor)
    page = _text(client.get(f"/learners/{learner.id}/evidence?plan={plan}"))
    assert sorted(_titles(page)) == ["For the plan 0", "For the plan 1"]


def test_the_filtered_list_takes_the_same_statements_however_long(
    session, client, auth, case, make_evidence, count_queries
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor)
    counts: dict[tuple[str, str], list[int]] = {}
    for start, n in ((0, 3), (3, 57)):
        _write(session, make_evidence, learner, plan, start, n)
        _write(session, make_evidence, learner, None, 100 + start, n)
        for person, url in (
            (learner, f"/evidence?plan={plan}"),
            (assessor, f"/learners/{learner.id}/evidence?plan={plan}&q=plan&sort=title"),
        ):
            auth.login(person)
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.setdefault((person.roles, url), []).append(q.count)
            auth.logout()
    # the unfiltered list's statements (3 for the learner, 6 for the assessor) and the plan's title
    assert list(counts.values()) == [[4, 4], [7, 7]], counts
