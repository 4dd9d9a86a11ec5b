"""Reinstating a withdrawn registration asks the learner again for the declarations its
withdrawal set aside, in the reinstatement's own transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from mappings.assessment import declarations
from portfolio.models import Notification
from portfolio.services import notifications, withdrawals
from tests.conftest import actor_of
from tests.mappings.test_assessment import _accept_all


@pytest.fixture
def case(make_person, make_registration):
    learner, assessor = make_person("learner"), make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    return learner, assessor, make_person("admin"), reg


def _asks(session, learner):
    return session.exec(
        select(Notification)
        .where(Notification.person_id == learner.id, Notification.kind == "declaration")
        .order_by(Notification.id)
    ).all()


def test_reinstating_asks_the_learner_again_for_the_declaration_withdrawal_set_aside(
    session, case, make_evidence
) -> None:
    learner, assessor, admin, reg = case
    _accept_all(session, learner, assessor, make_evidence, "SE01", declare=False)
    declarations.notify_awaiting(session, learner_id=learner.id)
    session.commit()
    withdrawals.withdraw(
        session,
        actor=actor_of(admin),
        registration_id=reg.id,
        on=date.today() - timedelta(days=1),
        reason="Moved away",
    )
    session.commit()
    assert [a.read_at is not None for a in _asks(session, learner)] == [True]  # set aside

    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.rollback()  # nothing is asked unless the reinstatement is kept
    assert len(_asks(session, learner)) == 1
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()

    asks = _asks(session, learner)
    assert len(asks) == 2 and asks[-1].read_at is None
    assert asks[-1].link == declarations.declaration_link(reg.id, "SE01")
    assert "SE01" in asks[-1].text and "confirm your declaration" in asks[-1].text
    assert notifications.unread_count(session, actor=actor_of(learner)) >= 1
    # asked once: a second look finds the ask still unread and adds none
    assert declarations.notify_awaiting(session, learner_id=learner.id) == 0


def test_reinstating_asks_nothing_when_no_standard_awaits_a_declaration(session, case) -> None:
    *_, admin, reg = case
    learner = case[0]
    withdrawals.withdraw(
        session,
        actor=actor_of(admin),
        registration_id=reg.id,
        on=date.today(),
        reason="Moved away",
    )
    withdrawals.reinstate(session, actor=actor_of(admin), registration_id=reg.id)
    session.commit()
    assert _asks(session, learner) == []
