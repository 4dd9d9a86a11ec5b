"""The assessor reads the IQA's reviews of their sampled decisions on their IQA actions page
("Reviews of your decisions"): outcome, feedback, the decisions disagreed with and why. The
review's notification links there; nobody else sees them."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from mappings.quality.models import Sample
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.reviewed import reviews_of_my_decisions
from mappings.quality.samples import sample_view
from portfolio.models import Notification
from tests.conftest import actor_of
from tests.mappings.test_iqa import build_centre


@pytest.fixture
def planned(session, make_person, make_registration):
    centre = build_centre(session, make_person, make_registration, learners=3)
    plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    session.commit()
    new = centre.assessors["new"]  # sampled at 100%: every one of their decisions
    samples = session.exec(
        select(Sample).where(Sample.cycle_id == centre.cycle.id, Sample.assessor_id == new.id)
    ).all()
    assert len(samples) >= 3
    return centre, new, samples


def _review(session, centre, sample, *, disagree: bool = False):
    iqa = actor_of(centre.iqa)
    view = sample_view(session, actor=iqa, sample_id=sample.id)
    first = view.decisions[0]
    checks = {d.id: (True, "") for d in view.decisions}
    if disagree:
        checks[first.id] = (False, "The observation does not show P1 being met.")
    review = review_sample(
        session,
        actor=iqa,
        sample_id=sample.id,
        outcome="disagree" if disagree else "agree",
        feedback="Say what you saw." if disagree else "Clear, well-reasoned decisions.",
        checks=checks,
    )
    session.commit()
    return review, view, first


def test_the_assessor_reads_the_reviews_of_their_decisions(client, auth, planned, session) -> None:
    centre, assessor, samples = planned
    agreed, _, _ = _review(session, centre, samples[0])
    disagreed, view, first = _review(session, centre, samples[1], disagree=True)
    auth.login(assessor)
    page = client.get("/iqa/actions").get_data(as_text=True)
    assert "Reviews of your decisions" in page
    section = page[page.index("Reviews of your decisions") :]
    # newest first, each by learner, standard and cycle, its outcome in words and the feedback
    assert section.index(f'id="review-{disagreed.id}"') < section.index(f'id="review-{agreed.id}"')
    assert view.learner_name in section and view.standard_code in section
    assert centre.cycle.name in section
    assert "Disagreed" in section and "Agreed" in section
    assert not re.search(r">\s*(agree|disagree)\s*<", section)
    assert "Say what you saw." in section and "Clear, well-reasoned decisions." in section
    # the decision disagreed with, by its criterion and evidence, and the IQA's note
    assert first.criterion in section and first.evidence_title in section
    assert "The observation does not show P1 being met." in section
    assert centre.iqa.name in section
    # the review's date in words, not as stored
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section)


def test_the_review_notification_links_to_the_review(session, planned) -> None:
    # a review without actions was told with an empty link: nowhere to read it
    centre, assessor, samples = planned
    review, _, _ = _review(session, centre, samples[0])
    told = session.exec(
        select(Notification).where(
            Notification.person_id == assessor.id, Notification.kind == "iqa_review"
        )
    ).one()
    assert told.link == f"/iqa/actions#review-{review.id}"


def test_no_one_else_sees_an_assessors_reviews(client, auth, planned, session) -> None:
    centre, assessor, samples = planned
    _review(session, centre, samples[0], disagree=True)
    other = centre.assessors["standard"]
    assert reviews_of_my_decisions(session, actor=actor_of(other)).rows == []
    assert reviews_of_my_decisions(session, actor=actor_of(centre.iqa)).rows == []
    assert len(reviews_of_my_decisions(session, actor=actor_of(assessor)).rows) == 1
    for who in (other, centre.iqa):
        auth.login(who)
        page = client.get("/iqa/actions").get_data(as_text=True)
        assert "Say what you saw." not in page
        assert "The observation does not show P1 being met." not in page
        auth.logout()


def test_the_reviews_cost_the_same_statements_however_many(
    client, auth, planned, session, count_queries
) -> None:
    centre, assessor, samples = planned
    _review(session, centre, samples[0], disagree=True)
    auth.login(assessor)
    client.get("/iqa/actions")
    with count_queries() as one:
        client.get("/iqa/actions")
    for sample in samples[1:]:
        _review(session, centre, sample, disagree=True)
    with count_queries() as more:
        page = client.get("/iqa/actions").get_data(as_text=True)
    assert page.count('class="panel review"') == len(samples)
    assert more.count == one.count


def test_the_reviews_are_shown_a_page_at_a_time(session, planned) -> None:
    centre, assessor, samples = planned
    reviews = [_review(session, centre, s)[0] for s in samples]
    me = actor_of(assessor)
    first = reviews_of_my_decisions(session, actor=me, page=1, per_page=2)
    assert first.total == len(samples) and first.pages == -(-len(samples) // 2)
    assert [r.review.id for r in first.rows] == [r.id for r in reversed(reviews)][:2]
    last = reviews_of_my_decisions(session, actor=me, page=99, per_page=2)
    assert last.page == first.pages and last.rows
