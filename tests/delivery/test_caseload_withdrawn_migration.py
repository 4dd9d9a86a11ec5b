"""Migration 0032 marks the summaries already stored of active learners (``active``, read by the
status order descending), so a withdrawn learner sorts last straight after the upgrade; down and
up again keeps them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database
from tests.delivery.test_summary_withdrawn_migration import _summaries


def test_upgrade_marks_the_active_learners_summaries(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0031")  # the revision before
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                _summaries(conn)
                conn.execute(
                    text(
                        "UPDATE registration_summary SET withdrawn = TRUE WHERE registration_id = 2"
                    )
                )
            upgrade(engine)
            with engine.begin() as conn:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0031")
                command.upgrade(cfg, "head")
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT registration_id, withdrawn, active FROM registration_summary "
                        "ORDER BY registration_id"
                    )
                ).all()
        finally:
            engine.dispose()
    assert [(r, bool(w), bool(a)) for r, w, a in found] == [(1, False, True), (2, True, False)]
