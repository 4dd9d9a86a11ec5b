"""Review: costs must not grow with history. The edit page's checklist says where each of the
learner's criteria stands (met, awaiting a decision, referred, accepted but not counting); it
must not read every claim of every item the learner ever wrote to say so. Statements are counted
on both databases, rows sent back to the application on PostgreSQL (its driver counts them)."""

from __future__ import annotations

import re

from sqlmodel import col, select

from delivery.web.evidence.mapping import STATE_WORDS
from mappings.assessment import claims
from mappings.assessment.models import Claim
from portfolio.services import evidence as service
from tests.conftest import actor_of
from tests.rows_read import rows_returned

# on each past item: P1 accepted by observation (met), P2 referred, K1 awaiting a decision,
# P3 accepted by reflective account (does not count for a performance criterion)
PAST = {"P1": ("accepted", "O"), "P2": ("referred", "O"), "K1": None, "P3": ("accepted", "RA")}


def _labels(page: str) -> dict[str, str]:
    """Each criterion of the checklist (by its box's id) with its label's words."""
    found = re.findall(r'<label for="(crit-\d+)">(.*?)</label>', page, re.S)
    return {box: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", label)).strip() for box, label in found}


def test_the_checklist_reads_the_same_whatever_the_learners_history(
    client, auth, session, connection, backend, make_person, make_registration, make_evidence,
    count_queries,
) -> None:  # fmt: skip
    learner = auth.login("learner")
    assessor = make_person("assessor", name="Sam Assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    me, them = actor_of(learner), actor_of(assessor)
    ids = {
        c.code: c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == "SE01"
    }
    draft = make_evidence(learner, submit=False, title="Being written")

    def past(n: int) -> None:
        for i in range(n):
            item = make_evidence(learner, submit=False, title=f"Past {i}")
            wanted = [ids[code] for code in PAST]
            claims.set_claims(session, actor=me, evidence_id=item.id, criterion_ids=wanted)
            service.submit(session, actor=me, evidence_id=item.id, declaration=True)
            rows = session.exec(select(Claim).where(Claim.evidence_id == item.id))
            by_id = {claim.criterion_id: claim for claim in rows}
            for code, decided in PAST.items():
                if decided is not None:
                    claims.decide(
                        session,
                        actor=them,
                        claim_id=by_id[ids[code]].id,
                        expected_revision=by_id[ids[code]].revision,
                        decision=decided[0],
                        method=decided[1],
                        feedback="Show it at work." if decided[0] == "referred" else "",
                    )
        session.commit()

    def read() -> tuple[dict[str, str], int, int]:
        with count_queries() as q, rows_returned(connection) as rows:
            page = client.get(f"/evidence/{draft.id}/edit").get_data(as_text=True)
        return _labels(page), q.count, sum(rows)

    past(3)
    short_labels, short_statements, short_rows = read()
    past(27)
    long_labels, long_statements, long_rows = read()
    session.expire_all()
    assert len(session.exec(select(col(Claim.id))).all()) == 30 * len(PAST)

    states = {code: short_labels[f"crit-{ids[code]}"] for code in ("P1", "P2", "K1", "P3", "P4")}
    assert "already met" in states["P1"], states
    assert "awaiting" in states["K1"] and "referred" in states["P2"], states
    assert "accepted, not counting" in states["P3"], states
    assert not any(words in states["P4"] for words in STATE_WORDS.values()), states
    assert long_labels == short_labels  # the page says the same with 12 past claims and 120
    assert long_statements == short_statements
    if backend == "postgresql":
        assert long_rows == short_rows, (short_rows, long_rows)
