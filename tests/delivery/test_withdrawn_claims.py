"""Claims of a registration the learner withdrew from await no decision while it is withdrawn:
the learner's "Waiting for your assessor" leaves them out (as the marking queue does), the item's
page says why each is not decided, and reinstating the registration brings them back."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

from demo.accounts import register_learner
from framework.parse import parse
from mappings.assessment import claims
from portfolio.services import withdrawals
from portfolio.services.frameworks import import_framework
from portfolio.services.people import SYSTEM
from portfolio.words import day_words
from tests.conftest import actor_of

MANAGEMENT = Path(__file__).parents[1] / "mappings" / "data" / "management-leadership.csv"
LEFT = date.today() - timedelta(days=2)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _world(session, make_person, make_registration, make_evidence, sample_framework) -> dict:
    """Lena on the sample framework (SE01, to be withdrawn from) and on Management, with an item
    claiming two SE01 criteria only and one claiming an SE01 and two Management criteria."""
    lena = make_person("learner", name="Lena Left")
    sample_assessor, manager = make_person("assessor"), make_person("assessor")
    left = make_registration(learner=lena, assessor=sample_assessor, codes="SE01")
    spec = parse(MANAGEMENT.read_bytes(), MANAGEMENT.name)
    management = import_framework(session, actor=SYSTEM, spec=spec)
    register_learner(
        session,
        learner_id=lena.id or 0,
        framework_id=management.framework_id,
        codes=[spec.standards[0].code],
        assessor_id=manager.id,
        iqa_id=None,
        cohort_id=None,
        start=date.today() - timedelta(days=30),
        planned_end=date.today() + timedelta(days=300),
    )
    session.commit()
    criteria = claims.claimable_criteria(session, lena.id or 0)
    se01 = [c.criterion_id for c in criteria if c.standard_code == "SE01"]
    theirs = [c.criterion_id for c in criteria if c.framework_id == management.framework_id]
    items = {}
    for title, ids in (("Lena's SE01 account", se01[:2]), ("Lena's mixed account", [se01[2], *theirs[:2]])):  # fmt: skip
        item = make_evidence(lena, title=title)
        claims.set_claims(session, actor=actor_of(lena), evidence_id=item.id, criterion_ids=ids)
        session.commit()
        items[title] = item.id
    return {"learner": lena, "assessor": sample_assessor, "manager": manager, "reg": left,
            "items": items, "framework": sample_framework.title}  # fmt: skip


def _waiting(client) -> str:
    home = _text(client.get("/").get_data(as_text=True))
    return home.split("Waiting for your assessor")[1].split("My standards")[0]


def test_a_withdrawn_registrations_claims_do_not_wait_for_the_assessor_until_reinstated(
    session, client, auth, make_person, make_registration, make_evidence, sample_framework
) -> None:
    w = _world(session, make_person, make_registration, make_evidence, sample_framework)
    auth.login(w["learner"])
    waiting = _waiting(client)
    assert "Lena's SE01 account : 2 criteria awaiting a decision" in waiting
    assert "Lena's mixed account : 3 criteria awaiting a decision" in waiting
    auth.logout()
    admin = actor_of(make_person("admin"))
    withdrawals.withdraw(
        session, actor=admin, registration_id=w["reg"].id, on=LEFT, reason="Moved away"
    )
    session.commit()
    only, mixed = (
        f"/evidence/{w['items'][t]}" for t in ("Lena's SE01 account", "Lena's mixed account")
    )
    auth.login(w["learner"])
    waiting = _waiting(client)
    assert "Lena's SE01 account" not in waiting
    assert "Lena's mixed account : 2 criteria awaiting a decision" in waiting
    said = f"Not decided: you withdrew from {w['framework']} on {day_words(LEFT)}"
    page = _text(client.get(only).get_data(as_text=True))
    assert page.count(said) == 2 and "Awaiting decision" not in page
    page = _text(client.get(mixed).get_data(as_text=True))
    assert page.count(said) == 1 and page.count("Awaiting decision") == 2
    auth.logout()
    # the assessor of the withdrawn registration is told why, and decides nothing
    auth.login(w["assessor"])
    page = _text(client.get(only).get_data(as_text=True))
    said = f"Not decided: Lena Left withdrew from {w['framework']} on {day_words(LEFT)}"
    assert page.count(said) == 2 and "Awaiting decision" not in page
    assert page.count("an administrator reinstates the registration") == 2
    assert "Decision on SE01" not in page  # no form to decide them
    assert "Nothing here is yours to decide" in page and "Record decisions" not in page
    auth.logout()
    # reinstated, the claims wait for the assessor again
    withdrawals.reinstate(session, actor=admin, registration_id=w["reg"].id)
    session.commit()
    auth.login(w["learner"])
    waiting = _waiting(client)
    assert "Lena's SE01 account : 2 criteria awaiting a decision" in waiting
    assert "Lena's mixed account : 3 criteria awaiting a decision" in waiting
    page = _text(client.get(only).get_data(as_text=True))
    assert "withdrew" not in page and page.count("Awaiting decision") == 2
    auth.logout()


def test_whether_a_claims_registration_is_withdrawn_is_read_by_the_learners_registrations(
    session, make_person, make_registration, make_evidence, sample_framework
) -> None:
    """The learner's waiting items ask of each claim whether the learner withdrew from its
    framework: by the learner's few registrations, never every registration on the framework."""
    from delivery.web.home.next_steps import _AWAITING
    from tests.delivery.test_frozen_claims import _plan

    w = _world(session, make_person, make_registration, make_evidence, sample_framework)
    if session.get_bind().dialect.name == "postgresql":
        # 2,000 learners on the sample framework: what the planner weighs
        session.connection().exec_driver_sql("SET LOCAL session_replication_role = replica")
        session.connection().exec_driver_sql(
            "INSERT INTO registration (learner_id, framework_id, start_date, planned_end,"
            f" created_at) SELECT 100000 + i, {w['reg'].framework_id}, now(), now(), now()"
            " FROM generate_series(1, 2000) i"
        )
        session.connection().exec_driver_sql("ANALYZE registration")
    said = _plan(session, _AWAITING, {"learner_id": w["learner"].id})
    assert "ix_registration_framework_id" not in said, said
