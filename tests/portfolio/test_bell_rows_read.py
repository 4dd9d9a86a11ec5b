"""Review: costs must not grow with history. Every page's header counts the person's unread
notifications (the bell); notifications are never deleted, so the count must not read every
notification the person ever had. Rows read are counted by PostgreSQL (pg_stat_xact_user_tables,
the current transaction's reads), with sequential scans off as on a table of production size."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portfolio.services import notifications
from tests.conftest import actor_of
from tests.rows_read import rows_read


def test_the_bell_reads_the_unread_not_the_whole_history(session, backend, make_person) -> None:
    if backend != "postgresql":
        pytest.skip("rows read are counted by PostgreSQL")
    person = make_person("learner")
    me = actor_of(person)

    def history(n: int) -> None:
        for i in range(n):
            notifications.notify(session, person_id=person.id, text=f"old {i} {n}", kind="other")
        notifications.mark_all_read(session, actor=me)
        notifications.notify(session, person_id=person.id, text=f"new {n}", kind="other")
        session.flush()

    def read_by_bell() -> int:
        connection = session.connection()
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        # statistics as autovacuum keeps them on a live table: the suite's earlier tests leave
        # others that may say most notifications are unread, and the planner then reads the
        # person's whole history through the index on person_id as cheaply, it thinks
        connection.execute(text("ANALYZE notification"))
        before = rows_read(connection, "notification").get("notification", 0)
        assert notifications.unread_count(session, actor=me) == 1
        return rows_read(connection, "notification").get("notification", 0) - before

    history(5)
    short = read_by_bell()
    history(200)
    long = read_by_bell()
    assert long == short, f"5 old notifications: {short} rows read; 205: {long}"
