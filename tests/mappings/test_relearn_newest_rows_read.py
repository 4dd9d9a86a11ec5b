"""Review: costs must not grow with history. The relearning job starts from the newest decision
in the framework decided in; it must find it without reading the newer decisions of other
frameworks (newest first along every decision, each joined to its framework to be passed over).
Rows read are counted by PostgreSQL (pg_stat_xact_user_tables, the current transaction's reads),
with sequential scans off as on tables of production size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from demo.accounts import register_learner
from mappings.assessment import claims, relearn
from mappings.assessment.claims import claimable_criteria
from mappings.assessment.models import Claim
from portfolio.models import Person
from tests.conftest import actor_of
from tests.mappings.test_two_versions import _second_version
from tests.rows_read import rows_read

TABLES = ("decision", "claim", "criterion", "standard")


def test_the_newest_decision_in_a_framework_reads_none_of_the_others(
    session, connection, backend, make_person, make_registration, make_evidence
) -> None:
    if backend != "postgresql":
        pytest.skip("rows read are counted by PostgreSQL")
    assessor = make_person("assessor")
    here = make_person("learner")
    make_registration(learner=here, assessor=assessor, codes="SE01")
    there = make_person("learner")
    other_framework = _second_version(session)
    register_learner(
        session, learner_id=there.id, framework_id=other_framework, codes=["SE01"],
        assessor_id=assessor.id, iqa_id=None, cohort_id=None, start=date.today(),
        planned_end=date.today() + timedelta(days=300),
    )  # fmt: skip
    session.commit()

    def decide(learner: Person, framework_id: int, title: str) -> int:
        criterion = next(
            c for c in claimable_criteria(session, learner.id or 0)
            if c.framework_id == framework_id and c.standard_code == "SE01"
        )  # fmt: skip
        item = make_evidence(learner, title=title)
        claim = Claim(
            evidence_id=item.id or 0, criterion_id=criterion.criterion_id, claimed_by=learner.id
        )
        session.add(claim)
        session.flush()
        made = claims.decide(
            session, actor=actor_of(assessor), claim_id=claim.id or 0, expected_revision=0,
            decision="accepted", method="RA", notify=False,
        )  # fmt: skip
        session.commit()
        return made.id or 0

    here_framework = next(c.framework_id for c in claimable_criteria(session, here.id or 0))
    # most decisions are this framework's, and older: by the statistics a walk back along every
    # decision would soon meet one of them, but it meets every newer one of the other first
    newest_here = max(decide(here, here_framework, f"Decided here {i}") for i in range(60))

    def elsewhere(n: int) -> None:  # newer decisions, in the other framework
        for i in range(n):
            decide(there, other_framework, f"Decided there {n} {i}")

    def read_by_job() -> tuple[int, dict[str, int]]:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        for table in TABLES:  # statistics as autovacuum keeps them on live tables
            connection.execute(text(f"ANALYZE {table}"))
        before = rows_read(connection, *TABLES)
        found = relearn.newest_in(session, [here_framework])
        after = rows_read(connection, *TABLES)
        return found, {t: after.get(t, 0) - before.get(t, 0) for t in TABLES}

    elsewhere(2)
    found, short = read_by_job()
    elsewhere(40)
    found_later, long = read_by_job()
    assert found == found_later == newest_here
    assert relearn.newest_in(session, [other_framework]) > newest_here
    grown = {t: (short[t], long[t]) for t in TABLES if long[t] > short[t]}
    assert not grown, f"rows read with 2 newer decisions elsewhere and with 42: {grown}"
