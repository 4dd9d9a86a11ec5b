"""The learner is told when their assessor signs a standard off: a learner who had confirmed
their declaration heard nothing more, though the sign-off record was waiting."""

from __future__ import annotations

from sqlmodel import select

from portfolio.models import Standard
from portfolio.models.notification import Notification


def test_signing_off_tells_the_learner(session, case) -> None:
    standard = session.get(Standard, case.signoff.standard_id)
    assert standard is not None
    said = session.exec(
        select(Notification).where(
            Notification.person_id == case.learner.id,
            Notification.kind == "decision",
            Notification.link == f"/learners/{case.learner.id}/standards/{standard.code}",
        )
    ).all()
    assert [n.text for n in said] == [
        f"{case.assessor.name} signed off {standard.code} {standard.title}: your sign-off "
        "record is on its page."
    ]
