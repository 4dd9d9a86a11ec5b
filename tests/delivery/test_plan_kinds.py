"""The learner chooses what kind of evidence to write for a plan: on the plan's page (a small
form, a reflective account unless they choose), and in the editor (the other kinds, keeping the
plan). The server's checks are the editor's own: an assessor's kind is refused the learner."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from mappings.assessment.models import AssessmentPlanEvidence
from portfolio.models import Evidence
from portfolio.services import evidence as evidence_service
from tests.conftest import actor_of
from tests.delivery.test_plans_web import _ids, _set, _text, case  # noqa: F401


def test_the_learner_chooses_the_kind_on_the_plan_page(client, auth, session, case) -> None:  # noqa: F811
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Show the job match")
    auth.login(assessor)
    assert 'name="kind"' not in _text(client.get(f"/plans/{plan}"))  # only the learner writes
    auth.login(learner)
    page = _text(client.get(f"/plans/{plan}"))
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None and form.group(1) == f"/learners/{learner.id}/evidence/new"
    assert f'<input type="hidden" name="plan" value="{plan}">' in form.group(2)
    options = re.findall(r'<option value="(\w+)"( selected)?>', form.group(2))
    assert options[0] == ("reflective_account", " selected")
    kinds = [k for k, _ in options]
    assert "star_narrative" in kinds and "witness_testimony" in kinds
    assert "observation_record" not in kinds and "professional_discussion" not in kinds
    assert '<label for="plan-kind">Kind of evidence</label>' in form.group(2)
    assert "Write evidence for this plan" in form.group(2)


def test_evidence_of_the_chosen_kind_is_linked_to_the_plan(client, auth, session, case) -> None:  # noqa: F811
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Show the job match")
    auth.login(learner)
    link = f"/learners/{learner.id}/evidence/new?kind=star_narrative&plan={plan}"
    editor = _text(client.get(link))
    assert "New STAR narrative" in editor  # the acronym stays in capitals
    assert "Written for your assessor's plan “Show the job match”" in editor
    for cid in _ids(session, "SE03", "P4", "P5"):
        assert f'value="{cid}" checked' in editor
    # the editor offers the other kinds, keeping the plan
    other = f"/learners/{learner.id}/evidence/new?kind=reflective_account&amp;plan={plan}"
    assert other in client.get(link).get_data(as_text=True)
    assert "/evidence/new?kind=star_narrative&amp;plan=" not in client.get(link).get_data(
        as_text=True
    )
    assert "kind=observation_record" not in editor
    r = client.post(
        link,
        data={
            "title": "Matching Sam to the bakery",
            "activity_date": "2026-11-30",
            "situation": "Sam wanted early shifts.",
            "task": "Find a match.",
            "action": "I visited the bakery.",
            "result": "Sam starts Monday.",
            "criterion": [str(i) for i in _ids(session, "SE03", "P4", "P5")],
            "on_page": "1",
        },
    )
    assert r.status_code == 302
    item = session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).one()
    assert item.kind == "star_narrative"
    assert session.get(AssessmentPlanEvidence, (plan, item.id)) is not None
    # an assessor's kind stays refused to the learner, plan or not
    r = client.get(f"/learners/{learner.id}/evidence/new?kind=observation_record&plan={plan}")
    assert r.status_code == 403


def test_from_home_the_learner_reaches_the_choice_of_kind_for_the_plan(
    client,
    auth,
    session,
    case,  # noqa: F811
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Show the job match")
    auth.login(learner)
    home = client.get("/").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+)">Write evidence for this plan', home)
    assert links == [f"/plans/{plan}#write"]  # the choice of kind, not a reflective account
    assert "/evidence/new?kind=" not in home
    page = _text(client.get(links[0].removesuffix("#write")))
    form = re.search(
        r'<form method="get" action="([^"]+)"[^>]* id="write"[^>]*>(.*?)</form>', page, re.S
    )
    assert form is not None and form.group(1) == f"/learners/{learner.id}/evidence/new"
    kinds = re.findall(r'<option value="(\w+)"', form.group(2))
    assert "witness_testimony" in kinds and "product" in kinds
    # a product written from there is the plan's
    link = f"/learners/{learner.id}/evidence/new?kind=product&plan={plan}"
    assert "Written for your assessor's plan “Show the job match”" in _text(client.get(link))
    r = client.post(
        link,
        data={
            "title": "The job-match checklist I made",
            "activity_date": "2026-11-30",
            "body": "A checklist for visits.",
            "criterion": [str(i) for i in _ids(session, "SE03", "P4")],
            "on_page": "1",
        },
    )
    assert r.status_code == 302
    item = session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).one()
    assert item.kind == "product"
    assert session.get(AssessmentPlanEvidence, (plan, item.id)) is not None


def test_the_new_evidence_buttons_keep_star_in_capitals(client, auth, case) -> None:  # noqa: F811
    """STAR (Situation, Task, Action, Result) is an acronym: the buttons said "New star narrative"."""
    _reg, learner, _assessor = case
    auth.login(learner)
    page = _text(client.get("/evidence"))
    assert "New STAR narrative" in page and "New star narrative" not in page
    assert "New reflective account" in page


def test_the_other_kind_of_evidence_has_a_button_people_understand(client, auth, case) -> None:  # noqa: F811
    """The buttons said "New other": the kind "other" is an item of another kind."""
    _reg, learner, _assessor = case
    auth.login(learner)
    page = _text(client.get("/evidence"))
    assert "New item of another kind" in page and "New other" not in page
    editor = _text(client.get(f"/learners/{learner.id}/evidence/new?kind=other"))
    assert "New item of another kind" in editor and "New other" not in editor


def test_the_assessor_writes_the_record_a_plan_asks_for_from_its_page(
    client,
    auth,
    session,
    case,  # noqa: F811
) -> None:
    """A plan asking for an observation record (or a professional discussion) is the assessor's
    to carry out: its page offers them the editor for that kind, and the record saved is linked
    to the plan. The learner, whose kind it is not, is not offered it."""
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Observe a job match", kind="observation_record")
    any_kind = _set(session, reg, assessor, title="Anything will do")
    write = f"/learners/{learner.id}/evidence/new?kind=observation_record&amp;plan={plan}"
    auth.login(learner)
    assert "Write the observation record for this plan" not in _text(client.get(f"/plans/{plan}"))
    auth.login(assessor)
    page = client.get(f"/plans/{plan}").get_data(as_text=True)
    assert (
        f'<a class="button" href="{write}">Write the observation record for this plan</a>' in page
    )
    # the assessor reads who writes it as themselves, not as someone else
    assert "(you write it)" in page and "the assessor writes it" not in page
    assert "Write the" not in _text(client.get(f"/plans/{any_kind}"))
    link = write.replace("&amp;", "&")
    editor = _text(client.get(link))
    assert "New observation record" in editor
    assert "Written for your plan “Observe a job match”" in editor
    for cid in _ids(session, "SE03", "P4", "P5"):
        assert f'value="{cid}" checked' in editor
    other = f"/learners/{learner.id}/evidence/new?kind=professional_discussion&amp;plan={plan}"
    assert other in client.get(link).get_data(as_text=True)  # the other kind the assessor writes
    assert "kind=reflective_account" not in client.get(link).get_data(as_text=True)
    r = client.post(
        link,
        data={
            "title": "Watched a job match",
            "activity_date": "2026-11-30",
            "body": "The match with the bakery went well.",
            "criterion": [str(i) for i in _ids(session, "SE03", "P4", "P5")],
            "on_page": "1",
        },
    )
    assert r.status_code == 302
    item = session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).one()
    assert item.kind == "observation_record" and item.created_by == assessor.id
    assert session.get(AssessmentPlanEvidence, (plan, item.id)) is not None
    assert "Watched a job match" in _text(client.get(f"/plans/{plan}"))
    # the learner does not see the assessor's record on the plan's page until it is submitted,
    # as everywhere else (evidence.hidden_from)
    auth.login(learner)
    page = _text(client.get(f"/plans/{plan}"))
    assert "Watched a job match" not in page and "No evidence yet." in page
    evidence_service.submit(
        session, actor=actor_of(assessor), evidence_id=item.id, declaration=True
    )
    session.commit()
    assert "Watched a job match" in _text(client.get(f"/plans/{plan}"))
    assert "Evidence submitted" in _text(client.get(f"/plans/{plan}"))
    auth.login(assessor)
    # an ended plan offers it no more
    assert client.post(f"/plans/{plan}/done").status_code == 302
    assert "Write the observation record" not in _text(client.get(f"/plans/{plan}"))


def test_the_plan_page_offers_the_assessor_the_professional_discussion(
    client,
    auth,
    session,
    case,  # noqa: F811
) -> None:
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, kind="professional_discussion")
    auth.login(assessor)
    page = _text(client.get(f"/plans/{plan}"))
    assert "Write the professional discussion for this plan" in page


def test_the_assessors_editor_title_names_the_learner(client, auth, case) -> None:  # noqa: F811
    """An assessor writing an observation record or a professional discussion has a tab per
    learner: its title says whose record it is ("New observation record for Ann"), as the
    marking queue's does; the learner's own editor says only the kind."""
    _reg, learner, assessor = case
    auth.login(assessor)
    for kind, label in (
        ("observation_record", "New observation record"),
        ("professional_discussion", "New professional discussion"),
    ):
        page = client.get(f"/learners/{learner.id}/evidence/new?kind={kind}").get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title is not None
        assert title.group(1).startswith(f"{label} for {learner.name} · "), title.group(1)
    auth.login(learner)
    page = client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account").get_data(
        as_text=True
    )
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and title.group(1).startswith("New reflective account · ")


@pytest.mark.parametrize(
    ("kind", "record"),
    [
        ("observation_record", "observation record"),
        ("professional_discussion", "professional discussion record"),
    ],
)
def test_the_learners_page_of_a_plan_the_assessor_writes_offers_supporting_evidence(
    client,
    auth,
    session,
    case,  # noqa: F811
    kind: str,
    record: str,
) -> None:
    """A plan asking for an observation record or a professional discussion is the assessor's
    to write: the learner's page said "Write evidence for this plan" (opening a reflective
    account), as if the learner should write the record. It says their assessor writes it and
    offers, as optional, supporting evidence of their own, with the plan's criteria ticked."""
    reg, learner, assessor = case
    plan = _set(session, reg, assessor, title="Observe a job match", kind=kind)
    auth.login(learner)
    page = _text(client.get(f"/plans/{plan}"))
    assert f"Your assessor writes the {record} for this plan: you do not write it." in page
    assert "Write evidence for this plan" not in page
    form = re.search(
        r'<form method="get" action="([^"]+)"[^>]* id="write"[^>]*>(.*?)</form>', page, re.S
    )
    assert form is not None and form.group(1) == f"/learners/{learner.id}/evidence/new"
    assert "Add supporting evidence of your own (optional)" in form.group(2)
    options = re.findall(r'<option value="(\w+)"( selected)?>', form.group(2))
    assert options[0] == ("reflective_account", " selected")
    assert kind not in [k for k, _ in options]
    # the editor it opens ticks the plan's criteria and does not read as the record
    editor = _text(
        client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account&plan={plan}")
    )
    assert "New reflective account" in editor
    assert (
        "Supporting evidence of your own for your assessor's plan “Observe a job match” "
        f"(your assessor writes its {record})" in editor
    )
    for cid in _ids(session, "SE03", "P4", "P5"):
        assert f'value="{cid}" checked' in editor
    # the home page says the same
    home = client.get("/").get_data(as_text=True)
    assert "(your assessor writes it)" in home and "Write evidence for this plan" not in home
    links = re.findall(r'<a href="([^"]+)">Add supporting evidence of your own \(optional\)', home)
    assert links == [f"/plans/{plan}#write"]


def test_a_plan_the_learner_writes_keeps_write_evidence(client, auth, session, case) -> None:  # noqa: F811
    """Plans asking for a kind the learner writes, or any kind, still say "Write evidence for
    this plan", and their editor says it is written for the plan."""
    reg, learner, assessor = case
    for kind in ("witness_testimony", None):
        plan = _set(session, reg, assessor, title=f"Plan {kind}", kind=kind)
        auth.login(learner)
        page = _text(client.get(f"/plans/{plan}"))
        assert "Write evidence for this plan" in page
        assert "supporting evidence" not in page and "Your assessor writes" not in page
        editor = _text(
            client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account&plan={plan}")
        )
        assert f"Written for your assessor's plan “Plan {kind}”" in editor
