"""A unit of work that fails on a lock is run again whole, a bounded number of times."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from delivery.web import auth as auth_views
from portfolio import db
from portfolio.models import AuditEntry


def _locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


class _PgSerialization(Exception):
    sqlstate = "40001"


class _PgUniqueViolation(Exception):
    sqlstate = "23505"


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db.time, "sleep", lambda _s: None)


def test_lock_errors_are_told_apart() -> None:
    assert db.is_lock_error(_locked())
    assert db.is_lock_error(OperationalError("x", {}, _PgSerialization()))
    assert not db.is_lock_error(OperationalError("x", {}, sqlite3.OperationalError("no table")))
    assert not db.is_lock_error(IntegrityError("x", {}, Exception("unique")))
    # a key taken by a transaction that committed meanwhile: run again, the check sees it
    assert db.is_lock_error(IntegrityError("x", {}, _PgUniqueViolation()))


def test_retrying_runs_again_on_a_lock_and_gives_up_after_the_last_attempt() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "done"

    assert db.retrying(flaky) == "done" and len(calls) == 3

    def always() -> None:
        calls.append(1)
        raise _locked()

    calls.clear()
    with pytest.raises(OperationalError):
        db.retrying(always, attempts=4)
    assert len(calls) == 4


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError):
        db.retrying(broken)
    assert calls == [1]


def test_a_request_that_hit_a_lock_is_run_again_whole(
    client: Any, session: Any, make_person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_person("learner")
    real = auth_views.authenticate
    calls: list[int] = []

    def once_locked(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            db_session = args[0]
            db_session.flush()
            raise _locked()  # after writing: the first attempt's writes must be undone
        return found

    monkeypatch.setattr(auth_views, "authenticate", once_locked)
    response = client.post(
        "/login", data={"email": person.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and len(calls) == 2
    entries = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "auth.login", AuditEntry.actor_id == person.id
        )
    ).all()
    assert len(entries) == 1


def _while_another_writer_holds_the_lock(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, *args: str
) -> Any:
    from click.testing import CliRunner

    from delivery.cli.main import main
    from delivery.schema import upgrade

    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    holder = db.make_engine(url)
    upgrade(holder)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0)  # give up at once rather than in 30 s
    with holder.connect() as other:
        with db.writing():
            other.begin()  # BEGIN IMMEDIATE: another writer holds the lock
        result = CliRunner().invoke(main, ["--db", url, *args])
        other.rollback()
    holder.dispose()
    return result


def test_a_command_that_cannot_get_the_write_lock_exits_with_a_clear_message(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _while_another_writer_holds_the_lock(
        tmp_path, monkeypatch, "cohort", "add", "--name", "Busy"
    )
    assert result.exit_code == 1
    assert "stayed busy" in result.output and "nothing was saved" in result.output


def test_a_command_that_only_reads_does_not_wait_for_writers(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _while_another_writer_holds_the_lock(tmp_path, monkeypatch, "cohort", "list")
    assert result.exit_code == 0, result.output


def test_a_unit_of_work_that_hit_a_lock_is_run_again_and_committed_once(tmp_path: Any) -> None:
    from sqlmodel import Session

    from portfolio.models import Cohort

    engine = db.make_engine(f"sqlite:///{tmp_path / 'unit.sqlite3'}")
    Cohort.metadata.create_all(engine, tables=[Cohort.__table__])  # type: ignore[attr-defined]
    calls: list[int] = []

    def work(session: Session) -> int:
        calls.append(1)
        session.add(Cohort(name=f"Attempt {len(calls)}"))
        session.flush()
        if len(calls) == 1:
            raise _locked()
        return len(calls)

    assert db.run_unit(lambda: Session(engine), work) == 2
    with Session(engine) as s:
        assert [c.name for c in s.exec(select(Cohort)).all()] == ["Attempt 2"]
    engine.dispose()
