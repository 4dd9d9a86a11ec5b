"""A decision names its claim's framework (``Decision.framework_id``): the database refuses one
without it, so none is invisible to the relearning job's newest-decision probe; a decision written
by hand (a test's, a benchmark's) asks ``deciders.framework_of`` for it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from mappings.assessment.claims import claimable_criteria
from mappings.assessment.deciders import framework_of, frameworks_of
from mappings.assessment.models import Claim, Decision
from mappings.assessment.relearn import newest_in
from portfolio.errors import NotFound


def _claim(session: Session, learner_id: int, evidence_id: int) -> Claim:
    criterion = next(c for c in claimable_criteria(session, learner_id) if c.code == "P1")
    claim = Claim(
        evidence_id=evidence_id,
        criterion_id=criterion.criterion_id,
        claimed_by=learner_id,
        status="accepted",
    )
    session.add(claim)
    session.flush()
    return claim


def test_a_decision_without_its_framework_is_refused_by_the_database(
    make_person, make_registration, make_evidence, session
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04")
    claim = _claim(session, learner.id or 0, make_evidence(learner).id or 0)
    unnamed = Decision(
        claim_id=claim.id or 0, actor_id=learner.id or 0, old_status="claimed",
        new_status="accepted",
    )  # fmt: skip
    with (
        pytest.raises(IntegrityError, match=r"(?i)not[ -]null") as refused,
        session.begin_nested(),
    ):
        session.add(unnamed)
        session.flush()
    assert "framework_id" in str(refused.value)


def test_a_decision_written_by_hand_names_its_framework_and_is_the_newest_there(
    make_person, make_registration, make_evidence, session, sample_framework
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04")
    claim = _claim(session, learner.id or 0, make_evidence(learner).id or 0)
    decision = Decision(
        claim_id=claim.id or 0, framework_id=framework_of(session, claim.id or 0),
        actor_id=learner.id or 0, old_status="claimed", new_status="accepted",
    )  # fmt: skip
    session.add(decision)
    session.flush()
    assert decision.framework_id == sample_framework.id
    assert newest_in(session, [sample_framework.id or 0]) == decision.id
    assert frameworks_of(session, [claim.id or 0, claim.id or 0]) == {claim.id: sample_framework.id}
    with pytest.raises(NotFound, match="No claim"):
        frameworks_of(session, [claim.id or 0, (claim.id or 0) + 1000])
