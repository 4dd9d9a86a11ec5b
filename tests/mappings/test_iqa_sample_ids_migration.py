"""Migration 0053 makes the IQA's samples and the VLE platforms AUTOINCREMENT on SQLite, so a
sample deleted by planning again, or a platform removed, never has its id given to a new row:
every row, index, trigger and foreign key (the reviews' and actions' references to samples too)
is kept, SQLite remembers the largest id each table gave (the trail's ones too), and the
migration goes down (and up) again. On PostgreSQL it changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from delivery.schema import upgrade
from tests.mappings import ids_migration_checks as ids
from tests.mappings.test_decision_framework_migration import T
from tests.mappings.test_ids_never_given_again_migration import TABLES as EVIDENCE_TABLES

TABLES = ("iqa_sample", "lti_platform")
# what 0051 made AUTOINCREMENT, before 0053 and after it
EARLIER = set(EVIDENCE_TABLES)


def test_sample_and_platform_ids_are_never_given_again_and_everything_is_kept_both_ways(
    backend, tmp_path
) -> None:
    with ids.database_at(
        backend, tmp_path, "0052", _a_cycle_planned_again_and_a_platform_removed
    ) as (url, engine):
        rows, schema = _rows(engine), ids.schema(engine)

        upgrade(engine, "0053")
        assert _rows(engine) == rows
        _kept(engine, schema, autoincrement=True)
        if backend == "sqlite":
            # the sample planned again and the platform removed, both named by the trail
            assert ids.sequences(engine)["iqa_sample"] == 5
            assert ids.sequences(engine)["lti_platform"] == 2
            with engine.begin() as conn:  # and next ids: never a deleted one's
                assert _new_sample(conn) == 6
                conn.execute(text("DELETE FROM iqa_sample WHERE id = 6"))
                assert _new_sample(conn) == 7  # nor one deleted since
                conn.execute(text("DELETE FROM iqa_sample WHERE id = 7"))
                assert _new_platform(conn) == 3

        ids.downgrade(engine, url, "0052")
        after = _rows(engine)
        if backend == "sqlite":
            assert after["lti_platform"][-1][0] == 3
            after["lti_platform"] = after["lti_platform"][:-1]
        assert after == rows
        _kept(engine, schema, autoincrement=False)

        upgrade(engine, "0053")  # and up again
        _kept(engine, schema, autoincrement=True)
        if backend == "sqlite":
            assert ids.sequences(engine)["iqa_sample"] == 5  # the trail still names it
            assert ids.sequences(engine)["lti_platform"] == 3


def _rows(engine: Engine) -> ids.Rows:
    return ids.rows(engine, (*TABLES, "iqa_review", "iqa_action"))


def _kept(engine: Engine, schema: Any, *, autoincrement: bool) -> None:
    """The indexes, triggers and foreign keys are as they were (on SQLite each table's text
    differs by AUTOINCREMENT alone), and are still enforced."""
    ids.kept(
        engine,
        schema,
        migration="0053_iqa_sample_ids_never_reused",
        tables=TABLES,
        autoincrement=autoincrement,
        earlier=EARLIER,
        refused=(
            "DELETE FROM iqa_sample WHERE id = 1",  # its review and action refer to it
            "UPDATE iqa_sample SET cycle_id = 99 WHERE id = 4",  # no such cycle
        ),
    )


_new_sample = ids.copier(
    "iqa_sample",
    "cycle_id, decision_key, kind, registration_id, learner_id, standard_id, assessor_id, "
    "reasons, added_by, position, dropped, created_at",
    decision_key="decision_key || 'x'",
)


_new_platform = ids.copier(
    "lti_platform",
    "name, issuer, client_id, deployment_ids, auth_login_url, token_url, jwks_url, "
    "created_at, email_links",
    issuer="issuer || '/3'",
)


def _a_cycle_planned_again_and_a_platform_removed(conn: Any) -> None:
    """A cycle whose first plan (samples 1 to 3) was stored, the IQA reviewing sample 1 (planned
    by hand) and setting an action on it; planned again: its planner's samples 2 and 3 deleted,
    4 and 5 stored; 5 deleted by a third plan, which the trail names (the IQA dropped it before).
    Two VLE platforms registered, the second removed (the trail names it)."""
    standard_id = conn.execute(text("SELECT id FROM standard ORDER BY id LIMIT 1")).scalar_one()
    framework_id = conn.execute(text("SELECT id FROM framework ORDER BY id LIMIT 1")).scalar_one()
    for person, role in ((1, "learner"), (2, "assessor"), (3, "iqa")):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:i, :n, :e, '', :r, true, "
                f"'', 'experienced', 0, {T})"
            ),
            {"i": person, "n": f"P{person}", "e": f"p{person}@example.org", "r": role},
        )
    conn.execute(
        text(
            "INSERT INTO registration (id, learner_id, framework_id, assessor_id, iqa_id, "
            f"start_date, planned_end, created_at) VALUES (1, 1, :f, 2, 3, '2025-01-01', "
            f"'2026-01-01', {T})"
        ),
        {"f": framework_id},
    )
    conn.execute(
        text(
            "INSERT INTO iqa_cycle (id, name, start_date, end_date, iqa_id, strategy, seed, "
            f"created_at, created_by) VALUES (1, 'R1', '2025-01-01', '2025-12-31', 3, '{{}}', 0, "
            f"{T}, 3)"
        )
    )
    for sample, by in ((1, "iqa"), (2, "planner"), (3, "planner"), (4, "planner"), (5, "planner")):
        conn.execute(
            text(
                "INSERT INTO iqa_sample (id, cycle_id, decision_key, kind, registration_id, "
                "learner_id, standard_id, assessor_id, reasons, added_by, position, dropped, "
                f"created_at) VALUES (:i, 1, :k, 'interim', 1, 1, :s, 2, '[]', :b, :i, false, {T})"
            ),
            {"i": sample, "k": f"I1-{sample}-2", "s": standard_id, "b": by},
        )
    conn.execute(
        text(
            "INSERT INTO iqa_review (id, sample_id, outcome, feedback, reviewed_by, at, "
            f"reopened_signoff) VALUES (1, 1, 'agree', '', 3, {T}, false)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO iqa_action (id, review_id, sample_id, assessor_id, set_by, text, "
            f"due_date, status, response, created_at) VALUES (1, 1, 1, 2, 3, 'Do', '2025-02-01', "
            f"'open', '', {T})"
        )
    )
    for statement in (
        "DELETE FROM iqa_sample WHERE id IN (2, 3)",  # planned again
        "DELETE FROM iqa_sample WHERE id = 5",  # and again
    ):
        conn.execute(text(statement))
    for platform in (1, 2):
        conn.execute(
            text(
                "INSERT INTO lti_platform (id, name, issuer, client_id, deployment_ids, "
                "auth_login_url, token_url, jwks_url, created_at, email_links) VALUES (:i, :n, "
                f":s, 'tool', '', 'https://vle/auth', 'https://vle/token', 'https://vle/jwks', {T}, "
                "'learners')"
            ),
            {"i": platform, "n": f"VLE {platform}", "s": f"https://vle/{platform}"},
        )
    conn.execute(text("DELETE FROM lti_platform WHERE id = 2"))
    for entry, (action, kind, subject) in enumerate(
        (("iqa.drop", "iqa_sample", 5), ("lti.platform_remove", "lti_platform", 2)), start=1
    ):
        conn.execute(
            text(
                "INSERT INTO auditentry (id, at, actor_id, action, subject_type, subject_id, "
                f"data, prev_hash, hash) VALUES (:e, {T}, 3, :a, :k, :s, '{{}}', '', :h)"
            ),
            {"e": entry, "a": action, "k": kind, "s": subject, "h": f"h{entry}"},
        )
