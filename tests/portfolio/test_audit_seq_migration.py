"""Migration 0024 gives each audit entry written before it its place in the trail, in id order
(ids may have gaps: a rolled-back transaction uses one up), and comes down and up again."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from portfolio.services import audit
from tests.conftest import fresh_database

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_upgrade_places_the_entries_written_before(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0023")  # the revision before
            with engine.begin() as conn:
                for n, entry_id in enumerate((3, 7, 8)):
                    conn.execute(
                        text(
                            "INSERT INTO auditentry (id, at, action, subject_type, data, "
                            "prev_hash, hash) VALUES (:id, :at, 'test.event', 'thing', '{}', "
                            ":prev, :hash)"
                        ),
                        {"id": entry_id, "at": NOW, "prev": f"{n:064d}", "hash": f"{n + 1:064d}"},
                    )
            upgrade(engine)
            with engine.begin() as conn:  # down and up again: the places are worked out again
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0023")
                command.upgrade(cfg, "head")
            with engine.connect() as conn:
                found = conn.execute(text("SELECT id, seq FROM auditentry ORDER BY id")).all()
            assert [tuple(r) for r in found] == [(3, 1), (7, 2), (8, 3)]
            with Session(engine) as session:
                head = audit.head(session)
            assert head.entries == 3 and head.hash == f"{3:064d}"
        finally:
            engine.dispose()
