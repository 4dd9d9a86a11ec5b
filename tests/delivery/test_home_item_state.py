"""The learner's home page says where each of their latest items stands with the assessor, in the
words of the evidence list's "Decision" column (one rule: mappings.assessment.item_state), not
"Submitted" for an item whose every claim is already accepted."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import select

from mappings.assessment import claims
from mappings.assessment.models import Claim
from tests.conftest import actor_of


def _decide(session: Any, assessor: Any, rows: list[Claim], decision: str) -> None:
    for claim in rows:
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision=decision,
            method="RA",
            feedback="" if decision == "accepted" else "Say more, please.",
        )
    session.commit()


def _badges(page: str) -> dict[str, str]:
    """Title -> the badge beside it in "My evidence"."""
    mine = page[page.index('id="my-evidence"') :]
    found = re.findall(
        r">([^<]+)</a>\s*<span class=\"muted\">[^<]*</span>\s*<span [^>]*>([^<]+)<", mine
    )
    return dict(found)


def test_home_says_each_latest_item_is_accepted_awaiting_referred_or_a_draft(
    session, client, auth, make_person, make_registration, make_evidence
) -> None:
    learner = auth.login("learner")
    assessor = make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    criteria = [c.criterion_id for c in claims.claimable_criteria(session, learner.id)]

    def item(title: str, day: int, submit: bool = True) -> list[Claim]:
        made = make_evidence(learner, title=title, activity_date=date(2026, 3, day), submit=submit)
        if not submit:
            return []
        claims.set_claims(
            session,
            actor=actor_of(learner),
            evidence_id=made.id,
            criterion_ids=criteria[2 * day : 2 * day + 2],
        )
        session.commit()
        return list(session.exec(select(Claim).where(Claim.evidence_id == made.id)).all())

    _decide(session, assessor, item("All accepted", 1), "accepted")
    half = item("Half accepted", 2)
    _decide(session, assessor, half[:1], "accepted")
    referred = item("One referred", 3)
    _decide(session, assessor, referred[:1], "accepted")
    _decide(session, assessor, referred[1:], "referred")
    item("Not yet decided", 4)
    item("Still a draft", 5, submit=False)

    badges = _badges(client.get("/").get_data(as_text=True))
    assert badges == {
        "All accepted": "Accepted",
        "Half accepted": "Awaiting decision",  # one claim still waits for the assessor
        "One referred": "Some referred",
        "Not yet decided": "Awaiting decision",
        "Still a draft": "Draft",
    }
    # the same words as the list page's "Decision" column
    listing = client.get("/evidence").get_data(as_text=True)
    for title, state in badges.items():
        row = re.search(rf">{title}</a>.*?</tr>", listing, re.S)
        assert row and f">{state}</span></td>" in row.group(0), title
