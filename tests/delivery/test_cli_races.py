"""A command that writes what a request wrote at the same moment (PostgreSQL, READ COMMITTED):
it checked before the other committed, then met the unique key. The command is not run again
(its body runs once), so it stops with a plain message and exit 1, never a traceback, and
nothing of it is saved; run again, it is answered for what it is."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from delivery.cli.main import main
from portfolio.models import Person
from portfolio.services import people
from portfolio.services.people import SYSTEM
from tests.conftest import migrated_database


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: no race to lose")
    with migrated_database(backend, tmp_path) as eng:
        yield eng


def test_a_person_added_by_a_command_while_a_request_adds_them_is_one_clear_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path / "instance"))
    secret = tmp_path / "password"
    secret.write_text("correct-horse-battery\n")
    url = engine.url.render_as_string(hide_password=False)
    args = ["--db", url, "people", "add", "--name", "Ann", "--email", "ann@race.example"]
    args += ["--role", "learner", "--password-file", str(secret)]
    out: dict[str, Result] = {}

    def command() -> None:
        out["result"] = CliRunner().invoke(main, args)

    with Session(engine) as s:  # the request: checked, inserted, not yet committed
        people.create_person(
            s, actor=SYSTEM, name="Ann", email="ann@race.example", roles="learner",
            password="correct-horse-battery", site="Main site",
        )  # fmt: skip
        s.flush()
        thread = threading.Thread(target=command)
        thread.start()
        time.sleep(1.5)  # the command has checked and now waits on the request's new row
        s.commit()
    thread.join(60)
    result = out["result"]
    assert result.exit_code == 1 and result.exception is not None
    assert isinstance(result.exception, SystemExit), result.exception
    assert "at the same moment" in result.output and "Run the command again" in result.output
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Person)).one() == 1
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert "Someone with e-mail ann@race.example already exists." in again.output
