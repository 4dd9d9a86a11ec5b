"""The audit trail is append-only (the database refuses changes) and its hash chain is verifiable."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from portfolio.models import AuditEntry
from portfolio.services import audit
from portfolio.services.people import SYSTEM


def _entries(session, n: int) -> None:
    for i in range(n):
        audit.record(
            session,
            actor=SYSTEM,
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


def test_the_system_is_stored_as_no_actor_however_it_is_passed(
    session, sample_framework, make_person, cli
) -> None:
    from mappings.assessment.rules import set_rules
    from portfolio.services import registrations
    from portfolio.services.people import Actor

    admin = make_person("admin")  # created by the system through people.create_person
    start = session.exec(select(AuditEntry.id).order_by(AuditEntry.id.desc())).first()
    # services that used to store the system as 0 or as NULL, depending on the caller
    registrations.create_cohort(session, actor=SYSTEM, name=f"Cohort {admin.id}")
    set_rules(session, actor=SYSTEM, framework_id=sample_framework.id, data={})
    audit.record(session, actor=SYSTEM, action="test.system", subject_type="t", subject_id=1)
    audit.record(session, actor=admin, action="test.person", subject_type="t", subject_id=2)
    audit.record(
        session, actor=Actor.of(admin), action="test.actor", subject_type="t", subject_id=3
    )
    session.commit()
    created = session.exec(
        select(AuditEntry).where(
            AuditEntry.subject_id == admin.id, AuditEntry.action == "person.create"
        )
    ).one()
    rows = session.exec(select(AuditEntry).where(AuditEntry.id > start)).all()
    by_action = {row.action: row.actor_id for row in rows}
    assert created.actor_id is None
    assert by_action == {
        "cohort.create": None,
        "framework.rules": None,
        "test.system": None,
        "test.person": admin.id,
        "test.actor": admin.id,
    }
    assert not session.exec(select(AuditEntry).where(AuditEntry.actor_id == 0)).all()
    assert audit.verify(session).ok
    assert cli("audit", "verify").exit_code == 0
