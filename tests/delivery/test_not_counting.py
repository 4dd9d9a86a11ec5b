"""A claim accepted by a method that does not count for its criterion (the assessor chose "Record
decisions anyway"): every page says so in words, none calls the criterion referred, and every
count of criteria met (the progress chart's too) follows the same rules as coverage."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from delivery.web.coverage import overview
from portfolio.models import Person
from tests.conftest import actor_of
from tests.not_counting import build_world

NEEDS = "needs observation, witness testimony or product"


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(
    session: Session,
    make_person: Callable[..., Person],
    make_registration: Callable[..., Any],
    make_evidence: Callable[..., Any],
) -> dict[str, Any]:
    """SE01: P1 and P2 accepted by reflective account (does not count for a performance
    criterion), K1 accepted by reflective account (counts), P3 referred on another item."""
    return build_world(session, make_person, make_registration, make_evidence)


def _row_of(page: str, code: str) -> str:
    found = re.search(rf"<th scope=\"row\">{code}</th>.*?</tr>", page, re.S)
    assert found, code
    return found.group(0)


def test_progress_page_calls_a_criterion_accepted_by_a_method_that_does_not_count_so(
    client: FlaskClient, auth: Any, world: dict[str, Any]
) -> None:
    learner = world["learner"]
    auth.login(learner)
    page = _text(client.get(f"/learners/{learner.id}/progress"))
    row = _row_of(page, world["p1"].code)
    assert "referred" not in row.lower()
    assert "accepted, not counting" in row
    assert f"accepted, but by a method that does not count: {NEEDS}" in row
    assert "referred" in _row_of(page, world["p3"].code)  # a real referral is still one


def test_standard_counts_tell_not_counting_apart_from_referred(
    session: Session, world: dict[str, Any]
) -> None:
    learner = world["learner"]
    (reg,) = overview.learner_progress(session, actor=actor_of(learner), learner_id=learner.id)
    (se01,) = reg.standards
    assert (se01.met, se01.referred, se01.not_counting) == (1, 1, 2)


def test_progress_over_time_counts_met_criteria_by_the_rules_of_coverage(
    client: FlaskClient, auth: Any, world: dict[str, Any]
) -> None:
    learner = world["learner"]
    auth.login(learner)
    page = _text(client.get(f"/learners/{learner.id}/progress"))
    assert re.search(r"Overall: .*?1 of \d+ met", page, re.S)
    assert "criteria were met for the first time; 1 are met in all." in page


def test_checklist_badge_says_accepted_not_counting_not_referred(
    session: Session,
    client: FlaskClient,
    auth: Any,
    world: dict[str, Any],
    make_evidence: Callable[..., Any],
) -> None:
    learner = world["learner"]
    draft = make_evidence(learner, submit=False, title="Another")
    auth.login(learner)
    page = _text(client.get(f"/evidence/{draft.id}"))
    label = re.search(rf'<label for="crit-{world["p1"].criterion_id}">.*?</label>', page, re.S)
    assert label and "accepted, not counting" in label.group(0)
    assert "referred" not in label.group(0)
    editor = _text(client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account"))
    label = re.search(rf'<label for="crit-{world["p1"].criterion_id}">.*?</label>', editor, re.S)
    assert label and "accepted, not counting" in label.group(0)


def test_home_says_what_to_do_about_criteria_accepted_by_a_method_that_does_not_count(
    client: FlaskClient, auth: Any, world: dict[str, Any]
) -> None:
    auth.login(world["learner"])
    page = _text(client.get("/"))
    section = page.split('id="next"', 1)[1].split("</section>", 1)[0]
    assert "method that does not count" in section
    assert f"SE01 {world['p1'].code}" in section and NEEDS in section
    assert "Job fair" in section


def test_item_page_says_which_accepted_claims_do_not_count(
    client: FlaskClient, auth: Any, world: dict[str, Any]
) -> None:
    auth.login(world["learner"])
    page = _text(client.get(f"/evidence/{world['fair'].id}"))
    assert "Every claim is accepted" in page
    assert "2 of them do not count" in page
    row = re.search(
        r'<tr id="claim-\d+">\s*<th scope="row">SE01 ' + world["p1"].code + r"\b.*?</tr>",
        page,
        re.S,
    )
    assert row and "does not count for this criterion" in row.group(0).lower()
    assert "state-uncounted" in row.group(0)


def test_why_it_is_not_met_names_evidence_by_title_and_methods_in_words(
    client: FlaskClient, auth: Any, world: dict[str, Any]
) -> None:
    learner = world["learner"]
    auth.login(learner)
    progress = _text(client.get(f"/learners/{learner.id}/progress"))
    grid = _text(client.get(f"/learners/{learner.id}/standards/SE01"))
    for page in (progress, grid):
        whys = re.findall(r'<td data-label="Why it is not met">(.*?)</td>', page, re.S)
        assert whys and not any(re.search(r"\bE\d+v\d+\b|\b(RA|O|WT|P)\b", w) for w in whys)
        referred = next(w for w in whys if "referred" in w)
        assert f'<a href="/evidence/{world["leaflet"].id}">Leaflet</a>' in referred
        method = next(w for w in whys if "does not count" in w)
        assert "by reflective account" in method
        assert f'<a href="/evidence/{world["fair"].id}">Job fair</a>' in method
