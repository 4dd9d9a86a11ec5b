"""Assessment plan pages: the assessor sets one from the learner's page, the learner finds it on
their home page and writes evidence for it, the plan page shows its evidence and state."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from mappings.assessment import plan_reads, plans
from mappings.assessment.models import AssessmentPlan, AssessmentPlanEvidence
from portfolio.models import Criterion, Evidence, Standard
from portfolio.services import evidence as evidence_service
from portfolio.services import withdrawals
from portfolio.words import day_words
from tests.conftest import actor_of


@pytest.fixture
def case(session, make_person, make_registration):
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    session.commit()
    return reg, learner, assessor


def _ids(session, code: str, *numbers: str) -> list[int]:
    return sorted(
        session.exec(
            select(Criterion.id)
            .join(Standard, col(Standard.id) == Criterion.standard_id)
            .where(Standard.code == code, col(Criterion.code).in_(numbers))
        ).all()
    )


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _set(
    session, reg, assessor, title="Reflect on your last visit", days=14, ids=None, kind=None
) -> int:
    plan = plans.set_plan(
        session,
        actor=actor_of(assessor),
        registration_id=reg.id,
        title=title,
        body="Write a reflective account.",
        criterion_ids=ids or _ids(session, "SE03", "P4", "P5"),
        due_on=date.today() + timedelta(days=days),
        evidence_kind=kind,
    )
    session.commit()
    return plan.id


def test_the_assessor_sets_a_plan_from_the_learners_page(client, auth, session, case) -> None:
    reg, learner, assessor = case
    auth.login(assessor)
    progress = _text(client.get(f"/learners/{learner.id}/progress"))
    assert f'href="/learners/{learner.id}/plans/new"' in progress and "Set a plan" in progress
    form = _text(client.get(f"/learners/{learner.id}/plans/new"))
    assert '<label for="title">Title</label>' in form and "SE03 P4" in form
    due = date.today() + timedelta(days=10)
    r = client.post(
        f"/learners/{learner.id}/plans/new",
        data={
            "title": "Reflect on your last job-match visit",
            "body": "Cover **P4 to P7**. <script>alert(1)</script>",
            "due_on": due.isoformat(),
            "criteria": [str(i) for i in _ids(session, "SE03", "P4", "P5", "P6", "P7")],
        },
    )
    assert r.status_code == 302
    plan = session.exec(select(AssessmentPlan)).one()
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<strong>P4 to P7</strong>" in page and "<script>alert" not in page
    assert f"due {day_words(due)}" in page and "Open" in page
    assert due.isoformat() not in page  # dates in words
    assert "Mark done" in page and "Close the plan" in page
    # the learner's page lists it
    assert "Reflect on your last job-match visit" in _text(
        client.get(f"/learners/{learner.id}/progress")
    )
    assert plan.set_by == assessor.id


def test_a_refused_plan_comes_back_with_the_message_and_what_was_typed(
    client, auth, session, case, make_person
) -> None:
    reg, learner, assessor = case
    auth.login(assessor)
    data = {
        "title": "Kept title",
        "body": "Kept body",
        "due_on": (date.today() + timedelta(days=3)).isoformat(),
    }
    r = client.post(f"/learners/{learner.id}/plans/new", data=data)
    assert r.status_code == 422
    page = _text(r)
    assert "Tick the criteria the plan is for." in page and 'value="Kept title"' in page
    assert "Kept body" in page
    withdrawals.withdraw(
        session,
        actor=actor_of(make_person("admin")),
        registration_id=reg.id,
        on=date.today(),
        reason="Moved away",
    )
    session.commit()
    r = client.post(
        f"/learners/{learner.id}/plans/new",
        data={**data, "criteria": [str(i) for i in _ids(session, "SE03", "P4")]},
    )
    assert r.status_code == 422 and "no plan is set or changed on it" in _text(r)
    assert session.exec(select(AssessmentPlan)).all() == []


def test_the_learner_writes_evidence_for_a_plan_from_their_home_page(
    client, auth, session, case
) -> None:
    reg, learner, assessor = case
    later = _set(session, reg, assessor, title="Later plan", days=20)
    sooner = _set(session, reg, assessor, title="Sooner plan", days=2)
    auth.login(learner)
    home = _text(client.get("/"))
    assert "Plans from your assessor" in home
    assert home.index("Sooner plan") < home.index("Later plan")
    # "Write evidence for this plan" leads to the plan's choice of kind (a reflective account
    # unless the learner chooses another)
    assert f'href="/plans/{sooner}#write">Write evidence' in client.get("/").get_data(as_text=True)
    link = f"/learners/{learner.id}/evidence/new?kind=reflective_account&plan={sooner}"
    editor = _text(client.get(link))
    assert "Written for your assessor's plan “Sooner plan”" in editor
    for cid in _ids(session, "SE03", "P4", "P5"):
        assert f'value="{cid}" checked' in editor
    r = client.post(
        link,
        data={
            "title": "My visit to the garden centre",
            "activity_date": date.today().isoformat(),
            "body": "I went with the job seeker.",
            "criterion": [str(i) for i in _ids(session, "SE03", "P4", "P5")],
            "on_page": "1",
        },
    )
    assert r.status_code == 302
    item = session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).one()
    assert session.get(AssessmentPlanEvidence, (sooner, item.id)) is not None
    page = _text(client.get(f"/plans/{sooner}"))
    assert "My visit to the garden centre" in page and "a draft, not submitted yet" in page
    evidence_service.submit(session, actor=actor_of(learner), evidence_id=item.id, declaration=True)
    session.commit()
    assert "Evidence submitted" in _text(client.get(f"/plans/{sooner}"))
    assert later != sooner


def test_a_learner_cannot_write_for_someone_elses_plan(
    client, auth, session, case, make_person, make_registration
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor)
    other = make_person("learner")
    make_registration(learner=other, assessor=assessor, codes="SE03")
    session.commit()
    auth.login(other)
    link = f"/learners/{other.id}/evidence/new?kind=reflective_account&plan={plan}"
    assert client.get(link).status_code == 404
    r = client.post(
        link,
        data={"title": "Sneaky", "activity_date": date.today().isoformat(), "body": "x"},
    )
    assert r.status_code == 404
    assert session.exec(select(Evidence).where(Evidence.learner_id == other.id)).all() == []
    assert client.get(f"/plans/{plan}").status_code == 404
    # the assessor cannot write the learner's evidence for the plan either, nor a record of
    # another learner of theirs for it
    auth.login(assessor)
    r = client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account&plan={plan}")
    assert r.status_code == 403
    r = client.get(f"/learners/{other.id}/evidence/new?kind=observation_record&plan={plan}")
    assert r.status_code == 404


def test_the_assessor_marks_a_plan_done_or_closes_it_saying_why(
    client, auth, session, case
) -> None:
    reg, learner, assessor = case
    one, two = _set(session, reg, assessor, "One"), _set(session, reg, assessor, "Two")
    auth.login(assessor)
    r = client.post(f"/plans/{two}/close", data={"reason": " "})
    assert r.status_code == 422 and "Say why the plan is closed." in _text(r)
    assert client.post(f"/plans/{one}/done").status_code == 302
    assert (
        client.post(f"/plans/{two}/close", data={"reason": "Observed instead"}).status_code == 302
    )
    assert "closed: Observed instead" in _text(client.get(f"/plans/{two}"))
    assert "Mark done" not in _text(client.get(f"/plans/{one}"))
    assert client.get(f"/plans/{one}/edit").status_code == 403  # an ended plan is not changed
    auth.login(learner)
    assert "Plans from your assessor" not in _text(client.get("/"))


def test_the_assessor_changes_a_plan(client, auth, session, case) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor)
    auth.login(assessor)
    form = _text(client.get(f"/plans/{plan}/edit"))
    assert 'value="Reflect on your last visit"' in form and "Save changes" in form
    due = date.today() + timedelta(days=30)
    r = client.post(
        f"/plans/{plan}/edit",
        data={
            "title": "Reflect on two visits",
            "body": "Two this time.",
            "due_on": due.isoformat(),
            "criteria": [str(i) for i in _ids(session, "SE01", "P1")],
        },
    )
    assert r.status_code == 302
    page = _text(client.get(f"/plans/{plan}"))
    assert "Reflect on two visits" in page and "SE01 P1" in page and "SE03 P4" not in page
    assert plan_reads.criterion_ids_of(session, plan) == _ids(session, "SE01", "P1")


def test_the_home_page_shows_the_first_five_open_plans_and_links_to_the_rest(
    client, auth, session, case
) -> None:
    reg, learner, assessor = case
    for days in range(8, 1, -1):
        _set(session, reg, assessor, title=f"Plan due in {days} days", days=days)
    auth.login(learner)
    home = _text(client.get("/"))
    shown = [d for d in range(2, 9) if f"Plan due in {d} days" in home]
    assert shown == [2, 3, 4, 5, 6]
    assert "See all your plans" in home
    progress = _text(client.get(f"/learners/{learner.id}/progress"))
    assert all(f"Plan due in {d} days" in progress for d in range(2, 9))


def test_the_home_pages_plan_query_reads_a_range_of_its_index(session, case) -> None:
    """The open plans of one learner, soonest due first, come from the index on (learner,
    status, due date): the page never reads every plan ever set."""
    from mappings.assessment.plan_reads import _OPEN

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the query plan is read on SQLite")
    compiled = _OPEN.compile(session.get_bind())
    given = {**compiled.params, "learner_id": case[1].id, "limit": 6}
    args = tuple(given[key] for key in compiled.positiontup or ())
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args).all()
    said = " ".join(str(row[-1]) for row in plan)
    assert "ix_assessment_plan_learner_open" in said, said
    assert "TEMP B-TREE" not in said, said  # ordered by the index, not sorted afterwards


def test_evidence_written_for_a_plan_closed_meanwhile_is_saved_without_the_link(
    client, auth, session, case
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor)
    auth.login(learner)
    link = f"/learners/{learner.id}/evidence/new?kind=reflective_account&plan={plan}"
    assert client.get(link).status_code == 200
    plans.close_plan(session, actor=actor_of(assessor), plan_id=plan, reason="Observed instead")
    session.commit()
    r = client.post(
        link,
        data={
            "title": "An hour of careful writing",
            "activity_date": date.today().isoformat(),
            "body": "Everything I did.",
        },
    )
    assert r.status_code == 302
    item = session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).one()
    assert item.title == "An hour of careful writing"
    assert session.exec(select(AssessmentPlanEvidence)).all() == []
    page = _text(client.get(r.headers["Location"]))
    assert "not linked to the plan “Reflect on your last visit”: it has ended" in page
    editor = _text(client.get(link))  # the ended plan's editor says so and ticks nothing
    assert "has ended: evidence written now is not linked to it" in editor
    assert " checked" not in editor.split('id="evidence-form"')[1]


def test_an_administrator_reads_a_learners_plans_from_their_page(
    client, auth, session, case
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor)
    auth.login("admin")
    person = _text(client.get(f"/admin/people/{learner.id}"))
    assert f'<a href="/plans/{plan}">Reflect on your last visit</a>' in person
    page = _text(client.get(f"/plans/{plan}"))
    assert "Mark done" not in page and "Write evidence for this plan" not in page
    assert f'href="/admin/people/{learner.id}">Back to' in page


def test_the_plan_forms_hint_fits_any_framework(client, auth, case) -> None:
    """The title's example spoke of a "job-match visit", work only the sample's job coaches do;
    a centre assessing managers was shown it too."""
    _reg, learner, assessor = case
    auth.login(assessor)
    form = _text(client.get(f"/learners/{learner.id}/plans/new"))
    assert "job-match" not in form
    assert "For example: Write a reflective account of a recent piece of work" in form


def _selected(page: str, select_id: str) -> list[str]:
    """The values of the options selected in the select ``select_id`` of the page."""
    import re

    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert found, select_id
    tags = re.findall(r"<option[^>]*>", found.group(1))
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags if " selected" in t]


def test_the_assessor_asks_for_a_kind_of_evidence_in_words(client, auth, session, case) -> None:
    reg, learner, assessor = case
    auth.login(assessor)
    form = _text(client.get(f"/learners/{learner.id}/plans/new"))
    assert '<label for="evidence_kind">Kind of evidence asked for</label>' in form
    for words in ("Any kind: the learner chooses", "Witness testimony", "Observation record",
                  "Professional discussion", "Product", "Reflective account"):  # fmt: skip
        assert f">{words}</option>" in form
    assert _selected(form, "evidence_kind") == [""]  # any kind unless the assessor chooses
    data = {
        "title": "Ask for a testimony",
        "body": "Ask your manager.",
        "due_on": (date.today() + timedelta(days=10)).isoformat(),
        "criteria": [str(i) for i in _ids(session, "SE03", "P4")],
    }
    r = client.post(f"/learners/{learner.id}/plans/new", data={**data, "evidence_kind": "essay"})
    assert r.status_code == 422
    page = _text(r)
    assert "“essay” is not a kind of evidence" in page and 'value="Ask for a testimony"' in page
    assert session.exec(select(AssessmentPlan)).all() == []
    r = client.post(
        f"/learners/{learner.id}/plans/new", data={**data, "evidence_kind": "witness_testimony"}
    )
    assert r.status_code == 302
    plan = session.exec(select(AssessmentPlan)).one()
    assert plan.evidence_kind == "witness_testimony"
    page = _text(client.get(f"/plans/{plan.id}"))
    assert "Evidence asked for: <strong>Witness testimony</strong>" in page
    assert "witness_testimony</" not in page  # no raw codes shown
    # changing it: the form shows the kind asked for, and a change is kept
    edit = _text(client.get(f"/plans/{plan.id}/edit"))
    assert _selected(edit, "evidence_kind") == ["witness_testimony"]
    r = client.post(f"/plans/{plan.id}/edit", data={**data, "evidence_kind": "nope"})
    assert r.status_code == 422 and "“nope” is not a kind of evidence" in _text(r)
    session.expire_all()
    assert session.get(AssessmentPlan, plan.id).evidence_kind == "witness_testimony"
    r = client.post(f"/plans/{plan.id}/edit", data={**data, "evidence_kind": "product"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(AssessmentPlan, plan.id).evidence_kind == "product"
    r = client.post(f"/plans/{plan.id}/edit", data={**data, "evidence_kind": ""})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(AssessmentPlan, plan.id).evidence_kind is None
    page = _text(client.get(f"/plans/{plan.id}"))
    assert "Evidence asked for: <strong>Any kind: the learner chooses</strong>" in page


@pytest.mark.parametrize(
    ("kind", "chosen", "said"),
    [
        ("witness_testimony", "witness_testimony", "Witness testimony"),
        ("product", "product", "Product"),
        (None, "reflective_account", "Any kind: the learner chooses"),
        # the assessor writes an observation record: the learner is offered their own kinds
        ("observation_record", "reflective_account", "Observation record"),
    ],
)
def test_the_plan_page_says_the_kind_asked_for_and_the_learners_choice_starts_there(
    client, auth, session, case, kind, chosen, said
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, kind=kind)
    auth.login(learner)
    page = _text(client.get(f"/plans/{plan}"))
    assert f"Evidence asked for: <strong>{said}</strong>" in page
    assert _selected(page, "plan-kind") == [chosen]  # the learner may still choose another
    assert ("your assessor writes it" in page) == (kind == "observation_record")
    home = _text(client.get("/"))
    if kind == "observation_record":  # the home page says whose it is to write, as the plan's
        assert f"Evidence asked for: {said} (your assessor writes it)." in home
    elif kind:
        assert f"Evidence asked for: {said}." in home
    else:
        assert "Evidence asked for" not in home  # nothing said when any kind will do


def test_a_criterion_that_is_not_a_number_is_refused_naming_the_field(
    client, auth, session, case
) -> None:
    """A tampered form's criteria ("abc"): the page names the field, keeps what was typed and
    sets no plan; not WTForms' "Invalid choice(s): ... could not be coerced."."""
    reg, learner, assessor = case
    auth.login(assessor)
    r = client.post(
        f"/learners/{learner.id}/plans/new",
        data={
            "title": "Kept title",
            "body": "Kept body",
            "due_on": (date.today() + timedelta(days=3)).isoformat(),
            "criteria": ["abc"],
        },
    )
    assert r.status_code == 422
    page = _text(r)
    assert "could not be coerced" not in page and 'value="Kept title"' in page
    assert "Criteria: a choice sent is not one of the list" in page
    assert session.exec(select(AssessmentPlan)).all() == []
