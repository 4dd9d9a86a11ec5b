"""The IQA reads which version of the evidence each decision judged: a claim accepted on its
first text and accepted again on its second shows both decisions, each with its version, the earlier
one marked as superseded."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from mappings.assessment.deciders import framework_of
from mappings.assessment.models import Claim, Decision
from mappings.quality.models import Sample
from mappings.quality.samples import sample_view
from portfolio.models import EvidenceVersion
from tests.conftest import actor_of
from tests.mappings.iqa_builders import assess, standard_id
from tests.mappings.test_iqa import build_centre


def _resubmitted(session, make_person, make_registration):
    """An interim sample whose claim was accepted on version 1 and again on version 2 (the
    claim put back for a decision when version 2 was submitted)."""
    centre = build_centre(session, make_person, make_registration, learners=1, name="V")
    reg, who = centre.regs[0], centre.assessors["new"]
    first = datetime.now(UTC) - timedelta(days=3)
    earlier, _ = assess(session, reg, who.id, "SE02", kind="reflective_account", signed=False,
                        at=first)  # fmt: skip
    claim = session.get(Claim, earlier.claim_id)
    for number, title, at in ((1, "My first account", first), (2, "My second account", first + timedelta(days=1))):  # fmt: skip
        session.add(EvidenceVersion(evidence_id=claim.evidence_id, number=number, title=title,
                                    activity_date=at.date(), body=f"Text {number}",
                                    created_by=reg.learner_id, created_at=at - timedelta(hours=1),
                                    declared_at=at - timedelta(hours=1)))  # fmt: skip
    session.add(Decision(claim_id=claim.id, framework_id=framework_of(session, claim.id),
                         old_status="claimed", new_status="accepted", method="O", actor_id=who.id,
                         at=first + timedelta(days=1)))  # fmt: skip
    std = standard_id(session, "SE02")
    sample = Sample(cycle_id=centre.cycle.id, decision_key=f"I{reg.id}-{std}-{who.id}",
                    kind="interim", registration_id=reg.id, learner_id=reg.learner_id,
                    standard_id=std, assessor_id=who.id, reasons=["manual: added by IQA"],
                    added_by="iqa", position=1)  # fmt: skip
    session.add(sample)
    session.commit()
    return centre, sample, claim.evidence_id


def test_each_decision_says_the_version_it_judged(session, make_person, make_registration):
    centre, sample, item = _resubmitted(session, make_person, make_registration)
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    lines = [(d.evidence_ref, d.new_status, d.superseded) for d in view.decisions]
    assert lines == [(f"E{item}v1", "accepted", True), (f"E{item}v2", "accepted", False)]
    assert [d.evidence_title for d in view.decisions] == ["My first account", "My second account"]


def test_the_sample_page_shows_versions_and_marks_superseded_decisions(
    client, auth, session, make_person, make_registration
):
    centre, sample, item = _resubmitted(session, make_person, make_registration)
    auth.login(centre.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">.*?</tr>', page, flags=re.S)
    decided = [re.sub(r"<[^>]+>", " ", r) for r in rows if "→" in r]
    assert len(decided) == 2, decided
    # the current decision first, the one it replaced folded after it
    assert "My second account, version 2" in decided[0] and f"E{item}v" not in decided[0]
    assert "superseded" not in decided[0].lower()
    assert "My first account, version 1" in decided[1] and f"E{item}v" not in decided[1]
    assert "superseded" in decided[1].lower()


def test_the_word_report_says_the_version_and_what_was_superseded(
    session, make_person, make_registration
):
    import io

    from docx import Document

    from exports.iqa_report import cycle_report

    centre, _sample, item = _resubmitted(session, make_person, make_registration)
    doc = Document(io.BytesIO(cycle_report(session, centre.cycle.name, "docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Criterion")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    first, second = (r for r in rows if " account, version " in r[1])
    assert first[1] == "My first account, version 1" and "superseded" in first[2]
    assert second[1] == "My second account, version 2" and "superseded" not in second[2]


def test_superseded_decisions_are_folded_under_the_current_ones(
    client, auth, session, make_person, make_registration
):
    """One standard's sample listed 42 decisions, most of them replaced by later ones: the
    current decisions come first; the replaced ones are folded, still readable (and checked)."""
    centre, sample, item = _resubmitted(session, make_person, make_registration)
    auth.login(centre.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").get_data(as_text=True)
    folded = re.search(r'<details class="sample-superseded">(.*?)</details>', page, flags=re.S)
    assert folded is not None
    assert "<summary>1 earlier decision replaced by a later one</summary>" in folded.group(1)
    assert "version 1" in folded.group(1) and "version 2" not in folded.group(1)
    current = page[: folded.start()]
    assert "My second account, version 2" in current and "version 1" not in current
    # the replaced decision is still checked in the review, its radios inside the fold
    view = sample_view(session, actor=actor_of(centre.iqa), sample_id=sample.id)
    old = next(d for d in view.decisions if d.superseded)
    assert f'name="check-{old.id}"' in folded.group(1)
    # a check left out there opens the fold, so its message is seen
    refused = client.post(f"/iqa/samples/{sample.id}", data={"outcome": "agree"})
    assert refused.status_code == 422
    assert '<details class="sample-superseded" open>' in refused.get_data(as_text=True)
