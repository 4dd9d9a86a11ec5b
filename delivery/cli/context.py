"""What every command shares: the database, the configuration, the ``--json`` option and output."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from delivery.schema import schema_state
from framework._json import load_json
from framework.spec import FrameworkFormatError
from portfolio import config as settings
from portfolio.db import BUSY_TIMEOUT_SECONDS, is_lock_error, make_engine, session_scope
from portfolio.errors import DomainError
from portfolio.services.files import Store
from portfolio.services.stores import open_store

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)
# PostgreSQL's answers when another transaction got there first (a unique key it committed
# meanwhile, a serialization failure, a deadlock): a command runs once, so it says so and stops
_AT_THE_SAME_MOMENT = frozenset({"23505", "23503", "40001", "40P01"})


class Context:
    """What every command shares: the database URL and, once needed, its engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The database's engine, made and checked on first use."""
        if self._engine is None:
            self._engine = _connect(self.url)
        return self._engine

    @property
    def settings(self) -> dict[str, Any]:
        """The configuration (``PORTFOLIO_*`` variables, paths filled in), read once."""
        if getattr(self, "_settings", None) is None:
            self._settings = settings.finish(settings.from_env())
        return self._settings

    @property
    def file_store(self) -> Store:
        """The file store (``PORTFOLIO_FILE_STORE``: a folder, default in the instance, or
        ``s3://bucket/prefix``)."""
        return open_store(self.settings["FILE_STORE"], self.settings)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session for one command: commit on success, roll back and exit 1 on a domain error,
        when the database stayed locked by other writers longer than the busy timeout, or when
        another transaction wrote the same records at the same moment (PostgreSQL).
        ``write=False`` for a command that only reads (a list, a report, an export): it holds
        no writer up (on SQLite a writing command takes the write lock for its whole run)."""
        state = schema_state(self.engine)
        if not state["up_to_date"]:
            raise click.ClickException(
                f"The database schema is at {state['current']}, the code needs {state['head']}: "
                "run `portfolio init` first."
            )
        try:
            with session_scope(self.engine, write=write) as session:
                yield session
        except DomainError as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:
            if not is_lock_error(exc) or race_lost(exc):
                raise  # a race lost is told by the command line group (delivery.cli.main)
            raise click.ClickException(
                f"The database stayed busy for {BUSY_TIMEOUT_SECONDS} s (others are writing); "
                "nothing was saved. Run the command again."
            ) from exc

    @contextmanager
    def mailing_session(self) -> Iterator[Session]:
        """:meth:`session`, then, once it has committed, the e-mail of the notifications it made
        to send straight away, sent as a web page sends its request's
        (:func:`mappings.assessment.mailing.dispatch`): on RQ with ``PORTFOLIO_REDIS_URL``, else
        before the command ends; nothing without ``PORTFOLIO_MAIL_HOST``. What could not be
        sent (the mail server or the queue did not answer) stays for ``portfolio notifications
        digest``, and the command says so; what it did stands. A command
        that tells people uses it instead of :meth:`session`."""
        from portfolio.services.notifications import queued_mail

        with self.session() as session:
            yield session
            ids = queued_mail(session)
        if not ids:
            return
        from mappings.assessment import mailing

        try:
            sent = mailing.dispatch(self.settings, ids, self.session, wait=True)
        except Exception:  # noqa: BLE001 - the queue did not answer; what was done stands
            log.exception("could not hand e-mail of notifications %s to the queue", ids)
            sent = 0
        if sent is not None and sent < len(ids):
            unsent = len(ids) - sent
            click.echo(
                f"{unsent} e-mail{'' if unsent == 1 else 's'} could not be sent now; "
                "`portfolio notifications digest` sends what is left.",
                err=True,
            )


def race_lost(exc: BaseException) -> str | None:
    """What to tell the person when ``exc`` means another transaction wrote the same records at
    the same moment (PostgreSQL: a unique key or a referenced row it committed meanwhile, a
    serialization failure, a deadlock); None for anything else. Told by the group once the
    command has stopped, not by :meth:`Context.session`: work that expects such an error (a
    chunk of summaries another process stored meanwhile) catches it itself."""
    if not isinstance(exc, DBAPIError) or not is_lock_error(exc):
        return None
    if getattr(exc.orig, "sqlstate", None) not in _AT_THE_SAME_MOMENT:
        return None
    return (
        "Someone else changed the same records at the same moment; nothing was saved. "
        "Run the command again."
    )


def _connect(url: str) -> Engine:
    """An engine for ``url``, connected once to check it: one line and exit 1 if the database is
    out of reach or the URL unusable, rather than a traceback."""
    try:
        engine = make_engine(url)
        with engine.connect():
            pass
    except ArgumentError as exc:
        raise click.ClickException(f"Not a database URL: {_shown(url)} ({exc}).") from exc
    except ImportError as exc:
        raise click.ClickException(f"No driver for the database at {_shown(url)}: {exc}") from exc
    except (OperationalError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"Cannot reach the database at {_shown(url)}: {reason}") from exc
    return engine


def _shown(url: str) -> str:
    """The URL as it may be printed: the password hidden; one that is not a URL, as typed (quoted)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return f"“{url}”"


