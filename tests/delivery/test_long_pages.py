"""Long pages fold what is done (issue 17): on the evidence page accepted claims, earlier
decisions, versions and the history start folded, claims still to decide stay open, and methods are
words ("Witness testimony", not "WT"); an IQA sample is "Sample 3 — <learner>", not "S12"."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from delivery.web.words import method_words, sample_kind, sample_label
from mappings.assessment import claims
from mappings.quality.models import Sample
from mappings.quality.plan import plan_cycle
from mappings.quality.review import review_sample
from mappings.quality.samples import sample_view
from portfolio.models import Person
from tests.conftest import actor_of
from tests.delivery.test_decide_faster import _claimed
from tests.mappings.test_iqa import build_centre


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _details(page: str, cls: str) -> str:
    """The opening tag of the first <details> of class ``cls``."""
    found = re.search(rf'<details class="[^"]*\b{cls}\b[^"]*"[^>]*>', page)
    assert found, cls
    return found.group(0)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("O", "Observation"),
        ("WT", "Witness testimony"),
        ("P", "Product"),
        ("PD", "Professional discussion"),
        ("RA", "Reflective account"),
        ("Q", "Questioning"),
        ("RPL", "Recognition of prior learning"),
        ("XYZ", "XYZ"),  # a method of some other framework: shown as it is
        (None, "—"),
        ("", "—"),
    ],
)
def test_method_codes_are_words(code: str | None, words: str) -> None:
    assert method_words(code) == words


def test_samples_are_named_by_place_and_learner() -> None:
    assert sample_label(12, "Lena Learner") == "Sample 12 — Lena Learner"
    assert sample_label(3) == "Sample 3"
    assert sample_kind("interim") == "Interim (before sign-off)"
    assert sample_kind("summative") == "Summative (after sign-off)"


@pytest.fixture
def people(
    make_person: Callable[..., Person], make_registration: Callable[..., Any]
) -> tuple[Person, Person]:
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    return learner, assessor


def test_decision_page_folds_accepted_claims_and_keeps_the_rest_open(
    client, auth, session: Session, make_evidence, people
) -> None:
    learner, assessor = people
    item, rows = _claimed(session, make_evidence, learner, performance=3, knowledge=1)
    done, referred = rows[0], rows[1]
    for claim, decision, method, feedback in (
        (referred, "referred", "O", "Show it at work."),
        (done, "referred", "O", "Not yet."),
    ):
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id or 0,
            expected_revision=claim.revision,
            decision=decision,
            method=method,
            feedback=feedback,
        )
    session.refresh(done)
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=done.id or 0,
        expected_revision=done.revision,
        decision="accepted",
        method="WT",
    )
    session.commit()
    auth.login(assessor)
    page = _text(client.get(f"/evidence/{item.id}"))
    accepted = page.split(_details(page, "claims-accepted"))[1].split("</details>")[0]
    assert "Accepted claims (1)" in accepted or "Accepted claims (1)" in page
    assert " open" not in _details(page, "claims-accepted")  # done: folded
    assert f'id="claim-{done.id}"' in page.split(_details(page, "claims-accepted"))[1]
    to_decide = page.split("To decide (3)")[1].split(_details(page, "claims-accepted"))[0]
    assert f'id="claim-{referred.id}"' in to_decide and f'id="claim-{rows[2].id}"' in to_decide
    assert "Show it at work." in to_decide  # the referral's feedback in view
    # the accepted claim's history: the last decision in words, the earlier one folded under it
    row = page.split(f'id="claim-{done.id}"')[1].split("</tr>")[0]
    assert "by witness testimony" in row and "(Witness testimony)" in row
    assert " open" not in _details(row, "claim-history") and "Earlier decisions (1)" in row
    assert "(WT)" not in page and "by WT" not in page and "by O " not in page
    # done things are folded: versions, the history, the checklist once submitted
    for cls in ("versions", "item-history"):
        assert " open" not in _details(page, cls)
    checklist = page.split('id="mapping-form"')[1].split("</form>")[0]
    assert "<details open>" not in checklist and "<details>" in checklist


def test_a_choice_sent_on_an_accepted_claim_opens_the_fold(
    client, auth, session: Session, make_evidence, people
) -> None:
    learner, assessor = people
    item, rows = _claimed(session, make_evidence, learner, performance=1, knowledge=1)
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=rows[0].id or 0,
        expected_revision=rows[0].revision,
        decision="accepted",
        method="O",
    )
    session.commit()
    session.refresh(rows[0])
    auth.login(assessor)
    n = rows[0].id
    refused = client.post(
        f"/evidence/{item.id}/decisions",
        data={
            f"revision-{n}": str(rows[0].revision),
            f"decision-{n}": "referred",
            f"method-{n}": "O",
            f"feedback-{n}": "",  # a referral needs feedback: the row comes back with its error
            "save": "Record decisions",
        },
    )
    assert refused.status_code == 422
    page = _text(refused)
    assert " open" in _details(page, "claims-accepted")  # the error is not hidden in a fold


def test_learner_sees_referrals_open_and_accepted_folded(
    client, auth, session: Session, make_evidence, people
) -> None:
    learner, assessor = people
    item, rows = _claimed(session, make_evidence, learner, performance=2, knowledge=0)
    for claim, decision, feedback in (
        (rows[0], "accepted", ""),
        (rows[1], "referred", "Add a date."),
    ):
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id or 0,
            expected_revision=claim.revision,
            decision=decision,
            method="O",
            feedback=feedback,
        )
    session.commit()
    auth.login(learner)
    page = _text(client.get(f"/evidence/{item.id}"))
    open_part = page.split("Awaiting a decision or referred (1)")[1]
    assert "Add a date." in open_part.split("<details")[0]
    assert " open" not in _details(page, "claims-accepted")
    assert "by observation" in page


@pytest.fixture
def reviewed_centre(session, make_person, make_registration):
    centre = build_centre(session, make_person, make_registration, learners=3)
    plan_cycle(session, actor=actor_of(centre.iqa), cycle_id=centre.cycle.id)
    session.commit()
    samples = session.exec(select(Sample).where(Sample.cycle_id == centre.cycle.id)).all()
    return centre, list(samples)


def test_sample_page_is_named_in_words_and_folds_the_evidence(
    client, auth, session, reviewed_centre
) -> None:
    centre, samples = reviewed_centre
    sample = samples[0]
    me = actor_of(centre.iqa)
    view = sample_view(session, actor=me, sample_id=sample.id)
    learner = session.get(Person, sample.learner_id)
    auth.login(centre.iqa)
    page = _text(client.get(f"/iqa/samples/{sample.id}"))
    assert f"<h1>Sample {sample.position} — {learner.name}, " in page
    assert f"Sample {sample.decision_key}" not in page
    # (each piece of evidence folded: tests/browser/test_long_pages.py, with the demo's evidence)
    # the check of each decision sits in its row, none chosen; the table is open to review
    table = page.split("<h2>Assessor's decisions</h2>")[1].split("</table>")[0]
    assert all(f'name="check-{d.id}"' in table for d in view.decisions)
    assert " checked" not in table and "<details" not in table
    methods = {d.method for d in view.decisions if d.method}
    assert methods and all(f'data-label="Method">{method_words(m)}<' in table for m in methods)
    # once reviewed the decisions are folded and the outcome is in view
    review_sample(
        session,
        actor=me,
        sample_id=sample.id,
        outcome="agree",
        feedback="Sound.",
        checks={d.id: (True, "") for d in view.decisions},
        actions=[],
    )
    session.commit()
    done = _text(client.get(f"/iqa/samples/{sample.id}"))
    assert " open" not in _details(done, "sample-decisions")
    assert "<dt>Outcome</dt><dd>Agreed</dd>" in done and 'name="check-' not in done


def test_criteria_grid_and_iqa_grid_name_methods_in_words(
    client, auth, session: Session, make_evidence, people, reviewed_centre
) -> None:
    learner, assessor = people
    item, rows = _claimed(session, make_evidence, learner, performance=1, knowledge=0)
    claims.decide(
        session,
        actor=actor_of(assessor),
        claim_id=rows[0].id or 0,
        expected_revision=rows[0].revision,
        decision="accepted",
        method="O",
    )
    session.commit()
    auth.login(assessor)
    page = _text(client.get(f"/learners/{learner.id}/standards/SE01"))
    assert "accepted by observation" in page and "by O " not in page
    # a criterion with no evidence says so in words; "None" read as "Evidence: None" on a phone
    assert '<span class="muted">No evidence yet</span>' in page and ">None<" not in page
    auth.logout()
    centre, _samples = reviewed_centre
    auth.login(centre.iqa)
    grid = _text(client.get(f"/iqa/cycles/{centre.cycle.id}/grid"))
    headers = re.findall(r'<th scope="col">([^<]+)</th>', grid)
    assert not {"O", "WT", "P", "PD", "RA", "Q"} & set(headers)
    assert {"Observation", "Witness testimony"} & set(headers)
