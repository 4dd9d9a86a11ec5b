"""Migration 0057 gives an assessment plan the day its due date was last chosen by its assessor:
plans stored before are given it as their audit trail said it (the day they were set, raised by
each ``plan.edit`` that gave a new due date; a ``plan.move`` by a break is no choice, nor an edit
keeping the date); the column is then NOT NULL; down drops it and keeps the plans and what refers
to them, up again gives the same days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel.sql.sqltypes import UTCDateTime

from delivery.schema import alembic_config, upgrade
from portfolio.db import make_engine
from tests.conftest import _load_sample, fresh_database

DAY = [datetime(2026, 3, 2, 12, 0, tzinfo=UTC) + timedelta(days=7 * n) for n in range(5)]
DUE, LATER, MOVED = date(2026, 6, 1), date(2026, 6, 15), date(2026, 7, 1)
TRAIL = sa.table(
    "auditentry",
    sa.column("at", UTCDateTime()),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("subject_type", sa.String()),
    sa.column("subject_id", sa.Integer()),
    sa.column("data", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
# each plan's trail after its plan.set (on DAY[0], due DUE): (week, action, due date), and the
# day its due date was last chosen
PLANS: dict[int, tuple[list[tuple[int, str, object]], datetime]] = {
    1: ([], DAY[0]),  # set, never changed
    2: ([(1, "plan.edit", LATER)], DAY[1]),  # given a new date
    3: ([(1, "plan.edit", DUE)], DAY[0]),  # changed, its date kept
    4: ([(1, "plan.move", MOVED), (2, "plan.edit", MOVED)], DAY[0]),  # moved, then kept
    5: ([(1, "plan.move", MOVED), (2, "plan.edit", DUE)], DAY[2]),  # moved, then re-dated
    6: ([(1, "plan.edit", LATER), (2, "plan.edit", LATER), (3, "plan.move", MOVED)], DAY[1]),
}


def _day(at: datetime) -> date:
    return at.astimezone().date()  # the server's clock, as the breaks' days


def _columns(conn) -> dict[str, dict]:
    return {c["name"]: c for c in inspect(conn).get_columns("assessment_plan")}


def _stored(conn) -> None:
    """Two people, a registration, the plans of :data:`PLANS` (set on DAY[0], each with a
    criterion) and their trails, entries about other subjects between them."""
    for pid, role in ((1, "learner"), (2, "assessor")):
        conn.execute(
            text(
                "INSERT INTO person (id, name, email, password_hash, roles, active, site, "
                "assessor_status, failed_logins, created_at) VALUES (:id, :n, :e, '', :r, "
                ":a, '', 'experienced', 0, :t)"
            ),
            {
                "id": pid,
                "n": f"P{pid}",
                "e": f"p{pid}@example.org",
                "r": role,
                "a": True,
                "t": DAY[0],
            },
        )
    framework_id = conn.execute(text("SELECT id FROM framework ORDER BY id LIMIT 1")).scalar()
    criterion_id = conn.execute(text("SELECT id FROM criterion ORDER BY id LIMIT 1")).scalar()
    conn.execute(
        text(
            "INSERT INTO registration (id, learner_id, framework_id, assessor_id, start_date, "
            "planned_end, created_at) VALUES (1, 1, :f, 2, :s, :e, :t)"
        ),
        {"f": framework_id, "s": DUE, "e": MOVED, "t": DAY[0]},
    )
    entries = []
    for plan_id, (trail, _chosen) in PLANS.items():
        conn.execute(
            text(
                "INSERT INTO assessment_plan (id, registration_id, learner_id, title, body, "
                "due_on, status, set_by, set_at, updated_at, close_reason) VALUES (:id, 1, 1, "
                ":title, 'Write it', :d, 'open', 2, :t, :t, '')"
            ),
            {"id": plan_id, "title": f"Plan {plan_id}", "d": DUE, "t": DAY[0]},
        )
        conn.execute(
            text("INSERT INTO assessment_plan_criterion (plan_id, criterion_id) VALUES (:p, :c)"),
            {"p": plan_id, "c": criterion_id},
        )
        entries.append((DAY[0], "plan.set", plan_id, {"due_on": DUE.isoformat()}))
        due = DUE
        for week, action, now in trail:
            if action == "plan.move":
                data = {"due_on": {"was": due.isoformat(), "now": now.isoformat()}, "days": 30}
            else:
                data = {"due_on": now.isoformat(), "evidence_kind": None, "criteria": []}
            entries.append((DAY[week], action, plan_id, data))
            due = now
    # in the order they happened (by id), with entries about a registration of the same id that
    # say nothing of a plan
    entries.sort(key=lambda e: e[0])
    entries.append((DAY[4], "plan.edit", 7, {"due_on": LATER.isoformat()}))  # no such plan
    for n, (at, action, subject_id, data) in enumerate(entries):
        for subject_type in ("registration", "assessment_plan"):
            conn.execute(
                sa.insert(TRAIL).values(
                    at=at + timedelta(days=4) if subject_type == "registration" else at,
                    actor_id=2,
                    action=action,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    data=data,
                    prev_hash=f"{n}-{subject_type}-prev",
                    hash=f"{n}-{subject_type}",
                )
            )


def _plans(conn, chosen: bool = True) -> list[tuple]:
    extra = ", due_chosen_on" if chosen else ""
    query = f"SELECT id, title, due_on, set_at{extra} FROM assessment_plan ORDER BY id"
    return [tuple(r) for r in conn.execute(text(query)).all()]


def _criteria(conn) -> list[tuple]:
    query = "SELECT plan_id, criterion_id FROM assessment_plan_criterion ORDER BY plan_id"
    return [tuple(r) for r in conn.execute(text(query)).all()]


def _indexes(conn) -> list[tuple]:
    return sorted(
        (i["name"], tuple(i["column_names"]), bool(i["unique"]))
        for i in inspect(conn).get_indexes("assessment_plan")
    )


def test_plans_stored_before_are_given_the_day_their_trail_says_down_and_up_again(
    backend, tmp_path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0056")  # the revision before
            _load_sample(engine, trail=False)
            with engine.begin() as conn:
                _stored(conn)
                assert "due_chosen_on" not in _columns(conn)
                indexes, criteria = _indexes(conn), _criteria(conn)
            upgrade(engine)
            with engine.begin() as conn:
                assert _columns(conn)["due_chosen_on"]["nullable"] is False
                after = _plans(conn)
                assert (_indexes(conn), _criteria(conn)) == (indexes, criteria)
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0056")
                assert "due_chosen_on" not in _columns(conn)
                down = _plans(conn, chosen=False)
                assert (_indexes(conn), _criteria(conn)) == (indexes, criteria)
                command.upgrade(cfg, "head")
                again = _plans(conn)
                assert (_indexes(conn), _criteria(conn)) == (indexes, criteria)
        finally:
            engine.dispose()
    assert {r[0]: str(r[4]) for r in after} == {
        pid: _day(at).isoformat() for pid, (_t, at) in PLANS.items()
    }
    assert [r[:4] for r in after] == down
    assert again == after
