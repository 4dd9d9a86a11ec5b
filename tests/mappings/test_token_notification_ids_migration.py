"""Migration 0054 makes the API tokens and the notifications AUTOINCREMENT on SQLite, so those an
erasure deletes never have their ids given to new rows: every row, index (the unread
notifications' partial one too), trigger and foreign key is kept, SQLite remembers the largest id
each table gave and the largest token id the trail names (in the data of the entries making and
revoking tokens), and the migration goes down (and up) again. On PostgreSQL it changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from delivery.schema import upgrade
from tests.mappings import ids_migration_checks as ids
from tests.mappings.test_decision_framework_migration import T
from tests.mappings.test_iqa_sample_ids_migration import EARLIER

TABLES = ("api_token", "notification")
BEFORE = EARLIER | {"iqa_sample", "lti_platform"}  # what 0051 and 0053 made AUTOINCREMENT


def test_token_and_notification_ids_are_never_given_again_and_everything_is_kept_both_ways(
    backend, tmp_path
) -> None:
    with ids.database_at(backend, tmp_path, "0053", _a_person_erased) as (url, engine):
        rows, schema = ids.rows(engine, TABLES), ids.schema(engine)

        upgrade(engine, "0054")
        assert ids.rows(engine, TABLES) == rows
        _kept(engine, schema, autoincrement=True)
        if backend == "sqlite":
            assert ids.sequences(engine)["api_token"] == 3  # the erased token the trail names
            assert ids.sequences(engine)["notification"] == 2  # one named nowhere is not known
            with engine.begin() as conn:  # and next ids: never an erased one's
                assert _new_token(conn) == 4
                conn.execute(text("DELETE FROM api_token WHERE id = 4"))
                assert _new_token(conn) == 5  # nor one deleted since
                conn.execute(text("DELETE FROM api_token WHERE id = 5"))
                assert _new_notification(conn) == 3

        ids.downgrade(engine, url, "0053")
        after = ids.rows(engine, TABLES)
        if backend == "sqlite":
            assert after["notification"][-1][0] == 3
            after["notification"] = after["notification"][:-1]
        assert after == rows
        _kept(engine, schema, autoincrement=False)

        upgrade(engine, "0054")  # and up again
        _kept(engine, schema, autoincrement=True)
        if backend == "sqlite":
            assert ids.sequences(engine)["api_token"] == 3  # the trail still names it
            assert ids.sequences(engine)["notification"] == 3


def _kept(engine: Engine, schema: Any, *, autoincrement: bool) -> None:
    """The indexes, triggers and foreign keys are as they were (on SQLite each table's text
    differs by AUTOINCREMENT alone), and are still enforced; the unread notifications' partial
    index is still used."""
    ids.kept(
        engine,
        schema,
        migration="0054_token_and_notification_ids_never_reused",
        tables=TABLES,
        autoincrement=autoincrement,
        earlier=BEFORE,
        refused=(
            "UPDATE api_token SET person_id = 99 WHERE id = 1",  # no such person
            "UPDATE api_token SET token_hash = 'h2' WHERE id = 1",  # token 2's
            "UPDATE notification SET person_id = 99 WHERE id = 1",
        ),
    )
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            unread = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM notification"
                " WHERE person_id = 2 AND read_at IS NULL"
            ).all()
            assert "ix_notification_unread" in str(unread)


_new_token = ids.copier(
    "api_token",
    "person_id, name, token_hash, prefix, scopes, created_at",
    token_hash="token_hash || 'x' || (SELECT count(*) FROM api_token)",
)


_new_notification = ids.copier(
    "notification", "person_id, text, link, created_at, kind, mail", text="'New'"
)


def _a_person_erased(conn: Any) -> None:
    """Two people, each with tokens and notifications; the second erased: their token 3, which
    the trail names in the data of the entries making and revoking it (their subject is the
    person), and their notification 3, which the trail never names, deleted. The first person's
    token 2 is revoked, their notification 2 read."""
    for person in (1, 2):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:i, :n, :e, '', 'learner', "
                f"true, '', 'experienced', 0, {T})"
            ),
            {"i": person, "n": f"P{person}", "e": f"p{person}@example.org"},
        )
    for token, person in ((1, 1), (2, 1), (3, 2)):
        conn.execute(
            text(
                "INSERT INTO api_token (id, person_id, name, token_hash, prefix, scopes, "
                f"created_at, revoked_at) VALUES (:i, :p, 'script', :h, 'pat_', 'read', {T}, "
                f"{T if token == 2 else 'NULL'})"
            ),
            {"i": token, "p": person, "h": f"h{token}"},
        )
    for note, person, read in ((1, 1, "NULL"), (2, 1, T), (3, 2, "NULL")):
        conn.execute(
            text(
                "INSERT INTO notification (id, person_id, text, link, created_at, read_at, kind, "
                f"mail) VALUES (:i, :p, 'Said', '/', {T}, {read}, 'other', 'off')"
            ),
            {"i": note, "p": person},
        )
    conn.execute(text("DELETE FROM api_token WHERE id = 3"))
    conn.execute(text("DELETE FROM notification WHERE id = 3"))
    conn.execute(text("UPDATE person SET name = 'Erased person' WHERE id = 2"))
    for entry, (action, subject, data) in enumerate(
        (
            ("token.create", 1, '{"token": 1, "name": "script"}'),
            ("token.create", 1, '{"token": 2, "name": "script"}'),
            ("token.revoke", 1, '{"token": 2}'),
            ("token.create", 2, '{"token": 3, "name": "script"}'),
            ("person.erase", 2, '{"items": 0}'),
        ),
        start=1,
    ):
        conn.execute(
            text(
                "INSERT INTO auditentry (id, at, actor_id, action, subject_type, subject_id, "
                f"data, prev_hash, hash) VALUES (:e, {T}, 1, :a, 'person', :s, '{data}', '', :h)"
            ),
            {"e": entry, "a": action, "s": subject, "h": f"h{entry}"},
        )
