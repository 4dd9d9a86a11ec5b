"""Quality assurance pages: who may open each one, and the IQA's, assessor's, admin's and EQA's
flows through them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import select

from delivery.web.app import create_app
from mappings.quality.models import Action, EqaAccess, Sample, SampleReview, SamplingCycle
from mappings.quality.plan import plan_cycle
from mappings.quality.samples import sample_view
from mappings.quality.strategy import get_strategy
from tests.conftest import actor_of
from tests.mappings.iqa_builders import assess
from tests.mappings.test_iqa import build_centre


@pytest.fixture
def planned(session, make_person, make_registration):
    centre = build_centre(session, make_person, make_registration, learners=3)
    plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    session.commit()
    sample = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).first()
    return centre, sample


def _pages(centre, sample) -> list[str]:
    c = centre.cycle.id
    return [
        "/iqa",
        "/iqa/strategy",
        "/iqa/cycles/new",
        f"/iqa/cycles/{c}",
        f"/iqa/cycles/{c}/grid",
        f"/iqa/samples/{sample.id}",
    ]


@pytest.mark.parametrize("role", ["learner", "assessor", "admin", "eqa"])
def test_iqa_pages_are_for_iqas_only(client, auth, planned, role) -> None:
    centre, sample = planned
    auth.login(role)
    for url in _pages(centre, sample):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/iqa/cycles/{centre.cycle.id}/plan").status_code == 403
    assert client.post(f"/iqa/samples/{sample.id}/drop").status_code == 403


def test_anonymous_is_sent_to_log_in(client, planned) -> None:
    centre, sample = planned
    for url in [*_pages(centre, sample), "/iqa/actions", "/admin/eqa", "/eqa"]:
        assert client.get(url).status_code == 302, url


def test_another_iqa_does_not_see_my_cycle(client, auth, planned) -> None:
    centre, sample = planned
    auth.login("iqa")
    assert client.get("/iqa").status_code == 200
    for url in _pages(centre, sample)[3:]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/iqa/cycles/{centre.cycle.id}/plan").status_code == 404
    home = client.get("/iqa").get_data(as_text=True)
    # on the element, not the page text: a random token on the page may hold the name's letters
    assert f'/iqa/cycles/{centre.cycle.id}"' not in home
    assert f">{centre.cycle.name}</a>" not in home and f">Grid of {centre.cycle.name}<" not in home


def test_iqa_sees_dashboard_plan_gaps_and_grid(client, auth, planned) -> None:
    centre, sample = planned
    auth.login(centre.iqa)
    home = client.get("/iqa").get_data(as_text=True)
    assert centre.cycle.name in home and "Open actions you set" in home
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    assert "What the strategy still lacks" in page
    # the sample by its place in the plan, not the planner's key ("S2")
    link = f'<a href="/iqa/samples/{sample.id}">Sample {sample.position}</a>'
    assert link in page and f">{sample.decision_key}<" not in page
    assert "quota of a new assessor (100%)" in page and "rate: new" not in page  # in words
    grid = client.get(f"/iqa/cycles/{centre.cycle.id}/grid").get_data(as_text=True)
    assert '<th scope="col">SE01</th>' in grid and ">sampled<" in grid
    assert ">nothing to sample<" in grid or ">not sampled<" in grid


def test_iqa_creates_plans_drops_adds_and_edits_strategy(client, auth, planned, session) -> None:
    centre, sample = planned
    auth.login(centre.iqa)
    response = client.post(
        "/iqa/cycles/new",
        data={"name": "Spring", "start": "2020-01-01", "end": date.today().isoformat()},
    )
    assert response.status_code == 302
    spring = session.exec(select(SamplingCycle).where(SamplingCycle.name == "Spring")).one()
    assert client.post(f"/iqa/cycles/{spring.id}/plan", data={"plan-seed": "5"}).status_code == 302
    assert session.exec(select(Sample).where(Sample.cycle_id == spring.id)).all()
    assert client.post(f"/iqa/samples/{sample.id}/drop").status_code == 302
    session.refresh(sample)
    assert sample.dropped
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    assert "is not sampled" in page or "samples" in page  # the gap is shown
    response = client.post(
        f"/iqa/cycles/{centre.cycle.id}/add",
        data={"add-decision": sample.decision_key, "add-reason": "back in"},
    )
    assert response.status_code == 302
    session.refresh(sample)
    assert not sample.dropped
    bad = client.post(f"/iqa/cycles/{centre.cycle.id}/add", data={"add-decision": "S0"})
    assert bad.status_code == 422 and "not open to sampling" in bad.get_data(as_text=True)
    form = client.get("/iqa/strategy").get_data(as_text=True)
    assert 'value="20"' in form
    saved = client.post(
        "/iqa/strategy",
        data={
            "rate_new": "100",
            "rate_standard": "30",
            "rate_under_review": "60",
            "interim": "y",
            "summative": "y",
            "bump": "y",
        },
    )
    assert saved.status_code == 302
    assert get_strategy(session).plan.rate("standard") == 0.3
    wrong = client.post("/iqa/strategy", data={"rate_new": "150", "rate_standard": "20",
                                               "rate_under_review": "50"})  # fmt: skip
    assert wrong.status_code == 422


def test_review_then_assessor_responds_and_iqa_closes(client, auth, planned, session) -> None:
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    decision = view.decisions[0]
    auth.login(centre.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    assert f'name="check-{decision.id}"' in page and "VACSR judgements" in page
    due = (date.today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/iqa/samples/{sample.id}",
        data={
            **{f"check-{d.id}": "agree" for d in view.decisions},
            f"check-{decision.id}": "disagree",
            f"note-{decision.id}": "Not observed",
            "outcome": "disagree",
            "feedback": "Observe it.",
            "action1": "Observe P1",
            "due1": due,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    review = session.exec(select(SampleReview).where(SampleReview.sample_id == sample.id)).one()
    assert review.outcome == "disagree"
    # the reviewed sample says its facts as values, with capitals ("Sign-off reopened: no")
    reviewed = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    assert "<dt>Sign-off reopened</dt><dd>No</dd>" in reviewed
    assert not re.search(r">(yes|no)</", reviewed)
    # the plan is now the cycle's record: its page no longer offers to plan again (which could
    # only be refused) and says why
    plan = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    assert 'name="plan-plan"' not in plan and "The plan is fixed" in plan
    action = session.exec(select(Action).where(Action.review_id == review.id)).one()
    assert "Observe P1" in client.get("/iqa").get_data(as_text=True)
    auth.logout()
    assessor = next(p for p in centre.assessors.values() if p.id == sample.assessor_id)
    auth.login(assessor)
    mine = client.get("/iqa/actions").get_data(as_text=True)
    assert "Observe P1" in mine
    assert client.post(f"/iqa/actions/{action.id}/close").status_code == 403
    empty = client.post(f"/iqa/actions/{action.id}/respond", data={})
    # refused on the actions page itself, with the message beside the form, nothing written
    assert empty.status_code == 422 and "Write your response" in empty.get_data(as_text=True)
    assert session.get(Action, action.id).status == "open"
    ok = client.post(f"/iqa/actions/{action.id}/respond", data={"respond-response": "Done."})
    assert ok.status_code == 302
    session.refresh(action)
    assert action.status == "responded"
    auth.logout()
    auth.login("assessor")  # someone else's action is not there for them
    other = client.post(f"/iqa/actions/{action.id}/respond", data={"respond-response": "x"})
    assert other.status_code == 404
    auth.logout()
    auth.login(centre.iqa)
    assert client.post(f"/iqa/actions/{action.id}/close").status_code == 302
    session.refresh(action)
    assert action.status == "closed"


def test_a_sample_links_back_to_its_plan_for_the_iqa_only(client, auth, planned, session) -> None:
    """From a sample (after recording its review, say) the IQA goes back to the cycle's plan and
    its other samples by the cycle's name; the page had no way back but the browser's."""
    centre, sample = planned
    auth.login(centre.iqa)
    plan = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    assert 'name="plan-plan"' in plan and "The plan is fixed" not in plan  # nothing reviewed
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    link = f'<a href="/iqa/cycles/{centre.cycle.id}">{centre.cycle.name}</a>'
    assert f"<dt>Cycle</dt><dd>{link}" in page


def test_admin_grants_eqa_who_reads_only_sampled_portfolios(
    client, auth, planned, session, make_person, make_registration
) -> None:
    centre, sample = planned
    eqa = make_person("eqa", name="Erin External")
    outsider = make_registration(assessor=make_person("assessor"), iqa=make_person("iqa"))
    auth.login("admin")
    page = client.get("/admin/eqa").get_data(as_text=True)
    assert "Erin External" in page and centre.cycle.name in page
    expires = (date.today() + timedelta(days=3)).isoformat()
    response = client.post(
        "/admin/eqa",
        data={"grant-person": eqa.id, "grant-cycle": centre.cycle.id, "grant-expires": expires},
    )
    assert response.status_code == 302
    grant = session.exec(select(EqaAccess).where(EqaAccess.person_id == eqa.id)).one()
    chosen = date.today() + timedelta(days=3)
    chosen_words = f"{chosen.day} {chosen:%b %Y}"  # the date the administrator chose, in words
    grants = client.get("/admin/eqa").get_data(as_text=True)
    assert f'<td data-label="Last day of access">{chosen_words}</td>' in grants
    auth.logout()
    auth.login(eqa)
    home = client.get("/eqa").get_data(as_text=True)
    assert f'<a href="/eqa/samples/{sample.id}">Sample {sample.position}</a>' in home
    assert f"(access until {chosen_words})" in home
    assert client.get(f"/eqa/samples/{sample.id}").status_code == 200
    assert client.get(f"/learners/{sample.learner_id}/evidence").status_code == 200
    assert client.get(f"/learners/{outsider.learner_id}/evidence").status_code == 404
    assert client.get("/iqa").status_code == 403
    assert client.get("/admin/eqa").status_code == 403
    # the grant ends: nothing is visible any more (they are told their access ended)
    from datetime import UTC, datetime

    grant.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.add(grant)
    session.commit()
    assert client.get(f"/eqa/samples/{sample.id}").status_code == 403
    assert client.get(f"/learners/{sample.learner_id}/evidence").status_code == 403
    assert client.get(f"/learners/{outsider.learner_id}/evidence").status_code == 404
    # the sample's link, not its key alone: a key such as "S2" can occur inside a CSRF token
    assert f"/eqa/samples/{sample.id}" not in client.get("/eqa").get_data(as_text=True)


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa"])
def test_eqa_pages_and_grants_are_closed_to_other_roles(client, auth, role) -> None:
    auth.login(role)
    assert client.get("/eqa").status_code == 403
    assert client.get("/admin/eqa").status_code == 403


def test_a_post_without_csrf_token_is_refused(engine, connection, tmp_path, planned) -> None:
    from tests.conftest import PASSWORD, _session_on

    centre, sample = planned
    app: Flask = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": centre.iqa.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    for url, data in (
        (f"/iqa/samples/{sample.id}/drop", {}),
        (f"/iqa/cycles/{centre.cycle.id}/plan", {"plan-seed": "1"}),
        (f"/iqa/samples/{sample.id}", {"outcome": "agree"}),
        ("/iqa/strategy", {"rate_new": "100", "rate_standard": "20", "rate_under_review": "50"}),
    ):
        assert client.post(url, data=data).status_code == 400, url


def test_plan_page_statement_count_does_not_grow_with_decisions(
    session, client, auth, make_person, make_registration, count_queries
) -> None:
    centre = build_centre(session, make_person, make_registration, learners=2)
    auth.login(centre.iqa)
    counts, decisions = [], []
    for more in (0, 9):  # nine more learners, each with signed and interim work
        for n in range(more):
            who = list(centre.assessors.values())[n % 3]
            reg = make_registration(assessor=who, iqa=centre.iqa)
            assess(session, reg, who.id, "SE01", kind="product", method="P")
            assess(session, reg, who.id, "SE03", kind="witness_testimony", method="WT",
                   signed=False)  # fmt: skip
        plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
        session.commit()
        with count_queries() as q:
            page = client.get(f"/iqa/cycles/{centre.cycle.id}")
        assert page.status_code == 200
        counts.append(q.count)
        decisions.append(page.get_data(as_text=True).count("<tr"))
    assert decisions[1] > decisions[0]
    assert counts[0] == counts[1] <= 16, counts


def test_plan_page_shows_its_samples_a_page_at_a_time(
    session, client, auth, make_person, make_registration, count_queries, monkeypatch
) -> None:
    from delivery.web.iqa import paging

    centre = build_centre(session, make_person, make_registration, learners=3)
    plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    session.commit()
    ids = [
        s.id
        for s in session.exec(
            select(Sample).where(Sample.cycle_id == centre.cycle.id).order_by(Sample.position)
        )
    ]
    assert len(ids) >= 3
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    auth.login(centre.iqa)
    url = f"/iqa/cycles/{centre.cycle.id}"
    with count_queries() as q:
        first = client.get(url).get_data(as_text=True)
    pages = -(-len(ids) // 2)
    assert f"{len(ids)} samples: 0 reviewed, 0 dropped. Showing 1 to 2." in first
    assert f"Page 1 of {pages}" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert first.count('action="/iqa/samples/') == 2  # a drop form for each row shown
    with count_queries() as q_last:
        last = client.get(f"{url}?page={pages}").get_data(as_text=True)
    assert q_last.count == q.count  # the page shown costs no statement of its own
    assert f"Page {pages} of {pages}" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert f"/iqa/samples/{ids[-1]}/drop" in last and f"/iqa/samples/{ids[0]}/drop" not in last
    # beyond the last page: the last page; a drop from page 2 comes back to page 2
    assert f"Page {pages} of {pages}" in client.get(f"{url}?page=999").get_data(as_text=True)
    answer = client.post(f"/iqa/samples/{ids[2]}/drop?page=2", data={"drop-row": ids[2]})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{url}?page=2")
    assert "1 dropped" in client.get(f"{url}?page=2").get_data(as_text=True)


def test_an_action_without_a_due_date_is_refused_not_dropped(
    client, auth, planned, session
) -> None:
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    auth.login(centre.iqa)
    due = (date.today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/iqa/samples/{sample.id}",
        data={
            **{f"check-{d.id}": "agree" for d in view.decisions},
            "outcome": "agree",
            "action1": "Observe P1",
            "due1": due,
            "action2": "Check the witness",
            "due2": "",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give this action a due date." in page and "Check the witness" in page
    assert session.exec(select(SampleReview).where(SampleReview.sample_id == sample.id)).all() == []


def test_a_seed_or_a_grant_out_of_range_is_refused_with_a_reason(
    client, auth, planned, session, make_person
) -> None:
    centre, _sample = planned
    auth.login(centre.iqa)
    too_big = "99999999999999999999"
    response = client.post(
        "/iqa/cycles/new",
        data={"name": "Huge seed", "start": "2026-01-01", "end": "2026-03-31", "seed": too_big},
    )
    assert response.status_code == 422
    said = "Give the sampling number as a whole number from 0 to 2,147,483,647, or leave it empty."
    assert said in response.get_data(as_text=True)
    assert session.exec(select(SamplingCycle).where(SamplingCycle.name == "Huge seed")).all() == []
    planned_again = client.post(f"/iqa/cycles/{centre.cycle.id}/plan", data={"plan-seed": "-1"})
    assert planned_again.status_code == 422
    auth.logout()
    eqa = make_person("eqa")
    auth.login("admin")
    for last_day in ("9999-12-31", (date.today() + timedelta(days=400)).isoformat()):
        refused = client.post(
            "/admin/eqa",
            data={
                "grant-person": eqa.id,
                "grant-cycle": centre.cycle.id,
                "grant-expires": last_day,
            },
        )
        assert refused.status_code == 422
        assert "Access ends within a year of today" in refused.get_data(as_text=True)
    assert session.exec(select(EqaAccess).where(EqaAccess.person_id == eqa.id)).all() == []


def test_the_sampling_number_is_explained_not_called_a_random_seed(client, auth, planned) -> None:
    """ "Random seed" is jargon: the field says what the number does, and keeps doing it."""
    centre, _sample = planned
    auth.login(centre.iqa)
    new = client.get("/iqa/cycles/new").get_data(as_text=True)
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    for text in (new, page):
        assert "Sampling number" in text and "the same number picks the same samples again" in text
        words = re.sub(r'[\w-]+="[^"]*seed[^"]*"', "", text)  # the field's name stays
        assert "seed" not in words.lower()


def test_planning_one_sample_says_one_sample(client, auth, session, make_person, make_registration) -> None:  # fmt: skip
    """A new centre's first cycle often holds one decision: "Planned 1 sample", not "1 samples"."""
    from mappings.quality.cycles import create_cycle
    from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START

    iqa, assessor = make_person("iqa"), make_person("assessor")
    reg = make_registration(assessor=assessor, iqa=iqa)
    assess(session, reg, assessor.id, "SE01", kind="observation_record", method="O")
    cycle = create_cycle(session, actor=actor_of(iqa), name="First", start=CYCLE_START, end=CYCLE_END, seed=3)  # fmt: skip
    session.commit()
    auth.login(iqa)
    page = client.post(
        f"/iqa/cycles/{cycle.id}/plan", data={"plan-seed": "3"}, follow_redirects=True
    )
    samples = session.exec(select(Sample).where(Sample.cycle_id == cycle.id)).all()
    assert len(samples) == 1
    text = page.get_data(as_text=True)
    assert "Planned 1 sample with sampling number 3." in text, re.findall(r"Planned[^<]*", text)


