"""The edit page shows what the assessor said where the learner rewrites: the latest referral's
feedback beside each referred criterion (who, when, what; tied to its checkbox) and the latest
VACSR judgement's note, read with the item's claims in one statement whatever the history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from mappings.assessment import claims
from mappings.assessment.models import Claim, Judgement
from portfolio.services import evidence as service
from portfolio.words import day_words, local
from tests.conftest import actor_of

VACSR = {"valid": True, "authentic": True, "current": True, "sufficient": True, "reliable": True}


def _referred_item(session, learner, assessor, make_registration, make_evidence, monkeypatch):
    """A submitted item claiming SE01 P1 (referred twice) and P2 (accepted) on 3 Dec 2026,
    mid-morning; its claims."""
    monkeypatch.setattr(claims, "utcnow", lambda: datetime(2026, 12, 3, 10, 30, tzinfo=UTC))
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    item = make_evidence(learner, title="Job search with K")
    wanted = {
        c.code: c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == "SE01" and c.code in ("P1", "P2")
    }
    claims.set_claims(
        session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=wanted.values()
    )
    by_code = {
        code: session.exec(
            select(Claim).where(Claim.evidence_id == item.id, Claim.criterion_id == cid)
        ).one()
        for code, cid in wanted.items()
    }
    for decision, code, feedback in (
        ("referred", "P1", "Say which vacancies."),
        ("referred", "P1", "Name the three vacancies and why K chose them."),
        ("accepted", "P2", "Clear account of the meeting."),
    ):
        claim = by_code[code]
        session.refresh(claim)
        claims.decide(
            session,
            actor=actor_of(assessor),
            claim_id=claim.id,
            expected_revision=claim.revision,
            decision=decision,
            method="RA",
            feedback=feedback,
        )
    monkeypatch.undo()
    session.commit()
    return item, by_code


def _described(page: str, criterion_id: int) -> str:
    """The text of the element the criterion's checkbox is described by."""
    box = re.search(rf'<input[^>]*id="crit-{criterion_id}"[^>]*>', page)
    assert box is not None, page
    described = re.search(r'aria-describedby="([^"]+)"', box.group(0))
    assert described is not None, box.group(0)
    texts = []
    for ref in described.group(1).split():
        found = re.search(rf'<(\w+)[^>]*id="{ref}"[^>]*>(.*?)</\1>', page, re.S)
        assert found is not None, ref
        texts.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(2))).strip())
    return " ".join(texts)


def test_a_referred_criterion_shows_its_latest_feedback_tied_to_its_checkbox(
    client, auth, session, make_person, make_registration, make_evidence, monkeypatch
) -> None:
    learner = auth.login("learner")
    assessor = make_person("assessor", name="Sam Assessor")
    item, by_code = _referred_item(
        session, learner, assessor, make_registration, make_evidence, monkeypatch
    )

    page = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)

    said = (
        "Referred by Sam Assessor on 3 Dec 2026: “Name the three vacancies and why K chose them.”"
    )
    assert _described(page, by_code["P1"].criterion_id) == said
    assert "Say which vacancies." not in page  # an earlier referral: the latest one stands
    p2 = re.search(rf'<input[^>]*id="crit-{by_code["P2"].criterion_id}"[^>]*>', page)
    assert p2 is not None and "aria-describedby" not in p2.group(0)  # accepted: no referral
    assert "Clear account of the meeting." not in page


def test_the_feedback_stays_when_the_page_comes_back_with_an_error(
    client, auth, session, make_person, make_registration, make_evidence, monkeypatch
) -> None:
    learner = auth.login("learner")
    assessor = make_person("assessor", name="Sam Assessor")
    item, by_code = _referred_item(
        session, learner, assessor, make_registration, make_evidence, monkeypatch
    )
    r = client.post(
        f"/evidence/{item.id}/edit",
        data={
            "title": "",  # required: the page comes back
            "activity_date": "2026-03-02",
            "body": "Rewritten.",
            "expected_version": str(item.current_version),
            "criterion": [str(c.criterion_id) for c in by_code.values()],
            "save": "Save",
        },
    )
    assert r.status_code == 422
    assert _described(r.get_data(as_text=True), by_code["P1"].criterion_id).startswith(
        "Referred by Sam Assessor on 3 Dec 2026: “Name the three vacancies"
    )


def test_the_latest_judgement_note_is_shown_on_the_edit_page(
    client, auth, session, make_person, make_registration, make_evidence, monkeypatch
) -> None:
    learner = auth.login("learner")
    assessor = make_person("assessor", name="Sam Assessor")
    item, _ = _referred_item(
        session, learner, assessor, make_registration, make_evidence, monkeypatch
    )
    claims.judge(
        session,
        actor=actor_of(assessor),
        evidence_id=item.id,
        flags={**VACSR, "sufficient": False},
        note="Too short to show P1: say what you did, step by step.",
    )
    session.commit()
    on = day_words(
        local(session.exec(select(Judgement)).one().at, ZoneInfo("Europe/London")).date()
    )

    page = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert (
        f"Sam Assessor on {on}, judging version 1: "
        "“Too short to show P1: say what you did, step by step.”"
    ) in text


def test_the_edit_page_reads_the_feedback_in_the_same_statements_whatever_the_history(
    client, auth, session, make_person, make_registration, make_evidence, count_queries, monkeypatch
) -> None:
    """The log-in with its notices, the item with its received records and its current version
    (not its other versions nor its history, which the editor does not show), the claims with
    their latest referral and the latest judgement, the learner, the current version's files, the
    checklist's criteria, their rules and states: the same number for one decision and for many
    versions, decisions and judgements."""
    learner = auth.login("learner")
    assessor = make_person("assessor", name="Sam Assessor")
    item, by_code = _referred_item(
        session, learner, assessor, make_registration, make_evidence, monkeypatch
    )
    with count_queries() as first:
        assert client.get(f"/evidence/{item.id}/edit").status_code == 200
    me = actor_of(learner)
    for i in range(6):  # six more versions, each referred again and judged
        current = service.current_version(session, item)
        service.update(
            session,
            actor=me,
            evidence_id=item.id,
            expected_version=item.current_version,
            expected_hash=current.sha256,
            draft=service.Draft(
                kind=item.kind,
                title=item.title,
                activity_date=date(2026, 3, 2),
                body=f"Rewritten, {i + 2} times.",
            ),
        )
        service.submit(session, actor=me, evidence_id=item.id, declaration=True)
        for claim in by_code.values():
            session.refresh(claim)
            claims.decide(
                session,
                actor=actor_of(assessor),
                claim_id=claim.id,
                expected_revision=claim.revision,
                decision="referred",
                method="RA",
                feedback=f"Not yet, round {i + 2}.",
            )
        claims.judge(
            session,
            actor=actor_of(assessor),
            evidence_id=item.id,
            flags={**VACSR, "sufficient": False},
            note=f"Judged round {i + 2}.",
        )
        session.commit()
    with count_queries() as later:
        page = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
    assert "Not yet, round 7." in page and "Judged round 7." in page
    assert "round 6." not in page
    assert later.count == first.count == EDIT_PAGE_STATEMENTS, later.statements


# the claims' statement reads what the assessor said too; the item's versions and history are
# not read (the current version once: tests/delivery/test_editor_rows_read.py)
EDIT_PAGE_STATEMENTS = 10
