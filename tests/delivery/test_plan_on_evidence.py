"""The evidence page names the plan the item was written for, linking to it, in the statements
the page already runs (the frameworks' statement reads it): an item written for a plan costs
the page no more statements than one that was not."""

from __future__ import annotations

from sqlmodel import select

from mappings.assessment import claims, plans
from portfolio.models import RegistrationStandard
from tests.conftest import actor_of
from tests.delivery.test_plans_web import _set, case  # noqa: F401


def test_the_evidence_page_names_the_plan_without_another_statement(
    client,
    auth,
    session,
    case,  # noqa: F811
    make_evidence,
    count_queries,
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on the bakery visit")
    written = make_evidence(learner, title="At the bakery")
    other = make_evidence(learner, title="Something else")
    plans.link_evidence(session, actor=actor_of(learner), plan_id=plan, evidence_id=written.id)
    session.commit()
    link = f'Written for the plan <a href="/plans/{plan}">Reflect on the bakery visit</a>'
    for who in (learner, assessor):
        auth.login(who)
        for item in (written, other):  # their suggestions worked out (in the request, in tests)
            client.get(f"/evidence/{item.id}")
        with count_queries() as without:
            page = client.get(f"/evidence/{other.id}").get_data(as_text=True)
        assert "Written for the plan" not in page
        with count_queries() as having:
            page = client.get(f"/evidence/{written.id}").get_data(as_text=True)
        assert link in page
        assert having.count == without.count, (having.statements, without.statements)


def test_the_plan_is_named_when_the_learner_has_no_standard_left_to_claim(
    client,
    auth,
    session,
    case,  # noqa: F811
    make_evidence,
    count_queries,
) -> None:
    """With no standard on any registration the page reads no framework: the plan is named all
    the same, and an item written for a plan still costs no more statements than one not."""
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Reflect on the bakery visit")
    written = make_evidence(learner, title="At the bakery")
    other = make_evidence(learner, title="Something else")
    plans.link_evidence(session, actor=actor_of(learner), plan_id=plan, evidence_id=written.id)
    for row in session.exec(
        select(RegistrationStandard).where(RegistrationStandard.registration_id == reg.id)
    ):
        session.delete(row)
    session.commit()
    assert claims.claimable_criteria(session, learner.id) == []
    link = f'Written for the plan <a href="/plans/{plan}">Reflect on the bakery visit</a>'
    for who in (learner, assessor):
        auth.login(who)
        for item in (written, other):
            client.get(f"/evidence/{item.id}")
        with count_queries() as without:
            page = client.get(f"/evidence/{other.id}").get_data(as_text=True)
        assert "Written for the plan" not in page
        with count_queries() as having:
            page = client.get(f"/evidence/{written.id}").get_data(as_text=True)
        assert link in page
        assert having.count == without.count, (having.statements, without.statements)
