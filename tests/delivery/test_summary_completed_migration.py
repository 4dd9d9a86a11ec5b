"""Migration 0037 fills the day each stored summary's registration was completed, and its place
in the status order (working, completed, withdrawn), so a completed learner is counted and sorted
apart straight after the upgrade; down and up again keeps them."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database
from tests.delivery.test_summary_withdrawn_migration import _summaries

EARLY = datetime(2025, 1, 3, 9, 0, tzinfo=UTC)
LATE = datetime(2025, 1, 5, 16, 30, tzinfo=UTC)


def test_upgrade_fills_the_completion_of_the_stored_summaries(backend, tmp_path) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0036")  # the revision before
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                _summaries(conn)  # registration 1 working, 2 withdrawn (both learners')
                conn.execute(
                    text(
                        "UPDATE registration_summary SET withdrawn = TRUE, active = FALSE "
                        "WHERE registration_id = 2"
                    )
                )
                _standards_signed(conn)
            upgrade(engine)
            with engine.begin() as conn:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0036")
                command.upgrade(cfg, "head")
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT registration_id, completed_on, stage, stage_back "
                        "FROM registration_summary ORDER BY registration_id"
                    )
                ).all()
        finally:
            engine.dispose()
    # 1: both standards signed (the later day counts; a reopened sign-off does not) -> completed
    # 2: withdrawn, one of its two standards signed
    assert [(r, str(on) if on else None, s, b) for r, on, s, b in found] == [
        (1, "2025-01-05", 1, 1),
        (2, None, 2, 0),
    ]


def _standards_signed(conn) -> None:
    ids = [i for (i,) in conn.execute(text("SELECT id FROM standard ORDER BY id LIMIT 2"))]
    for reg in (1, 2):
        for sid in ids:
            conn.execute(
                text(
                    "INSERT INTO registrationstandard (registration_id, standard_id) VALUES (:r, :s)"
                ),
                {"r": reg, "s": sid},
            )
    signed = ((1, ids[0], EARLY, "signed"), (1, ids[1], LATE, "signed"),
              (1, ids[1], datetime(2025, 1, 9, tzinfo=UTC), "reopened"), (2, ids[0], LATE, "signed"))  # fmt: skip
    for n, (reg, sid, at, status) in enumerate(signed):
        conn.execute(
            text(
                "INSERT INTO signoff (registration_id, standard_id, assessor_id, document_id, "
                "summary, feedback, learner_declared_at, assessor_declared_at, learner_wording, "
                "assessor_wording, signed_at, evidence_set_sha256, status, reopen_reason) VALUES "
                "(:r, :s, 2, :d, '', '', :t, :t, '', '', :t, :h, :st, '')"
            ),
            {"r": reg, "s": sid, "d": f"doc-{n}", "t": at, "h": "0" * 64, "st": status},
        )