def test_a_new_iqa_is_shown_where_sampling_starts(client, auth) -> None:
    # an IQA with no cycle saw "No cycles yet." and, on their home, only their learners' progress
    auth.login("iqa")
    home = client.get("/").get_data(as_text=True)
    panel = home[home.index('id="caseload-iqa"') :]
    assert 'href="/iqa"' in panel  # from the panel, not only the menu
    page = client.get("/iqa").get_data(as_text=True)
    assert "No cycles yet: choose “New sampling cycle”" in page


def test_the_iqa_agrees_with_every_decision_left_unmarked_in_one_tick(
    client, auth, planned, session
) -> None:
    # a standard of 26 criteria made a sample of 27 decisions: 27 "Agree" buttons to press
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    auth.login(centre.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    assert 'name="agree_rest"' in page
    review = {"outcome": "agree", "feedback": "Sound."}
    unmarked = client.post(f"/iqa/samples/{sample.id}", data=review)
    assert unmarked.status_code == 422  # left unmarked without the tick: each must be chosen
    response = client.post(f"/iqa/samples/{sample.id}", data={**review, "agree_rest": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    checks = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id).checks
    assert view.decisions and all(checks[d.id].agree for d in view.decisions)


def test_a_review_reports_every_problem_at_once(client, auth, planned, session) -> None:
    """An action with no due date, a disagreement with no note and a disagreeing outcome with
    no feedback are said together: the IQA was told of the due date alone, and only once it
    was given of the note, then of the feedback, one posting each."""
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    first = view.decisions[0]
    auth.login(centre.iqa)
    response = client.post(
        f"/iqa/samples/{sample.id}",
        data={
            f"check-{first.id}": "disagree",
            "agree_rest": "y",
            "outcome": "disagree",
            "action1": "Ask the witness for more",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give this action a due date." in page
    assert f'id="check-{first.id}-error"' in page and "Say why you disagree with " in page
    assert "Give the assessor feedback when you disagree." in page
    assert "Ask the witness for more" in page  # nothing typed is lost
    assert session.exec(select(SampleReview).where(SampleReview.sample_id == sample.id)).all() == []


def test_agreeing_with_the_rest_keeps_a_disagreement_marked(client, auth, planned, session) -> None:
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    first = view.decisions[0]
    auth.login(centre.iqa)
    response = client.post(
        f"/iqa/samples/{sample.id}",
        data={
            f"check-{first.id}": "disagree",
            f"note-{first.id}": "Not observed",
            "agree_rest": "y",
            "outcome": "disagree",
            "feedback": "Observe it.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    checks = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id).checks
    assert not checks[first.id].agree


def test_the_assessor_is_told_of_the_review_and_its_feedback(
    client, auth, planned, session
) -> None:
    # "Feedback to the assessor" reached the assessor only with an action: a review that agreed,
    # with feedback and no action, was never shown to them anywhere
    from portfolio.models import Notification

    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    auth.login(centre.iqa)
    response = client.post(
        f"/iqa/samples/{sample.id}",
        data={
            **{f"check-{d.id}": "agree" for d in view.decisions},
            "outcome": "agree",
            "feedback": "Fuller feedback to the learner, please.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    told = session.exec(
        select(Notification).where(Notification.person_id == sample.assessor_id)
    ).all()
    assert [n.kind for n in told] == ["iqa_review"]
    assert "agreed with them" in told[0].text and view.learner_name in told[0].text
    assert "“Fuller feedback to the learner, please.”" in told[0].text


def test_the_decisions_to_add_by_hand_are_by_learner_and_say_when_there_are_more(
    client, auth, planned, session, monkeypatch
) -> None:
    """With many learners the form offers only the first few hundred decisions not sampled: it
    says how many there are, and offers them by learner's name, so the IQA can find one. They
    were cut at 300 without a word, in the order of their internal keys."""
    from mappings.quality import plan as plan_module

    centre, sample = planned
    plan_module.drop_sample(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    session.commit()  # three decisions not sampled
    monkeypatch.setattr(plan_module, "ADD_OFFERED", 2)
    page_data = plan_module.plan_page(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    assert page_data.unsampled > 2 and len(page_data.candidates) == 2
    names = [(c.learner_name, c.standard_code) for c in page_data.candidates]
    assert names == sorted(names)
    auth.login(centre.iqa)
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    assert (
        f"{page_data.unsampled} decisions are not sampled yet: the first 2, by learner, are "
        "offered here." in page
    )
