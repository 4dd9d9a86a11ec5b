"""Synthetic learners written in bulk: consistent rows, summaries right, the audit trail whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from demo.accounts import load_demo
from demo.assessments import add_demo_assessments
from demo.quality import add_demo_quality
from demo.synthetic import add_synthetic_centre
from demo.synthetic_rows import ROW_HASHES
from mappings.assessment import summaries
from mappings.assessment.models import Claim, Decision, RegistrationSummary
from portfolio.models import (
    AuditEntry,
    AuditRow,
    Evidence,
    EvidenceVersion,
    Person,
    Registration,
    RegistrationStandard,
)
from portfolio.services import audit, audit_rows


def _count(session: Session, model: object, *where: object) -> int:
    query = select(func.count()).select_from(model)  # type: ignore[call-overload]
    return int(session.exec(query.where(*where)).one())


def _units(session: Session) -> Callable[[], AbstractContextManager[Session]]:
    """What the command gives ``add_synthetic_centre``: a session committed per block (here a
    SAVEPOINT on the test's rolled-back connection)."""

    @contextmanager
    def unit() -> Iterator[Session]:
        yield session
        session.commit()

    return unit


@pytest.mark.parametrize("set_aside", [False, True])
def test_bulk_learners_are_consistent_and_the_audit_trail_vouches_for_every_row(
    session: Session, set_aside: bool
) -> None:
    load_demo(session)
    add_demo_assessments(session)
    add_demo_quality(session)
    session.commit()
    before = {m: _count(session, m) for m in (Evidence, Claim, Decision, AuditEntry)}
    lines: list[str] = []

    report = add_synthetic_centre(
        _units(session),
        learners=7,
        items_per_learner=4,
        seed=3,
        chunk=3,
        progress=lines.append,
        set_aside=set_aside,  # on PostgreSQL: indexes and foreign keys dropped, made again
    )

    chunks = [line for line in lines if "synthetic learners:" in line]
    assert report.learners == 7 and len(chunks) == 3  # chunks of 3, 3 and 1
    assert chunks[-1].startswith("  7 of 7 synthetic learners")
    learners = session.exec(select(Person).where(col(Person.email).like("synthetic%"))).all()
    assert len(learners) == 7 and all(p.password_hash == "" for p in learners)
    ids = [p.id for p in learners]
    assert _count(session, Registration, col(Registration.learner_id).in_(ids)) == 7
    assert _count(session, Evidence, col(Evidence.learner_id).in_(ids)) == 28
    assert _count(session, Evidence) - before[Evidence] == 28
    versions = _count(session, EvidenceVersion, col(EvidenceVersion.created_by).in_(ids))
    assert versions == 28
    claims = _count(session, Claim) - before[Claim]
    decided = _count(session, Claim, col(Claim.claimed_by).in_(ids), Claim.status != "claimed")
    assert claims == 7 * 4 * 5 and _count(session, Decision) - before[Decision] == decided
    # one registration entry and one evidence entry per learner
    assert _count(session, AuditEntry) - before[AuditEntry] == 14
    # each names its learner, as audit.record would: the search "about whom" finds both
    assert all(_count(session, AuditEntry, AuditEntry.about_id == i) == 2 for i in ids)
    assert _count(session, AuditRow, AuditRow.kind == "claim") >= claims
    # the rows written count: every row written by the bulk path is in the report
    standards = _count(
        session,
        RegistrationStandard,
        col(RegistrationStandard.registration_id).in_(
            select(Registration.id).where(col(Registration.learner_id).in_(ids))
        ),
    )
    assert (
        report.rows
        == 7 + 7 + standards + 28 + 28 + claims + decided + 14 + (versions + claims + decided) + 7
    )

    checked = audit.verify(session)
    assert checked.ok, checked.breaks[:5]

    # the stored summaries are what the caseload would work out
    regs = session.exec(select(Registration.id).where(col(Registration.learner_id).in_(ids))).all()
    stored = {
        s.registration_id: (s.met, s.total, s.awaiting)
        for s in session.exec(
            select(RegistrationSummary).where(col(RegistrationSummary.registration_id).in_(regs))
        ).all()
    }
    worked = summaries.work_out(session, list(regs), date.today())
    assert stored == {r: (s.met, s.total, s.awaiting) for r, s in worked.items()}
    assert any(met for met, _total, _awaiting in stored.values())


def test_a_changed_bulk_row_breaks_the_audit_check(session: Session) -> None:
    load_demo(session)
    session.commit()
    add_synthetic_centre(_units(session), learners=2, items_per_learner=2, chunk=2)
    claim = session.exec(select(Claim).where(Claim.status == "accepted")).first()
    assert claim is not None
    claim.method = "Q" if claim.method != "Q" else "O"
    session.execute(
        Claim.__table__.update().where(Claim.__table__.c.id == claim.id).values(method=claim.method)  # type: ignore[attr-defined]
    )
    checked = audit.verify(session)
    assert not checked.ok
    assert any(f"claim {claim.id}: differs" in line for line in checked.breaks)


def test_the_bulk_row_hashes_are_the_trails_canonical_hashes(session: Session) -> None:
    load_demo(session)
    session.commit()
    add_synthetic_centre(_units(session), learners=2, items_per_learner=3, chunk=5)
    for kind in ROW_HASHES:
        table = audit_rows.table_of(kind)
        rows = session.execute(select(table)).mappings().all()
        assert rows
        for row in rows:
            assert ROW_HASHES[kind](dict(row)) == audit_rows.row_hash(kind, row["id"], dict(row))


def test_demo_command_with_learners_prints_progress_and_keeps_the_trail_whole(cli) -> None:
    result = cli("demo", "--learners", "5", "--items", "2", "--chunk", "2")
    assert result.exit_code == 0, result.output
    assert "learner1@example.org" in result.output  # the demo accounts still printed
    assert "  4 of 5 synthetic learners" in result.output
    assert "Synthetic learners added: 5" in result.output
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
