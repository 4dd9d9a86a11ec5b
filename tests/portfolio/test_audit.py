"""The audit trail is append-only (the database refuses changes) and its hash chain is verifiable."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from portfolio.models import AuditEntry
from portfolio.services import audit


def _entries(session, n: int) -> None:
    for i in range(n):
        audit.record(
            session,
            actor_id=None,
            action="test.event",
            subject_type="thing",
            subject_id=i,
            data={"i": i},
        )
    session.flush()


def test_chain_verifies_and_links_each_entry_to_the_one_before(session) -> None:
    _entries(session, 5)
    report = audit.verify(session)
    assert report.ok and report.entries >= 5
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE auditentry SET action = 'forged'",
        "DELETE FROM auditentry",
    ],
)
def test_database_refuses_to_change_or_delete_audit_entries(session, connection, statement) -> None:
    _entries(session, 2)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement))


def _drop_guard(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE auditentry DISABLE TRIGGER auditentry_append_only"))
    else:
        connection.execute(text("DROP TRIGGER auditentry_no_update"))
        connection.execute(text("DROP TRIGGER auditentry_no_delete"))


def test_verify_reports_a_tampered_entry(session, connection, cli) -> None:
    _entries(session, 3)
    session.commit()
    # someone with direct database access rewrites history (the rolled-back test transaction
    # brings the guard back afterwards)
    _drop_guard(connection)
    target = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    connection.execute(
        text("UPDATE auditentry SET data = :d WHERE id = :id"), {"d": '{"i": 999}', "id": target.id}
    )
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert any(f"entry {target.id}" in line for line in report.breaks)
    r = cli("audit", "verify")
    assert r.exit_code != 0
    assert "broken" in r.output


def test_verify_reports_a_deleted_entry(session, connection) -> None:
    _entries(session, 3)
    session.commit()
    _drop_guard(connection)
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    connection.execute(text("DELETE FROM auditentry WHERE id = :id"), {"id": rows[-2].id})
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok and any("links to" in line for line in report.breaks)
