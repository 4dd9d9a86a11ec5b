"""``audit verify`` recomputes whom each entry is about (``about_id``, outside the hash chain) from
its subject, where the subject's person can be read without doubt, and reports an entry that names
someone else or no one: a changed ``about_id`` would hide entries from the search "about whom"."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import col, select

from portfolio.models import AuditEntry
from portfolio.services import audit
from tests.portfolio.test_audit import _drop_guard


def _newest(session, subject_type: str) -> AuditEntry:
    found = session.exec(
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type)
        .order_by(col(AuditEntry.id).desc())
    ).first()
    assert found is not None and found.about_id is not None, subject_type
    return found


def test_verify_reports_an_entry_whose_about_id_was_changed(
    session, connection, make_person, make_registration, make_evidence, cli
) -> None:
    learner, other = make_person("learner"), make_person("learner")
    make_registration(learner=learner, codes="SE01")
    make_evidence(learner, title="My account")
    session.commit()
    assert audit.verify(session).ok
    moved, cleared = _newest(session, "evidence"), _newest(session, "registration")
    _drop_guard(connection)  # someone with direct database access (rolled back after the test)
    connection.execute(
        text("UPDATE auditentry SET about_id = :p WHERE id = :id"), {"p": other.id, "id": moved.id}
    )
    connection.execute(text("UPDATE auditentry SET about_id = NULL WHERE id = :id"),
                       {"id": cleared.id})  # fmt: skip
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    said = [line for line in report.breaks if "about" in line]
    assert any(line.startswith(f"entry {moved.id} (") and f"person {other.id}" in line
               and f"person {learner.id}" in line for line in said), said  # fmt: skip
    assert any(line.startswith(f"entry {cleared.id} (") and "no one" in line for line in said), said
    assert len(said) == 2, said  # the chain itself is intact: about_id is not hashed
    assert len(report.breaks) == 2, report.breaks
    r = cli("audit", "verify")
    assert r.exit_code != 0 and f"entry {moved.id}" in r.output
