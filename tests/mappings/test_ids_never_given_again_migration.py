"""Migration 0051 makes the tables a discard deletes from AUTOINCREMENT on SQLite, so a deleted
row's id is never given again: every row, index, trigger and foreign key (to and from the tables)
is kept, SQLite remembers the largest id each table gave (the trail's ones too), and the migration
goes down (and up) again. On PostgreSQL it changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from delivery.schema import upgrade
from tests.mappings import ids_migration_checks as ids
from tests.mappings.test_decision_framework_migration import T, _still_append_only

TABLES = (
    "evidence",
    "evidenceversion",
    "attachment",
    "attachmentreading",
    "privacy_scan",
    "privacy_finding",
    "version_suggestions",
    "claim",
)
# what the discard of item 3 left in the trail: the item it was about, the version and claim removed
DISCARDED = {"evidence": 3, "evidenceversion": 3, "claim": 2}
REFUSED = (
    "INSERT INTO claim (id, evidence_id, criterion_id, claimed_by, created_at, status, "
    f"revision) VALUES (99, 99, 1, 1, {T}, 'claimed', 1)",  # no such item
    "DELETE FROM evidence WHERE id = 1",  # its versions, claims and judgement refer to it
    "DELETE FROM attachment WHERE id = 1",  # its reading and privacy scan refer to it
    "DELETE FROM claim WHERE id = 1",  # its decision refers to it
)


def test_ids_are_never_given_again_and_everything_is_kept_both_ways(backend, tmp_path) -> None:
    with ids.database_at(backend, tmp_path, "0050", _items_and_a_discarded_draft) as (url, engine):
        rows, schema = ids.rows(engine, TABLES), ids.schema(engine)

        upgrade(engine, "0051")
        assert ids.rows(engine, TABLES) == rows
        _kept(engine, schema, autoincrement=True)
        if backend == "sqlite":
            assert ids.sequences(engine) == {
                "evidence": 3,  # the discarded draft's, named by the trail
                "evidenceversion": 3,
                "claim": 2,
                "attachment": 1,  # a deleted row the trail never named cannot be known
                "attachmentreading": 1,
                "privacy_scan": 1,
                "privacy_finding": 1,
                "version_suggestions": 1,
            }
            with engine.begin() as conn:  # and next ids: never the discarded draft's
                assert _new_item(conn) == 4
                conn.execute(text("DELETE FROM evidence WHERE id = 4"))
                assert _new_item(conn) == 5  # nor one deleted since

        ids.downgrade(engine, url, "0050")
        assert ids.rows(engine, TABLES) == _rows_with_item_5(rows, backend)
        _kept(engine, schema, autoincrement=False)

        upgrade(engine, "0051")  # and up again
        assert ids.rows(engine, TABLES) == _rows_with_item_5(rows, backend)
        _kept(engine, schema, autoincrement=True)
        if backend == "sqlite":
            assert ids.sequences(engine)["evidence"] == 5


def _rows_with_item_5(rows: ids.Rows, backend: str) -> Any:
    if backend != "sqlite":
        return rows
    return rows | {"evidence": rows["evidence"] + [(5, *rows["evidence"][0][1:])]}


def _kept(engine: Engine, schema: Any, *, autoincrement: bool) -> None:
    """The indexes, triggers and foreign keys are as they were (on SQLite each table's text
    differs by AUTOINCREMENT alone), and are still enforced."""
    ids.kept(
        engine,
        schema,
        migration="0051_evidence_ids_never_reused",
        tables=TABLES,
        autoincrement=autoincrement,
    )
    _still_append_only(engine)  # decisions, which refer to claims
    ids.all_refused(engine, REFUSED)


_new_item = ids.copier(
    "evidence",
    "learner_id, kind, title, activity_date, status, current_version, created_by, created_at, "
    "updated_at",
)


def _items_and_a_discarded_draft(conn: Any) -> None:
    """A learner's submitted item (a version with a file that was read and scanned, a claim with
    its decision, a judgement) and a draft, each with a version; a third item, the newest, was a
    draft discarded just now (its rows deleted, the trail naming it and what went with it)."""
    framework_id, criterion_id = conn.execute(
        text(
            "SELECT standard.framework_id, criterion.id FROM criterion "
            "JOIN standard ON standard.id = criterion.standard_id ORDER BY criterion.id LIMIT 1"
        )
    ).one()
    conn.execute(
        text(
            "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
            "assessor_status, failed_logins, created_at) VALUES (1, 'Ann', 'ann@example.org', "
            f"'', 'learner', true, '', 'experienced', 0, {T})"
        )
    )
    for item, status in ((1, "submitted"), (2, "draft"), (3, "draft")):
        conn.execute(
            text(
                "INSERT INTO evidence (id, learner_id, kind, title, activity_date, status, "
                "current_version, created_by, created_at, updated_at) VALUES (:i, 1, "
                f"'reflective_account', :t, '2025-01-02', :s, 1, 1, {T}, {T})"
            ),
            {"i": item, "t": f"Item {item}", "s": status},
        )
        conn.execute(
            text(
                "INSERT INTO evidenceversion (id, evidence_id, number, title, activity_date, "
                "body, fields, sha256, created_by, created_at) VALUES (:i, :i, 1, :t, "
                f"'2025-01-02', 'text', '{{}}', :h, 1, {T})"
            ),
            {"i": item, "t": f"Item {item}", "h": f"{item:064d}"},
        )
    for attachment, version in ((1, 1), (2, 3)):
        conn.execute(
            text(
                "INSERT INTO attachment (id, version_id, sha256, filename, mime, size, text, "
                f"created_at) VALUES (:a, :v, :h, 'a.txt', 'text/plain', 4, 'text', {T})"
            ),
            {"a": attachment, "v": version, "h": f"{attachment:064x}"},
        )
    conn.execute(
        text(
            "INSERT INTO attachmentreading (id, attachment_id, status, text, chars, truncated, "
            f"error, suggestions, attempts, queued_at) VALUES (1, 1, 'done', 'text', 4, '', '', "
            f"'[]', 1, {T})"
        )
    )
    conn.execute(
        text(
            "INSERT INTO privacy_scan (id, version_id, attachment_id, scanned_at, findings) "
            f"VALUES (1, 1, 1, {T}, 1)"
        )
    )
    conn.execute(
        text(
            'INSERT INTO privacy_finding (id, version_id, attachment_id, kind, start, "end", '
            "text, state, placeholder, found_at) VALUES (1, 1, 1, 'email', 0, 4, 'text', "
            f"'found', '', {T})"
        )
    )
    conn.execute(
        text(
            "INSERT INTO version_suggestions (id, version_id, engine_version, frameworks, "
            "decision_id, basis, suggestions, computed_at) VALUES (1, 1, '1', '[]', 0, 'b', "
            f"'[]', {T})"
        )
    )
    for claim, item, status in ((1, 1, "accepted"), (2, 3, "claimed")):
        conn.execute(
            text(
                "INSERT INTO claim (id, evidence_id, criterion_id, claimed_by, created_at, "
                f"status, revision) VALUES (:c, :i, :k, 1, {T}, :s, 1)"
            ),
            {"c": claim, "i": item, "k": criterion_id, "s": status},
        )
    conn.execute(
        text(
            "INSERT INTO decision (id, claim_id, old_status, new_status, feedback, actor_id, at, "
            f"framework_id) VALUES (1, 1, 'claimed', 'accepted', '', 1, {T}, :f)"
        ),
        {"f": framework_id},
    )
    conn.execute(
        text(
            "INSERT INTO judgement (id, evidence_id, version_number, actor_id, valid, authentic, "
            "current, sufficient, reliable, note, at) VALUES (1, 1, 1, 1, true, true, true, true, "
            f"true, '', {T})"
        )
    )
    # the draft discarded: its rows go, those that refer to others first, and the trail names it
    for statement in (
        "DELETE FROM attachment WHERE id = 2",
        "DELETE FROM claim WHERE id = 2",
        "DELETE FROM evidenceversion WHERE id = 3",
        "DELETE FROM evidence WHERE id = 3",
    ):
        conn.execute(text(statement))
    conn.execute(
        text(
            "INSERT INTO auditentry (id, at, actor_id, action, subject_type, subject_id, data, "
            f"prev_hash, hash) VALUES (1, {T}, 1, 'evidence.discard', 'evidence', 3, '{{}}', '', "
            "'h')"
        )
    )
    for kind in ("evidenceversion", "claim"):
        conn.execute(
            text("INSERT INTO auditrow (entry_id, kind, row_id) VALUES (1, :k, :r)"),
            {"k": kind, "r": DISCARDED[kind]},
        )