pass_ctx = click.make_pass_decorator(Context)


def json_option(command: F) -> F:
    """The ``--json`` flag of every command that lists or reports: the command receives
    ``as_json`` and prints through :func:`echo_data`."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def echo_json(data: Any, *, err: bool = False) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str), err=err)


def read_json(text: str | bytes, where: str) -> Any:
    """``text`` read as JSON, as the framework reader reads it (bad JSON, bad UTF-8, arrays and
    objects nested thousands deep, numbers too long, half a UTF-16 pair); what it cannot read
    stops the command with :class:`click.ClickException` naming ``where`` (a file, "stdin line
    3") and the place inside, instead of a traceback."""
    try:
        return load_json(text)
    except FrameworkFormatError as exc:
        multiline = isinstance(text, str) and "\n" in text.strip()
        place = "" if exc.place == "/" or (exc.place == "line 1" and not multiline) else exc.place
        raise click.ClickException(
            f"{where}{', ' + place if place else ''}: {exc.message}"
        ) from None


def echo_data(data: Any, *, as_json: bool, lines: Callable[[Any], Iterable[str]]) -> None:
    """Print ``data`` as JSON with ``--json``, otherwise as the lines ``lines(data)`` makes."""
    if as_json:
        echo_json(data)
        return
    for line in lines(data):
        click.echo(line)


class Day(click.DateTime):
    """An option's day as people write it: the help says YYYY-MM-DD (not click's "%Y-%m-%d")
    and a day it cannot read is refused with an example."""

    name = "day"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(
                f"“{value}” is not a day: give it as YYYY-MM-DD, e.g. 2026-09-01.", param, ctx
            )


DAY = Day()


# ``-o FILE`` of every command that writes a file; ``-o -`` writes to standard output instead.
OUTPUT = click.Path(dir_okay=False, allow_dash=True, path_type=Path)


def output_option(help_text: str | None = None) -> Callable[[F], F]:
    """The ``-o/--output`` option: a file, or ``-`` for standard output."""
    extra = "; - writes to standard output" if help_text else "FILE, or - for standard output."
    return click.option(
        "-o", "--output", type=OUTPUT, required=True, help=f"{help_text or ''}{extra}"
    )


def is_stdout(output: Path) -> bool:
    return str(output) == "-"


def write_output(output: Path, data: bytes) -> None:
    """Write ``data`` to ``output`` whole (a temporary file renamed into place, so a reader never
    sees half a file), or to standard output for ``-``."""
    if is_stdout(output):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(f".{output.name}.part")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)


def write_chunks(output: Path, chunks: Iterable[bytes]) -> None:
    """:func:`write_output` of data made a piece at a time: each piece is written as it comes
    (a temporary file renamed into place when complete, or standard output), never held whole."""
    if is_stdout(output):
        sys.stdout.flush()
        for piece in chunks:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(f".{output.name}.part")
    try:
        with tmp.open("wb") as out:
            for piece in chunks:
                out.write(piece)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)


def report_written(output: Path, summary: dict[str, Any], message: str, *, as_json: bool) -> None:
    """Say what was written: ``message``, or ``summary`` as JSON with ``--json``. When the data
    itself went to standard output, the report goes to standard error so the two never mix."""
    err = is_stdout(output)
    if as_json:
        echo_json({"output": str(output), **summary}, err=err)
    else:
        click.echo(message, err=err)
