"""Migration 0009 (declarations) upgrades a database that already holds sign-offs: old records keep their rows,
carry no learner declaration (none was made as an act) and empty wordings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from delivery.schema import upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_upgrade_keeps_existing_signoffs(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0008")  # the revision before the declarations
            _load_sample(engine, trail=False)  # the audit table of that revision
            with engine.begin() as conn:
                _old_signoff(conn)
            upgrade(engine)
            with engine.connect() as conn:
                row = conn.execute(
                    text(
                        "SELECT learner_declaration_id, learner_id, learner_wording, "
                        "assessor_wording, audit_entries, document_id FROM signoff"
                    )
                ).one()
                assert tuple(row) == (None, None, "", "", None, "SO-OLD")
                assert conn.execute(text("SELECT count(*) FROM learner_declaration")).scalar() == 0
                assert conn.execute(text("SELECT count(*) FROM notification")).scalar() == 0
        finally:
            engine.dispose()


def _old_signoff(conn) -> None:
    for pid, role in ((1, "learner"), (2, "assessor")):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:id, :n, :e, '', :r, "
                ":a, '', 'experienced', 0, :t)"
            ),
            {"id": pid, "n": role, "e": f"{role}@example.org", "r": role, "a": True, "t": NOW},
        )
    framework_id, standard_id = conn.execute(
        text("SELECT framework_id, id FROM standard ORDER BY id LIMIT 1")
    ).one()
    conn.execute(
        text(
            "INSERT INTO registration (id, learner_id, framework_id, start_date, planned_end, "
            "created_at) VALUES (1, 1, :f, :d, :d, :t)"
        ),
        {"f": framework_id, "d": date(2024, 1, 1), "t": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO signoff (registration_id, standard_id, assessor_id, document_id, summary, "
            "feedback, learner_declared_at, assessor_declared_at, signed_at, evidence_set_sha256, "
            "status, reopen_reason) VALUES (1, :s, 2, 'SO-OLD', '', '', :t, :t, :t, :h, "
            "'signed', '')"
        ),
        {"s": standard_id, "t": NOW, "h": "0" * 64},
    )
