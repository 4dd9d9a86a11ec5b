"""The QA pages as people use them: the IQA report from the web, a review that starts with no
verdict, the plan saying why it sampled more than the quotas, the EQA's home."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from mappings.assessment.words import METHODS
from mappings.quality.beyond import PlannedSample, beyond_quota
from mappings.quality.eqa import grant_eqa
from mappings.quality.models import Sample, SampleReview
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from mappings.quality.sampling import Quota
from portfolio.services.registration_standards import CENTRE
from portfolio.words import last_day
from tests.conftest import actor_of
from tests.mappings.test_iqa import build_centre


@pytest.fixture
def planned(session, make_person, make_registration):
    centre = build_centre(session, make_person, make_registration, learners=3)
    plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    session.commit()
    sample = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).first()
    return centre, sample


def test_beyond_quota_names_what_the_extra_samples_cover() -> None:
    quotas = [
        Quota("A (#1)", "standard", 0.2, 5, 1, "rate: standard assessor 20%"),
        Quota("B (#2)", "new", 1.0, 2, 2, "rate: new assessor 100%"),
    ]
    samples = [
        PlannedSample("A (#1)", ("rate: standard assessor 20%", "CAMERA: method O"), False),
        PlannedSample("A (#1)", ("CAMERA: method PD", "CAMERA: site Hull"), False),
        PlannedSample("A (#1)", ("CAMERA: site Hull", "coverage: standard SE04"), False),
        PlannedSample("A (#1)", ("manual: added by IQA",), True),
        PlannedSample("B (#2)", ("rate: new assessor 100%",), False),
        PlannedSample("B (#2)", ("rate: new assessor 100%",), False),
    ]
    (a,) = beyond_quota(samples, quotas)  # B sampled exactly its quota
    assert (a.assessor, a.required, a.sampled, a.extra) == ("A (#1)", 1, 4, 3)
    assert (a.for_coverage, a.by_hand) == (2, 1)
    assert a.covers == ("method professional discussion", "site Hull", "standard SE04")
    assert beyond_quota([], quotas) == []


def test_iqa_downloads_the_cycle_report(client, auth, planned) -> None:
    centre, _sample = planned
    auth.login(centre.iqa)
    c = centre.cycle.id
    page = client.get(f"/iqa/cycles/{c}").get_data(as_text=True)
    assert f"/iqa/cycles/{c}/report.xlsx" in page and f"/iqa/cycles/{c}/report.docx" in page
    assert '<title id="chart-iqa-grid-title">' in page and "Show as a table" in page
    got = client.get(f"/iqa/cycles/{c}/report.csv")
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    assert rows and all(r["Outcome"] == "Not reviewed" for r in rows)
    sheet = load_workbook(io.BytesIO(client.get(f"/iqa/cycles/{c}/report.xlsx").data)).active
    assert sheet is not None and sheet.max_row >= len(rows)
    doc = Document(io.BytesIO(client.get(f"/iqa/cycles/{c}/report.docx").data))
    assert any(p.text.startswith("Sample ") for p in doc.paragraphs)
    assert client.get(f"/iqa/cycles/{c}/report.pdf").status_code == 404
    auth.logout()
    auth.login("iqa")  # another IQA: not their cycle
    assert client.get(f"/iqa/cycles/{c}/report.csv").status_code in (403, 404)


def test_plan_page_says_why_more_than_the_quota(
    client, auth, session, make_person, make_registration
) -> None:
    from mappings.quality.cycles import create_cycle
    from mappings.quality.plan import add_sample, plan_page
    from mappings.quality.strategy import save_strategy
    from tests.mappings.iqa_builders import CYCLE_END, CYCLE_START

    centre = build_centre(session, make_person, make_registration, learners=3)
    me = actor_of(centre.iqa)
    # no quotas: every planned sample is there for CAMERA coverage
    save_strategy(session, actor=me, rates={"new": 0.0, "standard": 0.0, "under_review": 0.0},
                  interim=True, summative=True)  # fmt: skip
    cycle = create_cycle(session, actor=me, name="Low", start=CYCLE_START, end=CYCLE_END, seed=3)
    plan_cycle(session, actor=me, cycle_id=cycle.id)
    page_data = plan_page(session, actor=me, cycle_id=cycle.id)
    add_sample(session, actor=me, cycle_id=cycle.id,
               decision_key=page_data.candidates[0].key, reason="")  # fmt: skip
    session.commit()
    beyond = plan_page(session, actor=me, cycle_id=cycle.id).beyond
    assert beyond and any(b.for_coverage for b in beyond) and sum(b.by_hand for b in beyond) == 1
    auth.login(centre.iqa)
    page = client.get(f"/iqa/cycles/{cycle.id}").get_data(as_text=True)
    assert "Why more than the quota" in page
    part = page.split("Why more than the quota")[1].split("</section>")[0]
    assert "taken to sample what no other sample showed" in part and "added by hand" in part
    assert "(#" not in part and "CAMERA" not in part  # words, not ids or codes


def test_review_starts_with_no_verdict_and_needs_one(client, auth, planned, session) -> None:
    centre, sample = planned
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    auth.login(centre.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    # each decision's check sits in its row of the decisions table: none chosen, nor later
    form = page.split("<h2>Assessor's decisions</h2>")[1]
    assert view.decisions and 'name="check-' in form and " checked" not in form
    first = view.decisions[0]
    refused = client.post(
        f"/iqa/samples/{sample.id}",
        data={"outcome": "agree", f"note-{first.id}": "kept", "feedback": "Fine."},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'id="check-{first.id}-error"' in html and "Choose agree or disagree for" in html
    assert f'href="#check-{first.id}-agree"' in html and 'value="kept"' in html
    assert (
        session.exec(select(SampleReview).where(SampleReview.sample_id == sample.id)).first()
        is None
    )
    no_outcome = client.post(
        f"/iqa/samples/{sample.id}", data={f"check-{d.id}": "agree" for d in view.decisions}
    )
    assert no_outcome.status_code == 422
    assert "Choose the overall outcome." in no_outcome.get_data(as_text=True)
    ok = client.post(
        f"/iqa/samples/{sample.id}",
        data={"outcome": "agree", **{f"check-{d.id}": "agree" for d in view.decisions}},
    )
    assert ok.status_code == 302


def test_eqa_home_lists_grants_and_sampled_learners(
    client, auth, planned, session, make_person
) -> None:
    centre, _sample = planned
    eqa = make_person("eqa")
    admin = make_person("admin")
    # the admin chose "until" a day: access ends at midnight after it
    last = date.today() + timedelta(days=200)
    ends = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    grant_eqa(session, actor=actor_of(admin), person_id=eqa.id, cycle_id=centre.cycle.id,
              expires_at=ends)  # fmt: skip
    session.commit()
    auth.login(eqa)
    page = client.get("/eqa").get_data(as_text=True)
    after = last + timedelta(days=1)
    assert f"{last.day} {last:%b %Y}" in page and f"{after.day} {after:%b %Y}" not in page
    learners = {
        s.learner_id
        for s in session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).all()
    }
    assert "Learners sampled" in page
    for learner_id in learners:
        assert f"/learners/{learner_id}/evidence" in page
    assert timedelta(0) < ends - datetime.now(UTC)


def test_demo_has_an_eqa_with_a_live_grant_and_a_reviewed_cycle(session, cli) -> None:
    from demo.accounts import load_demo
    from demo.assessments import add_demo_assessments
    from demo.quality import CYCLE_NAME, add_demo_quality
    from mappings.quality.eqa import eqa_grants_of
    from mappings.quality.models import Action, SamplingCycle
    from portfolio.models import Person

    load_demo(session)
    add_demo_assessments(session)
    report = add_demo_quality(session)
    session.commit()
    assert "read-only access for eqa@example.org" in report.text()
    cycle = session.exec(select(SamplingCycle).where(SamplingCycle.name == CYCLE_NAME)).one()
    eqa = session.exec(select(Person).where(Person.email == "eqa@example.org")).one()
    (grant,) = eqa_grants_of(session, actor=actor_of(eqa))
    assert grant.cycle.id == cycle.id and grant.samples and grant.learners
    # the last day in the words the pages use ("5 Feb 2027"), not "05 Feb 2027"
    assert f"{eqa.email} until {last_day(grant.grant.expires_at, CENTRE)}" in report.text()
    assert any(outcome == "agree" for *_, outcome in grant.samples)
    assert session.exec(select(Action)).first() is not None
    assert add_demo_quality(session).created == []  # idempotent
    shown = cli("demo")
    assert "eqa@example.org" in shown.output and "Evan External" in shown.output


def test_reasons_in_words() -> None:
    from mappings.quality.beyond import reason_words

    assert reason_words("rate: new assessor 100%") == "quota of a new assessor (100%)"
    assert reason_words("rate: under review assessor 50% (raised from standard after "
                        "disagreements)") == ("quota of an assessor under review (50%) (raised "
                                              "from experienced after disagreements)")  # fmt: skip
    # "standard" is the strategy's usual rate, not a framework's standard: stored reasons keep
    # it, the pages say "experienced" as the person page does (words.ASSESSOR_STATUSES)
    assert reason_words("rate: standard assessor 20%") == "quota of an experienced assessor (20%)"
    assert reason_words("manual: added by IQA") == "added by hand"
    assert reason_words("manual: added by IQA: odd date") == "added by hand: odd date"
    assert reason_words("CAMERA: record interim") == "interim decisions"
    # the kind of evidence in the words of the evidence pages, in a sentence: "STAR" keeps its
    # capitals (it read "star narrative"), the others are lower case
    assert reason_words("CAMERA: evidence star_narrative") == "evidence of the kind STAR narrative"
    assert reason_words("CAMERA: evidence witness_testimony") == (
        "evidence of the kind witness testimony"
    )
    # a sample's "Why sampled" names methods in words, as "What the strategy still lacks" does
    assert reason_words("CAMERA: method O") == "method observation"
    assert reason_words("CAMERA: method RA") == "method reflective account"
    assert reason_words("CAMERA: method XY") == "method XY"  # a code the centre made up


def test_a_samples_record_is_not_put_in_brackets_twice(client, auth, planned, session) -> None:
    """The plan's samples and the decisions to add by hand read "(interim, before sign-off)", not
    "(interim (before sign-off))"."""
    from mappings.quality.plan import drop_sample

    centre, sample = planned
    drop_sample(session, actor=actor_of(centre.iqa), sample_id=sample.id)  # offered again by hand
    session.commit()
    auth.login(centre.iqa)
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    assert "sign-off))" not in page
    assert "(interim, before sign-off)" in page or "(summative, after sign-off)" in page


def test_the_assessor_is_told_of_an_action_or_of_actions_in_words(session, planned) -> None:
    """The notice said "set you 1 action(s)"."""
    from portfolio.models.notification import Notification

    centre, _sample = planned
    me = actor_of(centre.iqa)
    samples = session.exec(
        select(Sample).where(Sample.cycle_id == centre.cycle.id).order_by(Sample.position)
    ).all()
    due = date.today() + timedelta(days=10)
    wanted = ([("Observe again", due)], [("A", due), ("B", due)])
    for sample, actions in zip(samples, wanted, strict=False):  # the fixture may plan one
        review_sample(session, actor=me, sample_id=sample.id, outcome="disagree",
                      feedback="More needed.", checks={}, actions=actions)  # fmt: skip
    session.commit()
    said = session.exec(
        select(Notification.text).where(Notification.kind == "iqa_action").order_by(Notification.id)
    ).all()
    cycle = centre.cycle.name
    assert "set you an action on " in said[0] and said[0].endswith(f"in sampling cycle {cycle}.")
    if len(samples) > 1:
        assert "set you 2 actions on " in said[1]
    assert not any("(s)" in text for text in said)


def test_each_action_notice_names_the_learner_and_standard(session, planned) -> None:
    """Two reviews' actions were one notice: the same words ("set you an action in sampling cycle
    C") were not added again while the first waited unread, so a second action went untold. Each
    notice names the learner and standard sampled, which also says what the action is about."""
    from mappings.quality.samples import sample_view
    from portfolio.models.notification import Notification

    centre, sample = planned
    me = actor_of(centre.iqa)
    view = sample_view(session, actor=me, sample_id=sample.id)
    review_sample(session, actor=me, sample_id=sample.id, outcome="disagree", feedback="More.",
                  checks={}, actions=[("Observe again", date.today() + timedelta(days=5))])  # fmt: skip
    session.commit()
    said = session.exec(select(Notification.text).where(Notification.kind == "iqa_action")).one()
    assert f"on {view.learner_name}, {view.standard_code} " in said, said


def test_the_iqa_chart_names_its_method_columns(client, auth, planned) -> None:
    """The chart's columns were method codes ("O", "WT") with nothing saying what they are:
    each code drawn has its full name (a tooltip) and a key under the chart says it in words."""
    centre, _sample = planned
    auth.login(centre.iqa)
    page = client.get(f"/iqa/cycles/{centre.cycle.id}").get_data(as_text=True)
    chart = page[page.index('id="chart-iqa-grid-caption"') :]
    chart = chart[: chart.index("</figure>")]
    drawn = re.findall(
        r'<text class="chart-text"[^>]*>(?:<title>([^<]*)</title>)?([^<]+)</text>', chart
    )
    methods = [(full, code) for full, code in drawn if code in METHODS]
    assert methods and all(full == METHODS[code] for full, code in methods)
    key = re.search(r'<dl class="chart-abbreviations"[^>]*>(.*?)</dl>', chart, re.S)
    assert key is not None
    for _full, code in methods:
        assert f"<div><dt>{code}</dt><dd>{METHODS[code]}</dd></div>" in key.group(1)
