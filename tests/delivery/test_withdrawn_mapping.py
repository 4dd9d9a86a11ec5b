"""The evidence page's "Map to criteria" checklist of a learner withdrawn from one registration:
that registration's criteria are shown, not offered; the other's are mapped as before."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from demo.accounts import register_learner
from framework.parse import parse
from mappings.assessment import claims
from mappings.assessment.models import Claim
from portfolio.services import withdrawals
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM
from portfolio.words import day_words
from tests.conftest import actor_of

MANAGEMENT = Path(__file__).parents[1] / "mappings" / "data" / "management-leadership.csv"
YESTERDAY = date.today() - timedelta(days=1)


def _two(session, make_person, make_registration, make_evidence):
    """A learner on the sample (SE01, then withdrawn) and on Management, with an item claiming
    one criterion of each."""
    learner = make_person("learner")
    left = make_registration(learner=learner, assessor=make_person("assessor"), codes="SE01")
    spec = parse(MANAGEMENT.read_bytes(), MANAGEMENT.name)
    management = import_framework(session, actor=SYSTEM, spec=spec).framework_id
    register_learner(
        session,
        learner_id=learner.id or 0,
        framework_id=management,
        codes=[spec.standards[0].code],
        assessor_id=make_person("assessor").id,
        iqa_id=None,
        cohort_id=None,
        start=date.today() - timedelta(days=30),
        planned_end=date.today() + timedelta(days=300),
    )
    session.commit()
    item = make_evidence(learner, kind="product")
    criteria = claims.claimable_criteria(session, learner.id or 0)
    se01 = [c.criterion_id for c in criteria if c.standard_code == "SE01"]
    theirs = [c.criterion_id for c in criteria if c.framework_id == management]
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=[se01[0], theirs[0]]
    )
    session.commit()
    withdrawals.withdraw(
        session, actor=actor_of(make_person("admin")), registration_id=left.id,
        on=YESTERDAY, reason="Moved",
    )  # fmt: skip
    session.commit()
    return learner, item, se01, theirs


def _boxes(html: str) -> dict[int, str]:
    form = html.split('id="mapping-form"')[1].split("</form>")[0]
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<input type="checkbox" id="crit-(\d+)"[^>]*>', form)}  # fmt: skip


def test_a_withdrawn_registrations_criteria_are_shown_not_offered_and_the_rest_is_mapped(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, item, se01, theirs = _two(session, make_person, make_registration, make_evidence)
    auth.login(learner)
    html = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    group = html.split('id="mapping-form"')[1].split("<details")[1]  # SE01's, the sample's
    assert f"Withdrawn on {day_words(YESTERDAY)}: nothing new is mapped to it" in group
    boxes = _boxes(html)
    assert "checked" in boxes[se01[0]]  # claimed before: still shown
    assert all("disabled" in boxes[c] and "checked" not in boxes[c] for c in se01[1:])
    assert all("disabled" not in boxes[c] for c in theirs)
    note = re.search(r'<p class="muted" id="([^"]+)">Withdrawn on', group).group(1)
    assert f'aria-describedby="{note}"' in boxes[se01[1]]
    # what a browser sends: the boxes ticked and not disabled, with one more of Management's
    sent = [c for c, box in boxes.items() if "checked" in box and "disabled" not in box]
    response = client.post(
        f"/evidence/{item.id}/claims", data={"criterion": [*sent, theirs[1]], "on_page": "1"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    kept = {c.criterion_id for c in session.exec(select(Claim).where(Claim.evidence_id == item.id))}
    assert kept == {se01[0], theirs[0], theirs[1]}


def test_the_editors_checklist_offers_none_of_a_withdrawn_registrations_criteria(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner, item, se01, theirs = _two(session, make_person, make_registration, make_evidence)
    auth.login(learner)
    html = client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account")
    html = html.get_data(as_text=True)
    part = html.split("Criteria this evidence shows")[1].split("</section>")[0]
    group = part.split("<details")[1]  # SE01's, the sample's
    assert f"Withdrawn on {day_words(YESTERDAY)}: nothing new is mapped to it" in group
    boxes = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r'<input type="checkbox" id="crit-(\d+)"[^>]*>', part)
    }
    assert all("disabled" in boxes[c] and 'name="criterion"' not in boxes[c] for c in se01)
    assert all("disabled" not in boxes[c] for c in theirs)
