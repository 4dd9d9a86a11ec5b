"""Review: costs must not grow with history. The edit page shows one item's current version,
the latest referral of each of its claims and its latest judgement; it must read those, not every
version, audit entry, decision and judgement the item ever had. Rows read are counted by
PostgreSQL (pg_stat_xact_user_tables, the current transaction's reads), with sequential scans off
as on tables of production size."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from mappings.assessment import claims
from mappings.assessment.models import Claim
from portfolio.services import evidence as service
from tests.conftest import actor_of
from tests.rows_read import rows_read

VACSR = {"valid": True, "authentic": True, "current": True, "sufficient": True, "reliable": True}
# the tables whose rows grow with one item's history
HISTORY_TABLES = ("evidenceversion", "auditentry", "decision", "judgement", "attachment")


def test_the_edit_page_reads_what_it_shows_not_the_whole_history(
    client, auth, session, connection, backend, make_person, make_registration, make_evidence
) -> None:
    if backend != "postgresql":
        pytest.skip("rows read are counted by PostgreSQL")
    learner = auth.login("learner")
    assessor = make_person("assessor", name="Sam Assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    me, them = actor_of(learner), actor_of(assessor)
    wanted = [
        c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == "SE01" and c.code in ("P1", "P2")
    ]
    item, other = (make_evidence(learner, title=title) for title in ("Job search", "Other"))
    for each in (item, other):
        claims.set_claims(session, actor=me, evidence_id=each.id, criterion_ids=wanted)
    session.commit()

    def rounds(n: int, item=item) -> None:
        """n more versions, each submitted, every claim referred and the version judged."""
        for i in range(n):
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
                    body=f"Rewritten, round {n}, {i}.",
                ),
            )
            service.submit(session, actor=me, evidence_id=item.id, declaration=True)
            for claim in session.exec(select(Claim).where(Claim.evidence_id == item.id)):
                session.refresh(claim)
                claims.decide(
                    session,
                    actor=them,
                    claim_id=claim.id,
                    expected_revision=claim.revision,
                    decision="referred",
                    method="RA",
                    feedback=f"Not yet, round {n}, {i}.",
                )
            claims.judge(
                session,
                actor=them,
                evidence_id=item.id,
                flags={**VACSR, "sufficient": False},
                note=f"Judged round {n}, {i}.",
            )
        session.commit()

    def read_by_page(latest: str) -> dict[str, int]:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        for table in HISTORY_TABLES:  # statistics as autovacuum keeps them on live tables
            connection.execute(text(f"ANALYZE {table}"))
        before = rows_read(connection, *HISTORY_TABLES)
        page = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
        assert f"Not yet, {latest}." in page and f"Judged {latest}." in page
        after = rows_read(connection, *HISTORY_TABLES)
        return {t: after.get(t, 0) - before.get(t, 0) for t in HISTORY_TABLES}

    rounds(1)
    short = read_by_page("round 1, 0")
    rounds(30)
    rounds(30, item=other)  # and other evidence is decided after it
    long = read_by_page("round 30, 29")
    grown = {t: (short[t], long[t]) for t in HISTORY_TABLES if long[t] > short[t]}
    assert not grown, f"rows read with 2 versions and with 32 (and others' after): {grown}"
