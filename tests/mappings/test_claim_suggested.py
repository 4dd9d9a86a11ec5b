"""Where a claim came from: a claim on a criterion the engine had suggested for the version mapped
records it (engine version, score, strong) from the stored suggestions, never from the form, and
assessors and quality assurers read it in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from exports.bundle.manifest import ClaimRecord, copied
from exports.iqa_report import cycle_report
from mappings.assessment import claims, stored
from mappings.assessment.models import Claim, Decision, VersionSuggestions
from mappings.engine.suggest import ENGINE_VERSION
from mappings.quality.samples import sample_view
from portfolio.services import evidence
from tests.conftest import actor_of
from tests.exports.test_iqa_report import _docx_words
from tests.mappings.test_iqa_review import signed  # noqa: F401 - a fixture
from tests.mappings.test_suggest_stored import PROFILE, _row, _write

BUNDLE_DATA = Path(__file__).parent.parent / "exports" / "data"


def _claims(session: Session, evidence_id: int) -> dict[int, Claim]:
    session.expire_all()
    rows = session.exec(select(Claim).where(Claim.evidence_id == evidence_id)).all()
    return {c.criterion_id: c for c in rows}


def _not_suggested(session: Session, learner_id: int, row: VersionSuggestions) -> int:
    """A criterion of the learner's that the page does not suggest (not in the first ten)."""
    shown = {int(s["criterion_id"]) for s in row.suggestions[:10]}
    return next(
        c.criterion_id
        for c in claims.claimable_criteria(session, learner_id)
        if c.criterion_id not in shown
    )


def test_a_claim_on_a_suggested_criterion_records_the_stored_suggestion(
    client, auth, make_registration, session
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    evidence_id = _write(client, learner)
    row = _row(session, evidence_id)
    assert row is not None
    strong = next(s for s in row.suggestions if s["strong"])
    weak = next(s for s in row.suggestions[:10] if not s["strong"])
    other = _not_suggested(session, learner.id, row)
    r = client.post(
        f"/evidence/{evidence_id}/claims",
        data={
            "criterion": [strong["criterion_id"], weak["criterion_id"], other],
            "on_page": "1",
            # a forged form cannot say where a claim came from
            "suggested_engine": "forged",
            "suggested_strong": "y",
            "suggested_score": "0.99",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    made = _claims(session, evidence_id)
    first = made[int(strong["criterion_id"])]
    assert (first.suggested_engine, first.suggested_strong) == (ENGINE_VERSION, True)
    assert first.suggested_score == round(float(strong["score"]), 6)
    second = made[int(weak["criterion_id"])]
    assert (second.suggested_engine, second.suggested_strong) == (ENGINE_VERSION, False)
    mine = made[other]
    assert (mine.suggested_engine, mine.suggested_score, mine.suggested_strong) == (None,) * 3
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    assert page.count("Suggested by the engine (strong)") == 1
    assert page.count("Suggested by the engine (weak)") == 1


def test_nothing_is_recorded_without_stored_suggestions_for_the_present_text(
    session, make_person, make_registration, make_evidence, monkeypatch
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    item = make_evidence(learner, title="Profile", body=PROFILE, submit=False)
    me = actor_of(learner)
    criteria = [c.criterion_id for c in claims.claimable_criteria(session, learner.id)]
    # none stored yet: nothing to record
    claims.set_claims(session, actor=me, evidence_id=item.id, criterion_ids=criteria[:1])
    assert _claims(session, item.id)[criteria[0]].suggested_engine is None
    # stored for other text (the page shows none): nothing recorded either
    factory: Any = lambda: Session(session.get_bind(), expire_on_commit=False)  # noqa: E731
    session.commit()
    assert stored.compute(factory, evidence.current_version(session, item).id)
    row = _row(session, item.id)
    assert row is not None
    top = [int(s["criterion_id"]) for s in row.suggestions[:2]]
    row.basis = "0" * 64
    session.add(row)
    session.commit()
    claims.set_claims(session, actor=me, evidence_id=item.id, criterion_ids=top[:1])
    assert _claims(session, item.id)[top[0]].suggested_engine is None
    # made for this text: recorded
    session.expire_all()
    row = _row(session, item.id)
    row.basis = ""
    session.commit()
    assert stored.compute(factory, evidence.current_version(session, item).id)
    session.expire_all()  # as a new request would read it
    claims.set_claims(session, actor=me, evidence_id=item.id, criterion_ids=top)
    assert _claims(session, item.id)[top[1]].suggested_engine == ENGINE_VERSION
    assert _claims(session, item.id)[top[0]].suggested_engine is None  # claimed before: as it was


def test_the_iqa_sample_says_which_decided_claims_the_engine_suggested(
    session,
    signed,  # noqa: F811 - the fixture
) -> None:
    _learner, _assessor, me, _record, cycle, sample = signed
    view = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    assert view.decisions and all(d.origin == "" for d in view.decisions)  # nothing recorded
    claim_of = {d.id: session.get(Decision, d.id).claim_id for d in view.decisions}
    chosen = claim_of[view.decisions[0].id]
    claim = session.get(Claim, chosen)
    claim.suggested_engine, claim.suggested_score, claim.suggested_strong = (
        ENGINE_VERSION,
        0.8,
        True,
    )
    session.add(claim)
    session.commit()
    again = sample_view(session, actor=actor_of(me), sample_id=sample.id)
    origins = {d.id: d.origin for d in again.decisions}
    assert {i: o for i, o in origins.items() if claim_of[i] == chosen} == {
        i: "Suggested by the engine (strong)" for i in origins if claim_of[i] == chosen
    }
    assert all(o == "" for i, o in origins.items() if claim_of[i] != chosen)
    assert any(claim_of[i] != chosen for i in origins)  # others there, saying nothing
    # and the cycle's report says it beside the decision
    words = _docx_words(cycle_report(session, cycle.name, "docx"))
    assert any(w.endswith(", suggested by the engine (strong)") for w in words), words


def test_a_bundle_carries_where_a_claim_came_from_and_old_bundles_still_read() -> None:
    old = json.loads((BUNDLE_DATA / "bundle_v1_manifest.json").read_bytes())["claims"][0]
    record = ClaimRecord.model_validate(old)  # written before claims recorded it
    assert record.suggested_engine is None
    assert "suggested_engine" not in record.model_dump(mode="json")  # written as before
    suggested = ClaimRecord.model_validate(
        {
            **old,
            "suggested_engine": ENGINE_VERSION,
            "suggested_score": 0.42,
            "suggested_strong": True,
        }
    )
    data = suggested.model_dump(mode="json")
    assert (data["suggested_engine"], data["suggested_score"], data["suggested_strong"]) == (
        ENGINE_VERSION,
        0.42,
        True,
    )
    assert copied(suggested, ClaimRecord)["suggested_strong"] is True  # restored with the claim
