"""A withdrawal committed while the registration is being judged, on PostgreSQL (READ COMMITTED):
the writer waiting on the registration's row reads the withdrawal once it is committed and is
refused, as it would have been a moment later. (SQLite writes one transaction at a time.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from mappings.assessment import claims
from mappings.assessment.models import Claim, LearnerDeclaration, SignOff
from portfolio.errors import Invalid
from portfolio.models import AuditEntry
from portfolio.services import withdrawals
from tests.conftest import actor_of
from tests.delivery import test_races
from tests.delivery.test_races import _declare, _person, _race, _ready_to_sign, _refer, _sign

engine = test_races.engine  # the same fixture: a migrated PostgreSQL database, else skipped

YESTERDAY = date.today() - timedelta(days=1)


def _withdraw(engine: Engine, w: dict[str, Any]) -> Callable[[Session], None]:
    with Session(engine) as s:
        admin = actor_of(_person(s, "admin", "Ada"))
        s.commit()
    return lambda s: withdrawals.withdraw(
        s, actor=admin, registration_id=w["registration"], on=YESTERDAY, reason="Moved away"
    )


def test_a_standard_signed_off_while_the_learner_is_withdrawn_is_refused(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    result = _race(engine, _withdraw(engine, w), _sign(w))
    assert isinstance(result, Invalid) and "withdrew from" in str(result), result
    with Session(engine) as s:
        assert s.exec(select(SignOff)).all() == []


def test_a_claim_decided_while_the_learner_is_withdrawn_is_refused(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    result = _race(engine, _withdraw(engine, w), _refer(w))
    assert isinstance(result, Invalid) and "withdrew from" in str(result), result
    with Session(engine) as s:
        claim = s.get(Claim, w["claim"].id)
        assert claim is not None and claim.status == "accepted"


def test_a_declaration_made_while_the_learner_is_withdrawn_is_refused(engine: Engine) -> None:
    w = _ready_to_sign(engine, declared=False)
    result = _race(engine, _withdraw(engine, w), _declare(w))
    assert isinstance(result, Invalid) and "withdrew from" in str(result), result
    with Session(engine) as s:
        assert s.exec(select(LearnerDeclaration)).all() == []


def test_a_learner_withdrawn_twice_at_once_is_withdrawn_once(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    withdraw = _withdraw(engine, w)
    result = _race(engine, withdraw, withdraw)
    assert isinstance(result, Invalid) and "already withdrew" in str(result), result
    with Session(engine) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.action == "registration.withdraw"))
        assert len(entries.all()) == 1


def test_a_withdrawal_while_a_standard_is_signed_off_leaves_the_sign_off(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    assert _race(engine, _sign(w), _withdraw(engine, w)) == "ok"
    with Session(engine) as s:
        assert len(s.exec(select(SignOff).where(SignOff.status == "signed")).all()) == 1


def test_evidence_mapped_while_the_learner_is_withdrawn_is_refused(engine: Engine) -> None:
    """Mapping holds the learner's registrations before it reads their withdrawal, so one that
    waited for a withdrawal is refused, not kept as a claim nobody may decide."""
    w = test_races._world(engine, ["SE01"])
    with Session(engine) as s:
        [w["registration"]] = test_races.registrations_of_learner(s, w["learner"].id)
    wanted = [w["criteria"][0].criterion_id]

    def map_one(s: Session) -> None:
        claims.set_claims(s, actor=w["learner"], evidence_id=w["item"], criterion_ids=wanted)

    result = _race(engine, _withdraw(engine, w), map_one)
    assert isinstance(result, Invalid) and "withdrew" in str(result), result
    with Session(engine) as s:
        assert s.exec(select(Claim).where(Claim.evidence_id == w["item"])).all() == []
